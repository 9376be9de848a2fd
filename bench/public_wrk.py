"""Requests per second of the 150-footnote profile page against a bare Django view returning
the same bytes, side by side in one run, under gunicorn on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/public_wrk.py --rounds 3 --duration 10
    # with the Redis cache:
    CACHE_URL=redis://127.0.0.1:6379/1 DATABASE_URL=... .venv/bin/python bench/public_wrk.py

Starts gunicorn (bench.public_settings, bound to 127.0.0.1 only, 2 sync workers), warms both
URLs, then alternates wrk runs (profile, bare, profile, bare, …; few threads and connections,
each bounded by --duration) and stops gunicorn at the end, whatever happens. Prints each run,
the median requests/s of each URL and the ratio profile / bare.

    DATABASE_URL=... .venv/bin/python bench/public_wrk.py --churn [--tree /tmp/old-tree]

With --churn: the profile page alone, then while bench/publish_churn.py publishes and withdraws
an edition of another profile once a second (and checks that the page of that profile never
shows the replaced edition once a step has returned), alternately in each round; prints the
ratio. --tree PATH (a copy of an older commit, e.g. `git archive COMMIT | tar -x -C PATH`)
serves that tree's code too, its own server and churn, in the same rounds.
"""

import argparse
import json
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
PORT = 8765


def largest_profile_path(env):
    code = (
        "import django;django.setup();"
        "from django.db.models import Count;from reports.models import Edition;"
        "e=Edition.objects.public().annotate(n=Count('footnotes')).order_by('-n','id')"
        ".select_related('profile__country','profile__topic').first();"
        "print(e.profile.country.slug+'/'+e.profile.topic.slug)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    return out.stdout.strip().splitlines()[-1]


def wait_until_up(url, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                return response.read()
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"gunicorn did not answer {url}")


def wrk(url, duration, threads, connections):
    out = subprocess.run(
        ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--timeout", "5s", url],
        capture_output=True,
        text=True,
        check=True,
        timeout=duration + 30,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if errors:
        raise SystemExit(f"{url}: {errors.group(1)} error responses\n{out}")
    return rps


def start_server(tree, env, port, workers):
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "monitor.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env={**env, "PYTHONPATH": str(tree)},
        cwd=tree,
        start_new_session=True,
    )


def stop(process, timeout=15):
    """End a process group this script started."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def bare_and_profile(args, env, path, base, urls):
    server = start_server(ROOT, env, args.port, args.workers)
    try:
        profile = wait_until_up(urls["profile"])
        bare = wait_until_up(urls["bare"])
        assert profile == bare, "the bare view must return the same bytes"
        print(f"{path}: {len(profile)} bytes; cache: {os.environ.get('CACHE_URL') or 'locmem'}")
        for url in urls.values():  # warm every worker
            wrk(url, 2, args.threads, args.connections)
        results = {"profile": [], "bare": []}
        for round_ in range(args.rounds):
            order = ["profile", "bare"] if round_ % 2 == 0 else ["bare", "profile"]
            for name in order:
                rps = wrk(urls[name], args.duration, args.threads, args.connections)
                results[name].append(rps)
                print(f"round {round_ + 1} {name:7} {rps:9.1f} req/s", flush=True)
        medians = {name: statistics.median(values) for name, values in results.items()}
        print(
            f"median profile {medians['profile']:.1f} req/s, bare {medians['bare']:.1f} req/s, "
            f"ratio {medians['profile'] / medians['bare']:.1%} "
            f"(per-round ratios: "
            + ", ".join(
                f"{p / b:.0%}" for p, b in zip(results["profile"], results["bare"], strict=True)
            )
            + ")"
        )
    finally:
        stop(server)


def under_churn(args, env, path, base, url):
    """The profile page alone, and while another profile is published and withdrawn once a
    second (bench/publish_churn.py), side by side; with --tree, the other tree's code too."""
    trees = [("this tree", ROOT)] + ([("--tree", Path(args.tree).resolve())] if args.tree else [])
    results = {(name, mode): [] for name, _ in trees for mode in ("quiet", "churn")}
    for round_ in range(args.rounds):
        for name, tree in trees:
            server = start_server(tree, env, args.port, args.workers)
            try:
                wait_until_up(url)
                wrk(url, 2, args.threads, args.connections)  # warm every worker
                modes = ["quiet", "churn"] if round_ % 2 == 0 else ["churn", "quiet"]
                for mode in modes:
                    churn = None
                    if mode == "churn":
                        churn = subprocess.Popen(
                            [
                                sys.executable,
                                str(ROOT / "bench" / "publish_churn.py"),
                                "--skip",
                                path,
                                "--base",
                                base,
                            ],
                            env={**env, "BENCH_TREE": str(tree)},
                            cwd=tree,
                            stdout=subprocess.PIPE,
                            text=True,
                            start_new_session=True,
                        )
                        print(f"  {churn.stdout.readline().strip()}", flush=True)
                    try:
                        rps = wrk(url, args.duration, args.threads, args.connections)
                    finally:
                        if churn is not None:
                            stop(churn, timeout=30)
                    results[(name, mode)].append(rps)
                    line = f"round {round_ + 1} {name:9} {mode:5} {rps:9.1f} req/s"
                    if churn is not None:
                        line += f"  ({churn.stdout.read().strip()})"
                    print(line, flush=True)
            finally:
                stop(server)
    for name, _ in trees:
        quiet, churn = results[(name, "quiet")], results[(name, "churn")]
        print(
            f"{name}: median {statistics.median(quiet):.1f} req/s alone, "
            f"{statistics.median(churn):.1f} req/s under one publish and one withdraw a second "
            f"of another profile: {statistics.median(churn) / statistics.median(quiet):.0%} "
            "(per-round: "
            + ", ".join(f"{c / q:.0%}" for q, c in zip(quiet, churn, strict=True))
            + ")"
        )
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument(
        "--churn",
        action="store_true",
        help="the profile page alone and under a publish and a withdraw a second elsewhere",
    )
    parser.add_argument("--tree", help="with --churn: also serve this source tree, side by side")
    parser.add_argument("--json", action="store_true", help="with --churn: end with JSON figures")
    args = parser.parse_args()

    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.public_settings"}
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    path = largest_profile_path(env)
    base = f"http://127.0.0.1:{args.port}"
    urls = {"profile": f"{base}/countries/{path}/", "bare": f"{base}/bench/bare/{path}/"}
    if args.churn:
        results = under_churn(args, env, path, base, urls["profile"])
        if args.json:
            figures = {
                mode: {
                    "min": min(values),
                    "median": statistics.median(values),
                    "max": max(values),
                }
                for mode in ("quiet", "churn")
                for values in [results[("this tree", mode)]]
            }
            figures["ratio"] = figures["churn"]["median"] / figures["quiet"]["median"]
            figures.update(path=path, rounds=args.rounds, duration=args.duration)
            print(json.dumps(figures))
    else:
        bare_and_profile(args, env, path, base, urls)


if __name__ == "__main__":
    main()
