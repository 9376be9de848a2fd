"""Requests per second of our profile page, a bare Django view of the same bytes, and Wagtail
serving the same content with and without Django's cache_page, side by side in one run.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
    WAGTAIL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_wagtail \
        .venv/bin/python bench/throughput.py --rounds 5 --duration 8 \
        --wagtail-python bench/.wagtail-venv/bin/python

The profile page with the most footnotes of the benchmark data set (DATABASE_URL) is exported
and published as a Wagtail ProfilePage (bench/wagtail) in the anchor's database. Two gunicorn
servers with the same settings (2 sync workers, bound to 127.0.0.1 only): ours on 8765
(bench.public_settings, whose URL conf adds the bare view) and Wagtail's on 8766 (its page at
/<slug>/, and behind ``cache_page`` at /cached/<slug>/). Every URL is warmed, then wrk runs
each in turn for --duration seconds (few threads and connections, bounded in time), the order
rotating round by round. Both servers are stopped at the end, whatever happens. Prints each
run, the medians and each URL's median against the bare view's.
"""

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.public_wrk import wrk  # noqa: E402

OURS_PORT, WAGTAIL_PORT = 8765, 8766


def gunicorn(binary, app, port, workers, cwd, env):
    """A gunicorn server in its own process group; stopped with stop()."""
    return subprocess.Popen(
        [
            str(binary),
            app,
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=cwd,
        start_new_session=True,
    )


def wait_until_up(url, timeout=180):
    """The page's bytes once the server answers 200; a first request on a loaded machine can
    take many seconds (imports, connections, caches), so each try waits long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=60) as response:
                return response.read()
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"gunicorn did not answer {url} within {timeout} s")


def stop(server):
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--duration", type=int, default=8)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--wagtail-python", help="python of the Wagtail anchor's virtualenv")
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    # A TERM (make interrupted, a time limit) still runs the finally blocks that stop servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.public_settings"}
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    content = Path(tempfile.mkstemp(suffix=".json", prefix="monitor-bench-profile-")[1])
    path = subprocess.run(
        [sys.executable, str(HERE / "export_profile.py"), str(content)],
        env=env,
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.split()[-1]
    slug = path.replace("/", "-")
    ours = f"http://127.0.0.1:{OURS_PORT}"
    urls = {"ours": f"{ours}/countries/{path}/", "bare": f"{ours}/bench/bare/{path}/"}
    with ExitStack() as servers:
        servers.callback(content.unlink)
        server = gunicorn(
            ROOT / ".venv" / "bin" / "gunicorn",
            "monitor.wsgi:application",
            OURS_PORT,
            args.workers,
            ROOT,
            env,
        )
        servers.callback(stop, server)
        if args.wagtail_python:
            venv = Path(args.wagtail_python).absolute().parent
            wagtail_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
            site = HERE / "wagtail"
            subprocess.run(
                [venv / "python", "manage.py", "migrate", "--noinput", "-v0"],
                env=wagtail_env,
                cwd=site,
                check=True,
            )
            subprocess.run(
                [venv / "python", "manage.py", "load_profile", slug, str(content)],
                env=wagtail_env,
                cwd=site,
                check=True,
                stdout=subprocess.DEVNULL,
            )
            server = gunicorn(
                venv / "gunicorn",
                "anchor.wsgi:application",
                WAGTAIL_PORT,
                args.workers,
                site,
                wagtail_env,
            )
            servers.callback(stop, server)
            theirs = f"http://127.0.0.1:{WAGTAIL_PORT}"
            urls["wagtail"] = f"{theirs}/{slug}/"
            urls["wagtail cache_page"] = f"{theirs}/cached/{slug}/"
        sizes = {name: len(wait_until_up(url)) for name, url in urls.items()}
        print(f"{path}: " + ", ".join(f"{name} {size} bytes" for name, size in sizes.items()))
        for url in urls.values():  # every worker of every server has served each page
            wrk(url, 2, args.threads, args.connections)
        results = {name: [] for name in urls}
        names = list(urls)
        for round_ in range(args.rounds):
            shift = round_ % len(names)
            for name in names[shift:] + names[:shift]:
                rps = wrk(urls[name], args.duration, args.threads, args.connections)
                results[name].append(rps)
                print(f"round {round_ + 1} {name:18} {rps:9.1f} req/s", flush=True)
    bare = statistics.median(results["bare"])
    figures = {
        "path": path,
        "bytes": sizes,
        "duration": args.duration,
        "rounds": args.rounds,
        "urls": {
            name: {
                "min": min(values),
                "median": statistics.median(values),
                "max": max(values),
                "of_bare": statistics.median(values) / bare,
                "per_round_of_bare": [v / b for v, b in zip(values, results["bare"], strict=True)],
            }
            for name, values in results.items()
        },
    }
    for name, row in figures["urls"].items():
        print(
            f"{name:18} min {row['min']:8.1f}  median {row['median']:8.1f}  max {row['max']:8.1f}"
            f" req/s  {row['of_bare']:6.1%} of bare"
        )
    if args.json:
        print(json.dumps(figures))


if __name__ == "__main__":
    main()
