"""`make bench`: build the benchmark data set, run every benchmark, write BENCHMARKS.md.

    make bench                                  # 1x, 5 rounds
    make bench BENCH_SCALES="1 4" BENCH_ROUNDS=7
    .venv/bin/python bench/run.py --scales 1 4 --rounds 5 [--only editorial throughput]

PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432); databases named
<BENCH_DB_PREFIX>_data (the data set at 1x; _data_x4 at 4x …), _steps, _wagtail, _release
and _import (scratch, made anew each run). The data set is built once
(bench/public_dataset.py) and kept while its builder's code is unchanged (its fingerprint is
the database's comment); --rebuild builds it again. Growth runs (--scales 1 4 16) measure the
page, churn, render, search and admin list figures at each scale, and imports of 2,000 × scale
documents only with --only import; the editorial steps, the release and the Wagtail anchor
run at 1x. The anchor is installed on demand into bench/.wagtail-venv
(bench/wagtail_anchor.py); without PyPI it is skipped, with the reason in the report. Every
script runs as its own process with a time limit; its output goes to bench/.results/<run>/.
The figures replace the generated section at the top of BENCHMARKS.md; the sections below it
(earlier measurements, written by hand) are kept.
"""

import argparse
import ast
import datetime
import hashlib
import json
import os
import platform
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import psycopg

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from bench import report  # noqa: E402
from bench.wagtail_anchor import ensure as ensure_wagtail  # noqa: E402

RESULTS = HERE / ".results"
BENCHMARKS_MD = ROOT / "BENCHMARKS.md"
DOCUMENTS = 2000  # archive documents imported at 1x
ALL = [
    "editorial",
    "workflow_steps",
    "release",
    "throughput",
    "churn",
    "render",
    "search",
    "admin_list",
    "import",
]


class Run:
    def __init__(self, args):
        self.args = args
        self.base = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432").rstrip("/")
        self.prefix = os.environ.get("BENCH_DB_PREFIX", "monitor_bench")
        self.started = datetime.datetime.now(datetime.UTC)
        self.folder = RESULTS / self.started.strftime("%Y%m%dT%H%M%SZ")
        self.folder.mkdir(parents=True, exist_ok=True)
        self.results = {"scales": {}, "skipped": [], "errors": []}
        self.ran = set()  # the labels of the scripts this run started
        self.wagtail = None

    # --- PostgreSQL ------------------------------------------------------------------------

    def url(self, name):
        return f"{self.base}/{name}"

    def admin(self, sql, params=None):
        """Run one statement on the server's maintenance database; rows of a SELECT."""
        with psycopg.connect(self.url("postgres"), autocommit=True) as connection:
            cursor = connection.execute(sql, params)
            return cursor.fetchall() if cursor.description else None

    def fresh_database(self, name):
        self.admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        self.admin(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def comment(self, name):
        rows = self.admin(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database WHERE datname = %s",
            [name],
        )
        return rows[0][0] if rows else None

    # --- running scripts -------------------------------------------------------------------

    def script(self, label, command, database=None, timeout=1800, env=None, parse=True):
        """Run a benchmark script; its figures (last line of JSON) or None on failure."""
        environment = {**os.environ, **(env or {})}
        environment.setdefault("SECRET_KEY", "benchmark-only-secret-key")
        if database:
            environment["DATABASE_URL"] = database
        self.ran.add(label)
        log = self.folder / f"{label}.log"
        shown = " ".join(shlex.quote(str(part)) for part in command)
        print(f"== {label}: {shown}", flush=True)
        started = time.monotonic()
        # Output and errors go to the log as they come (the figures are its last JSON line).
        environment["PYTHONUNBUFFERED"] = "1"
        with log.open("w") as out:
            out.write(f"$ {shown}\n")
            out.flush()
            process = subprocess.Popen(
                [str(part) for part in command],
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
            try:
                process.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                # TERM first: the script's own clean-up stops the servers it started.
                process.terminate()
                try:
                    process.wait(timeout=60)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
                self.fail(label, f"stopped after {timeout} s (see {log})")
                return None
        took = time.monotonic() - started
        print(f"   {took:.0f} s, log {log.relative_to(ROOT)}", flush=True)
        if process.returncode != 0:
            self.fail(label, f"exit code {process.returncode} (see {log.relative_to(ROOT)})")
            return None
        if not parse:
            return {"seconds": took}
        last = next(line for line in reversed(log.read_text().splitlines()) if line.startswith("{"))
        # A script's own "seconds" (the release's) is its figure; the run's length goes apart.
        return {"seconds": took, **json.loads(last), "script_seconds": took}

    def fail(self, label, reason):
        print(f"   FAILED: {reason}", flush=True)
        self.results["errors"].append(f"{label}: {reason}")

    def skip(self, label, reason):
        print(f"== {label}: skipped, {reason}", flush=True)
        self.results["skipped"].append(f"{label}: {reason}")

    def wanted(self, name):
        return not self.args.only or name in self.args.only

    # --- the data set ----------------------------------------------------------------------

    def data_set(self, scale):
        name = f"{self.prefix}_data" if scale == 1 else f"{self.prefix}_data_x{scale}"
        # The builder's code, not its comments or layout, decides whether to build again.
        builder = [HERE / "public_dataset.py", HERE / "countries.py"]
        code = "".join(ast.dump(ast.parse(path.read_text())) for path in builder)
        digest = hashlib.sha256(code.encode()).hexdigest()[:16]
        fingerprint = f"monitor bench data set x{scale} {digest}"
        exists = self.admin("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if exists and self.comment(name) == fingerprint and not self.args.rebuild:
            print(f"== data set x{scale}: {name} is current ({fingerprint})", flush=True)
            built = None
        else:
            url = self.fresh_database(name)
            built = self.script(
                f"dataset-x{scale}",
                [sys.executable, HERE / "public_dataset.py", "--scale", scale],
                database=url,
                timeout=4 * 3600,
                parse=False,
            )
            if built is None:
                return None, None
            self.admin(f"COMMENT ON DATABASE \"{name}\" IS '{fingerprint}'")
        url = self.url(name)
        # Migrations added since the data set was built apply to it as to any database.
        self.script(
            f"migrate-x{scale}",
            [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
            database=url,
            parse=False,
        )
        with psycopg.connect(url) as connection:
            counts = connection.execute(
                "SELECT (SELECT count(*) FROM reports_edition),"
                " (SELECT count(*) FROM sources_footnote),"
                " pg_database_size(current_database())"
            ).fetchone()
        return url, {
            "database": name,
            "editions": counts[0],
            "footnotes": counts[1],
            "bytes": counts[2],
            "build_seconds": built and built["seconds"],
        }

    # --- one scale -------------------------------------------------------------------------

    def scale(self, scale):
        rounds = self.args.rounds
        figures = {}
        self.results["scales"][scale] = figures
        needs_data = any(
            self.wanted(n) for n in ("throughput", "churn", "render", "search", "admin_list")
        )
        data = None
        if needs_data:
            data, figures["data set"] = self.data_set(scale)
        wagtail = {"--wagtail-python": self.wagtail} if self.wagtail and scale == 1 else {}
        wagtail_db = {}
        if wagtail:
            wagtail_db = {"WAGTAIL_DATABASE_URL": self.fresh_database(f"{self.prefix}_wagtail")}
        flags = [part for pair in wagtail.items() for part in pair]
        if scale == 1 and self.wanted("editorial"):
            figures["editorial"] = self.script(
                "editorial",
                [
                    sys.executable,
                    HERE / "editorial.py",
                    "--rounds",
                    rounds,
                    "--profile",
                    "--json",
                    *flags,
                ],
                database=self.fresh_database(f"{self.prefix}_steps"),
                env=wagtail_db,
                timeout=3600,
            )
        if scale == 1 and self.wanted("workflow_steps"):
            figures["workflow_steps"] = self.script(
                "workflow_steps",
                [sys.executable, HERE / "workflow_steps.py", "--rounds", rounds, "--json"],
                database=self.fresh_database(f"{self.prefix}_steps"),
            )
        if scale == 1 and self.wanted("release"):
            figures["release"] = self.script(
                "release",
                [sys.executable, HERE / "release.py", "--rounds", rounds, "--json"],
                database=self.fresh_database(f"{self.prefix}_release"),
                timeout=7200,
            )
        if data and self.wanted("throughput"):
            if shutil.which("wrk"):
                figures["throughput"] = self.script(
                    f"throughput-x{scale}",
                    [
                        sys.executable,
                        HERE / "throughput.py",
                        "--rounds",
                        rounds,
                        "--duration",
                        self.args.duration,
                        "--json",
                        *flags,
                    ],
                    database=data,
                    env=wagtail_db,
                    timeout=rounds * 4 * (self.args.duration + 10) + 900,
                )
            else:
                self.skip("throughput", "wrk is not installed (apt-get install wrk)")
        if data and self.wanted("churn"):
            if shutil.which("wrk"):
                figures["churn"] = self.script(
                    f"churn-x{scale}",
                    [
                        sys.executable,
                        HERE / "public_wrk.py",
                        "--churn",
                        "--rounds",
                        rounds,
                        "--duration",
                        self.args.duration,
                        "--json",
                    ],
                    database=data,
                    timeout=rounds * 2 * (self.args.duration + 60) + 600,
                )
            else:
                self.skip("churn", "wrk is not installed (apt-get install wrk)")
        if data and self.wanted("admin_list"):
            figures["admin_list"] = self.script(
                f"admin_list-x{scale}",
                [sys.executable, HERE / "admin_list.py", "--rounds", rounds, "--json"],
                database=data,
            )
        if data and self.wanted("render"):
            figures["render"] = self.script(
                f"render-x{scale}",
                [sys.executable, HERE / "public_render.py", "--runs", max(rounds, 200), "--json"],
                database=data,
            )
        if data and self.wanted("search"):
            figures["search"] = self.script(
                f"search-x{scale}",
                [sys.executable, HERE / "public_search.py", "--runs", rounds, "--json"],
                database=data,
            )
        # Importing 2,000 × scale documents ≥ 5 times takes long: growth runs import only when
        # asked for by name (--only import).
        if self.wanted("import") and (scale == 1 or "import" in (self.args.only or [])):
            figures["import"] = self.imports(scale, rounds)

    def imports(self, scale, rounds):
        # Named by scale: a larger archive names more countries (generate_archive.py --scale).
        folder = Path(f"/tmp/monitor-bench-archive-{scale}x-countries")
        count = DOCUMENTS * scale
        if len(list(folder.glob("*.txt"))) != count:
            self.script(
                f"archive-x{scale}",
                [
                    sys.executable,
                    HERE / "generate_archive.py",
                    folder,
                    *("--count", count, "--scale", scale),
                ],
                parse=False,
            )
        database = self.fresh_database(f"{self.prefix}_import")
        figures = {}
        for workers in self.args.import_workers:
            figures[f"{workers} workers"] = self.script(
                f"import-x{scale}-{workers}w",
                [
                    sys.executable,
                    HERE / "import_speed.py",
                    folder,
                    "--runs",
                    rounds,
                    "--workers",
                    workers,
                    "--scale",
                    scale,
                    "--json",
                ],
                database=database,
                timeout=rounds * count + 600,
            )
        return figures

    # --- the whole run ---------------------------------------------------------------------

    def machine(self):
        cpu = next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        memory = next(
            int(line.split()[1]) * 1024
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        server = self.admin("SELECT current_setting('server_version')")[0][0]
        import django

        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        return {
            "cores": os.cpu_count(),
            "cpu": cpu,
            "memory": memory,
            "load": os.getloadavg(),
            "postgresql": server,
            "python": platform.python_version(),
            "django": django.__version__,
            "commit": commit or "?",
        }

    def merge_earlier(self):
        """Keep the figures of the last run that this one did not measure (--merge)."""
        latest = RESULTS / "latest.json"
        if not latest.exists():
            return
        earlier = json.loads(latest.read_text())
        kept = []
        for scale, figures in earlier["scales"].items():
            ours = self.results["scales"].setdefault(int(scale), {})
            for name, value in figures.items():
                if value and not ours.get(name):
                    ours[name] = value
                    kept.append(f"{name} ({scale}×)")
        if kept:
            self.results.setdefault("merged", []).append(
                {"started": earlier["started"], "command": earlier["command"], "kept": kept}
            )
            self.results["merged"] += earlier.get("merged", [])
            # What this run ran again speaks for itself: an earlier failure of it is gone.
            for kind in ("skipped", "errors"):
                self.results[kind] += [
                    line if "(run of " in line else f"{line} (run of {earlier['started']})"
                    for line in earlier.get(kind, [])
                    if line.split(":", 1)[0] not in self.ran
                ]

    def run(self):
        try:
            self.admin("SELECT 1")
        except psycopg.OperationalError as exc:
            raise SystemExit(f"PostgreSQL is not reachable at {self.base}: {exc}") from exc
        self.results["machine"] = self.machine()
        self.results["started"] = self.started.isoformat(timespec="seconds")
        self.results["command"] = self.args.command
        self.results["rounds"] = self.args.rounds
        if self.wanted("editorial") or self.wanted("throughput"):
            if self.args.no_wagtail:
                self.skip("Wagtail anchor", "--no-wagtail")
            else:
                print("== Wagtail anchor: bench/.wagtail-venv", flush=True)
                self.wagtail, reason = ensure_wagtail()
                if reason:
                    self.skip("Wagtail anchor", reason)
                else:
                    self.results["wagtail"] = subprocess.run(
                        [self.wagtail, "-c", "import wagtail; print(wagtail.__version__)"],
                        capture_output=True,
                        text=True,
                    ).stdout.strip()
        for scale in self.args.scales:
            self.scale(scale)
        self.results["finished"] = datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
        self.results["load_end"] = os.getloadavg()
        if self.args.merge:
            self.merge_earlier()
        (self.folder / "results.json").write_text(json.dumps(self.results, indent=1))
        (RESULTS / "latest.json").write_text(json.dumps(self.results, indent=1))
        if not self.args.no_write:
            report.write(BENCHMARKS_MD, report.markdown(self.results))
            print(f"== wrote {BENCHMARKS_MD.relative_to(ROOT)}", flush=True)
        print(report.goals_text(self.results), flush=True)
        return 1 if self.results["errors"] else 0


def rewrite():
    """Write BENCHMARKS.md again from the last run's figures (after a change of the report)."""
    results = json.loads((RESULTS / "latest.json").read_text())
    results["scales"] = {int(scale): figures for scale, figures in results["scales"].items()}
    report.write(BENCHMARKS_MD, report.markdown(results))
    print(f"== wrote {BENCHMARKS_MD.relative_to(ROOT)} from {RESULTS / 'latest.json'}")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=int, nargs="+", default=[1], help="e.g. 1 4 16")
    parser.add_argument("--rounds", type=int, default=5, help="rounds of every benchmark (≥ 5)")
    parser.add_argument("--duration", type=int, default=8, help="seconds of each wrk run")
    parser.add_argument("--only", nargs="+", choices=ALL, help="run only these benchmarks")
    parser.add_argument("--rebuild", action="store_true", help="build the data set again")
    parser.add_argument(
        "--import-workers",
        type=int,
        nargs="+",
        default=[2, 1],
        help="the import's process counts (default 2 1)",
    )
    parser.add_argument("--no-wagtail", action="store_true", help="leave the anchor out")
    parser.add_argument("--no-write", action="store_true", help="leave BENCHMARKS.md alone")
    parser.add_argument(
        "--merge",
        action="store_true",
        help="keep the last run's figures of what this run leaves out (e.g. with --only)",
    )
    parser.add_argument(
        "--rewrite", action="store_true", help="only write BENCHMARKS.md from the last figures"
    )
    args = parser.parse_args()
    if args.rewrite:
        return rewrite()
    args.command = os.environ.get("BENCH_COMMAND") or shlex.join(
        [".venv/bin/python", "bench/run.py", *sys.argv[1:]]
    )
    sys.exit(Run(args).run())


if __name__ == "__main__":
    main()
