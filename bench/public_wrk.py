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
"""

import argparse
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


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--workers", type=int, default=2)
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
    base = f"http://127.0.0.1:{PORT}"
    urls = {"profile": f"{base}/countries/{path}/", "bare": f"{base}/bench/bare/{path}/"}
    server = subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "monitor.wsgi:application",
            "--bind",
            f"127.0.0.1:{PORT}",
            "--workers",
            str(args.workers),
            "--worker-class",
            "sync",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
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
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


if __name__ == "__main__":
    main()
