"""Serving public pages through a PostgreSQL restart, under load and with publishing going on.

    WARNING: this script RESTARTS THE MACHINE'S POSTGRESQL (every database on it, every session
    using it) once per run, in the middle of the load. Keep the runs few; each outage lasts a
    few seconds.

    .venv/bin/python bench/outage.py [--seconds 120] [--runs 3] [--stop-for 3] [--json]

Builds (once) a small data set of its own in PostgreSQL (BENCH_PG, database monitor_outage_bench:
50 countries x 6 topics, the newest of three yearly editions published, with bench/
public_dataset.py), serves it with gunicorn (monitor/gunicorn.py, bound to 127.0.0.1, 2 sync
workers; the production settings and URL conf, whose handler500 answers 503 while the database
is away) and the Redis cache (CACHE_URL, default DB 5, emptied at each run; STALE_IF_ERROR on),
and for --seconds loads public pages from loopback with --clients Python processes (one
request at a time each, several URLs in turn, among them the profile being churned), while
another process publishes and withdraws an edition once a second through the lifecycle API
(bench/publish_churn.py's helpers; each step returns once every server process will have seen
it, as the admin's request does; a step that fails while the database is away is tried again).
Halfway through, PostgreSQL is restarted with `pg_ctlcluster ... restart` (fast shutdown, then
start), or with --stop-for N stopped, left down N seconds and started again; the output says
which. --no-restart runs the same load without touching PostgreSQL (a check of the script).

Prints for each run: the requests, the answers by status before, during and after the restart
(during: a request that overlapped it), those served stale (X-Served-Stale), the 503s with and
without Retry-After, the seconds from the database accepting connections again until the first
fresh (200, not stale) answer, and the withdrawn editions served after their withdraw had
returned (each page is searched for the churned editions' summaries; must be 0). Any 500 is a
defect and is listed. With --runs N, min and median of each figure at the end. The logs
(gunicorn's, the churn's, every request's record) stay in the folder it prints.

Everything it starts is stopped at the end, whatever happens, and PostgreSQL is left running
(started again if a failure left it down; pg_isready is checked last).
"""

import argparse
import http.client
import json
import multiprocessing
import os
import platform
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench.public_wrk import stop  # noqa: E402
from bench.throughput import wait_until_up  # noqa: E402

PORT = 8767
DATABASE = "monitor_outage_bench"
CLUSTER = sorted(os.listdir("/etc/postgresql"))[-1] if os.path.isdir("/etc/postgresql") else "15"
MARKER = re.compile(rb"Churn edition (o[0-9a-f]+-\d+)\.")
# The data set: a few hundred published profiles, each with two archived editions.
DATASET = (
    "import sys; sys.path.insert(0, '.');"
    "import bench.public_dataset as d;"
    "d.COUNTRY_COUNT = 50; d.YEARS = [2023, 2024, 2025];"
    "from django.core.management import call_command;"
    "call_command('migrate', verbosity=0); d.build()"
)


def pg_ctl(action):
    return subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", CLUSTER, "main", action],
        capture_output=True,
        text=True,
        timeout=120,
    )


def pg_ready():
    return subprocess.run(["pg_isready", "-q", "-h", "127.0.0.1"], timeout=10).returncode == 0


def ensure_postgres_running():
    """Whatever happened, PostgreSQL is left accepting connections."""
    deadline = time.monotonic() + 60
    while not pg_ready():
        if time.monotonic() > deadline:
            sys.exit("PostgreSQL is NOT accepting connections: start it by hand!")
        pg_ctl("start")
        time.sleep(1)
    print("pg_isready: PostgreSQL is accepting connections", flush=True)


def ensure_data_set(env, pg, rebuild):
    import psycopg

    with psycopg.connect(f"{pg}/postgres", autocommit=True) as admin:
        found = "SELECT 1 FROM pg_database WHERE datname = %s"
        exists = admin.execute(found, [DATABASE]).fetchone()
        if exists and not rebuild:
            return
        if exists:
            admin.execute(f'DROP DATABASE "{DATABASE}"')
        admin.execute(f'CREATE DATABASE "{DATABASE}"')
    print(f"building the data set in {DATABASE}", flush=True)
    subprocess.run(
        [sys.executable, "-c", DATASET],
        env=env,
        cwd=ROOT,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def load_urls(env, churned):
    """Public pages of every kind: the churned profile's (most often), other profiles', its
    country's, the lists, the feed, a search (never cached: it needs the database)."""
    code = (
        "import django;django.setup();from reports.models import Edition;"
        "e=Edition.objects.public().select_related('profile__country','profile__topic')"
        ".order_by('pk')[:40];"
        "print(' '.join(x.profile.get_absolute_url() for x in e[::8]))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, capture_output=True, text=True, check=True
    )
    others = out.stdout.split()
    country = churned.rsplit("/", 2)[0] + "/"
    return [
        churned,
        "/",
        churned,
        country,
        churned,
        "/countries/",
        churned,
        "/feeds/updates/",
        churned,
        "/search/?q=treaty",
        *others,
        churned + "changes/",
    ]


def load(base_port, paths, seconds, started, output):
    """One reader: requests in turn until `seconds` have passed, each recorded as
    (start, end, path index, status, stale, retry-after, churn markers on the page)."""
    records = []
    deadline = started + seconds
    index = os.getpid() % len(paths)
    while time.monotonic() < deadline:
        index = (index + 1) % len(paths)
        began = time.monotonic()
        status, stale, retry, markers = 0, False, False, []
        try:
            connection = http.client.HTTPConnection("127.0.0.1", base_port, timeout=15)
            connection.request("GET", paths[index])
            response = connection.getresponse()
            body = response.read()
            connection.close()
            status = response.status
            stale = response.getheader("X-Served-Stale") is not None
            retry = response.getheader("Retry-After") is not None
            markers = [m.decode() for m in MARKER.findall(body)]
        except (OSError, http.client.HTTPException):
            time.sleep(0.05)  # refused or reset: status 0
        records.append((began, time.monotonic(), index, status, stale, retry, markers))
    with open(output, "w") as out:
        json.dump(records, out)


def churn(run_id, log_path, interval):
    """Child process: publish and withdraw an edition of the churned profile once a second,
    logging `published MARKER T` / `withdrawn MARKER T` (T: monotonic time the step returned)
    until SIGTERM."""
    from django.db import connection

    from bench.publish_churn import approved_copy, pick, publisher
    from reports.editions import workflow
    from reports.models import Edition
    from reports.public import pagecache

    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    actor = publisher()
    # An edition left published by an interrupted run is withdrawn first.
    for left in Edition.objects.public().filter(summary__startswith="Churn edition o"):
        workflow.withdraw(left, actor, "Benchmark: left by an interrupted run")
    pagecache.wait_until_seen()
    current = pick("-/-")

    def log(line):
        with open(log_path, "a") as out:
            out.write(line + "\n")

    log(f"profile {current.profile.get_absolute_url()}")
    failures = 0

    def retried(step):
        """Run `step` until it succeeds; a step whose commit was lost may have happened."""
        nonlocal failures
        while True:
            try:
                return step()
            except pagecache.UNREACHABLE:
                failures += 1
                connection.close()
                time.sleep(0.2)

    number = 0
    while not stopping:
        began = time.monotonic()
        number += 1
        marker = f"o{run_id}-{number}"
        edition = retried(lambda marker=marker: approved_copy(current, marker))

        def step(action, target, edition=edition):
            state = Edition.objects.values_list("state", flat=True).get(pk=edition.pk)
            if state != target:
                fresh = Edition.objects.get(pk=edition.pk)
                if action == "publish":
                    workflow.publish(fresh, actor)
                else:
                    workflow.withdraw(fresh, actor, "Benchmark")

        retried(lambda: step("publish", Edition.State.PUBLISHED))
        pagecache.wait_until_seen()  # as PublicationMiddleware does for the admin
        log(f"published {marker} {time.monotonic()}")
        retried(lambda: step("withdraw", Edition.State.WITHDRAWN))
        pagecache.wait_until_seen()
        log(f"withdrawn {marker} {time.monotonic()}")
        time.sleep(max(0.0, interval - (time.monotonic() - began)))
    log(f"failures {failures}")


def start_gunicorn(env, port, workers, log):
    return subprocess.Popen(
        [
            str(ROOT / ".venv" / "bin" / "gunicorn"),
            "-c",
            "python:monitor.gunicorn",
            "monitor.wsgi:application",
        ],
        env={**env, "GUNICORN_BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": str(workers)},
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def restart_postgres(stop_for):
    """Restart PostgreSQL; returns (how, began, accepting again), monotonic times."""
    began = time.monotonic()
    if stop_for is None:
        return "no restart (--no-restart)", began, began
    if stop_for:
        how = f"pg_ctlcluster stop, {stop_for:g} s down, start"
        pg_ctl("stop")
        time.sleep(stop_for)
        done = pg_ctl("start")
    else:
        how = "pg_ctlcluster restart"
        done = pg_ctl("restart")
    if done.returncode:
        print(f"{how}: {done.stdout}{done.stderr}", flush=True)
    while not pg_ready():
        time.sleep(0.05)
    return how, began, time.monotonic()


def one_run(args, env, run_number, workdir):
    import redis

    redis.Redis.from_url(env["CACHE_URL"]).flushdb()  # this script's own DB: a cold cache
    run_id = f"{int(time.time()):x}"
    churn_log = workdir / f"churn-{run_number}.log"
    base = f"http://127.0.0.1:{args.port}"
    with open(workdir / f"gunicorn-{run_number}.log", "w") as gunicorn_log:
        server = start_gunicorn(env, args.port, args.workers, gunicorn_log)
    children = []
    churner = None
    try:
        wait_until_up(base + "/")
        churner = multiprocessing.get_context("spawn").Process(
            target=churn, args=(run_id, str(churn_log), 1.0)
        )
        churner.start()
        deadline = time.monotonic() + 120
        while not churn_log.exists() or not churn_log.read_text().strip():
            if time.monotonic() > deadline or not churner.is_alive():
                raise SystemExit("the churn process did not start")
            time.sleep(0.1)
        churned = churn_log.read_text().split()[1]
        paths = load_urls(env, churned)
        started = time.monotonic()
        for n in range(args.clients):
            output = workdir / f"load-{run_number}-{n}.json"
            child = multiprocessing.get_context("fork").Process(
                target=load, args=(args.port, paths, args.seconds, started, output)
            )
            child.start()
            children.append((child, output))
        time.sleep(max(0.0, started + args.seconds * args.restart_at - time.monotonic()))
        how, down_at, back_at = restart_postgres(None if args.no_restart else args.stop_for)
        print(f"run {run_number}: {how}: {back_at - down_at:.2f} s until pg_isready", flush=True)
        for child, _ in children:
            child.join(timeout=args.seconds + 60)
    finally:
        for child, _ in children:
            if child.is_alive():
                child.terminate()
                child.join()
        if churner is not None and churner.is_alive():
            os.kill(churner.pid, signal.SIGTERM)
            churner.join(timeout=60)
            if churner.is_alive():
                churner.kill()
                churner.join()
        stop(server)
    records = []
    for _, output in children:
        records += json.loads(output.read_text())
    return figures(records, paths, churn_log, f"o{run_id}-", how, down_at, back_at)


def figures(records, paths, churn_log, this_run, how, down_at, back_at):
    withdrawn, published, failures = {}, 0, 0
    for line in churn_log.read_text().splitlines():
        kind, *rest = line.split()
        if kind == "withdrawn":
            withdrawn[rest[0]] = float(rest[1])
        elif kind == "published":
            published += 1
        elif kind == "failures":
            failures = int(rest[0])

    def phase(record):
        began, ended = record[0], record[1]
        return "before" if ended < down_at else "after" if began > back_at else "during"

    result = {
        "restart": how,
        "restart_seconds": back_at - down_at,
        "requests": len(records),
        "status": {p: {} for p in ("before", "during", "after")},
        "stale": {p: 0 for p in ("before", "during", "after")},
        "503_with_retry_after": 0,
        "503_without_retry_after": 0,
        "500": [],
        "withdrawn_served": [],
        "pages_showing_a_churned_edition": 0,
        "cycles": len(withdrawn),
        "publishes": published,
        "churn_retries": failures,
    }
    fresh_after, unserved, by_page = [], [], {}
    for began, ended, index, status, stale, retry, markers in records:
        p = phase((began, ended))
        result["status"][p][str(status)] = result["status"][p].get(str(status), 0) + 1
        result["stale"][p] += stale
        if status == 503:
            result["503_with_retry_after" if retry else "503_without_retry_after"] += 1
        if status == 500:
            result["500"].append((round(began - down_at, 3), paths[index]))
        if status == 200 and not stale and began > back_at:
            fresh_after.append(ended)
        if stale or status != 200:
            unserved.append(began)
        if p == "during":
            kind = "stale" if stale else "fresh" if status == 200 else str(status)
            row = by_page.setdefault(paths[index], {})
            row[kind] = row.get(kind, 0) + 1
        result["pages_showing_a_churned_edition"] += bool(markers)
        for marker in markers:
            # Editions of earlier runs were all withdrawn before this one began.
            gone = withdrawn.get(marker, None if marker.startswith(this_run) else 0.0)
            if gone is not None and gone < began:
                result["withdrawn_served"].append((paths[index], marker, round(began - gone, 3)))
    result["first_fresh_after"] = min(fresh_after) - back_at if fresh_after else None
    # What the readers saw of the outage: from the first answer that was not fresh to the last.
    result["readers_outage"] = (
        (min(unserved) - down_at, max(unserved) - down_at) if unserved else None
    )
    result["during_by_page"] = by_page
    return result


def show(run_number, r):
    def statuses(p):
        return ", ".join(f"{s}: {n}" for s, n in sorted(r["status"][p].items())) or "none"

    first = r["first_fresh_after"]
    print(
        f"run {run_number}: {r['requests']} requests; restart ({r['restart']}) took "
        f"{r['restart_seconds']:.2f} s\n"
        f"  before: {statuses('before')} (stale {r['stale']['before']})\n"
        f"  during: {statuses('during')} (stale {r['stale']['during']})\n"
        f"  after:  {statuses('after')} (stale {r['stale']['after']})\n"
        f"  503 with Retry-After {r['503_with_retry_after']}, without "
        f"{r['503_without_retry_after']}; 500s {len(r['500'])} {r['500'][:5]}\n"
        + (
            "  readers saw the outage from {:.2f} s to {:.2f} s after the restart began\n".format(
                *r["readers_outage"]
            )
            if r["readers_outage"]
            else ""
        )
        + "  during, by page: "
        + "; ".join(
            f"{path} " + " ".join(f"{k} {n}" for k, n in sorted(row.items()))
            for path, row in sorted(r["during_by_page"].items())
        )
        + "\n"
        + "  first fresh 200 "
        + (f"{first:.3f} s after the database was back" if first is not None else "never")
        + f"\n  churn: {r['cycles']} publish+withdraw cycles, {r['churn_retries']} steps retried; "
        f"{r['pages_showing_a_churned_edition']} answers showed a churned edition; "
        f"withdrawn editions served after their withdraw returned: {len(r['withdrawn_served'])}"
        + (f" {r['withdrawn_served'][:5]}" if r["withdrawn_served"] else ""),
        flush=True,
    )


def summary(results):
    def spread(values):
        values = [v for v in values if v is not None]
        if not values:
            return "n/a"
        return f"min {min(values):g}, median {statistics.median(values):g}, max {max(values):g}"

    def count(r, phase, wanted):
        return sum(n for s, n in r["status"][phase].items() if wanted(s))

    errors = lambda s: s != "200"  # noqa: E731
    rows = {
        "requests": [r["requests"] for r in results],
        "restart seconds": [round(r["restart_seconds"], 2) for r in results],
        "errors before": [count(r, "before", errors) for r in results],
        "errors during": [count(r, "during", errors) for r in results],
        "errors after": [count(r, "after", errors) for r in results],
        "stale during": [r["stale"]["during"] for r in results],
        "503 with Retry-After": [r["503_with_retry_after"] for r in results],
        "503 without Retry-After": [r["503_without_retry_after"] for r in results],
        "500": [len(r["500"]) for r in results],
        "refused or reset (0)": [
            sum(count(r, p, lambda s: s == "0") for p in r["status"]) for r in results
        ],
        "first fresh 200 after (s)": [
            None if r["first_fresh_after"] is None else round(r["first_fresh_after"], 3)
            for r in results
        ],
        "readers' outage (s)": [
            None
            if r["readers_outage"] is None
            else round(r["readers_outage"][1] - r["readers_outage"][0], 2)
            for r in results
        ],
        "withdrawn served": [len(r["withdrawn_served"]) for r in results],
        "cycles": [r["cycles"] for r in results],
    }
    print(f"over {len(results)} runs:")
    for name, values in rows.items():
        print(f"  {name:26} {spread(values)}   ({', '.join(str(v) for v in values)})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=int, default=120, help="length of each run's load")
    parser.add_argument("--runs", type=int, default=1, help="runs (one restart each)")
    parser.add_argument("--restart-at", type=float, default=0.5, help="fraction of the load")
    parser.add_argument(
        "--stop-for", type=float, default=0, help="stop PostgreSQL this long instead of restart"
    )
    parser.add_argument(
        "--no-restart", action="store_true", help="the same load without a restart (a check)"
    )
    parser.add_argument("--clients", type=int, default=3, help="reader processes")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--port", type=int, default=PORT)
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    # A TERM (a time limit) still runs the finally blocks: servers stopped, PostgreSQL up.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    pg = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
    # The production settings and URL conf (its handler500 answers 503 while the database is
    # away; bench.public_urls has none), over plain HTTP on loopback.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "monitor.settings",
        "DEBUG": "false",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "false",
        "SECURE_HSTS_SECONDS": "0",
        "DATABASE_URL": f"{pg}/{DATABASE}",
        "CACHE_URL": os.environ.get("CACHE_URL", "redis://127.0.0.1:6379/5"),
        "STALE_IF_ERROR": "true",
    }
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    os.environ.update(env)  # for the churn process
    print(
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; {platform.node()}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f}; PostgreSQL {CLUSTER}; "
        f"{args.clients} readers, {args.workers} gunicorn workers, {args.seconds} s a run",
        flush=True,
    )
    results = []
    try:
        ensure_data_set(env, pg, args.rebuild)
        subprocess.run(
            [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
            env=env,
            cwd=ROOT,
            check=True,
        )
        workdir = Path(tempfile.mkdtemp(prefix="monitor-outage-"))
        print(f"logs (gunicorn's, the churn's, the readers' records): {workdir}", flush=True)
        for run_number in range(1, args.runs + 1):
            result = one_run(args, env, run_number, workdir)
            show(run_number, result)
            results.append(result)
    finally:
        ensure_postgres_running()
    if len(results) > 1:
        summary(results)
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
