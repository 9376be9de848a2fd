"""Editorial writes side by side with Wagtail: save with a revision, publish, uncached render.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_steps \
    WAGTAIL_DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench_wagtail \
        .venv/bin/python bench/editorial.py --rounds 7 \
        --wagtail-python bench/.wagtail-venv/bin/python

Two measuring processes, each on its own database with the same generated profile (12
sections, 150 footnotes each citing a source; bench/content.py): ours (bench/editorial_ours.py)
and, given --wagtail-python, the Wagtail anchor's (bench/wagtail/worker.py, in its own
virtualenv; bench/wagtail_anchor.py installs it). Each round takes ours through start → save
→ admin POST → submit → request changes → submit → approve → publish → render and Wagtail
through save_revision → publish → render, the paired steps back to back, who goes first
alternating round by round, so a burst of load on a shared machine hits both alike. One
warm-up round is left out. Prints min / median / max milliseconds and queries of each step,
and the ratios.
"""

import argparse
import json
import os
import select
import statistics
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
STEP_TIMEOUT = 300  # seconds: a step slower than this is a hung worker

# (row, our step, Wagtail's step); None where one side has no such step.
PLAN = [
    ("start draft", "start", None),
    ("save with its revision", "save", "save_revision"),
    ("admin edit form POST", "admin_post", None),
    ("submit", "submit", None),
    ("request changes", "request_changes", None),
    ("submit again", "submit", None),
    ("approve", "approve", None),
    ("publish", "publish", "publish"),
    ("uncached render", "render", "render"),
]


class Worker:
    def __init__(self, name, command, cwd, env):
        self.name = name
        self.process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        self.ready = self._read(timeout=900)["ready"]

    def _read(self, timeout=STEP_TIMEOUT):
        readable, _, _ = select.select([self.process.stdout], [], [], timeout)
        line = self.process.stdout.readline() if readable else ""
        if not line:
            raise SystemExit(f"{self.name}: no answer (exit code {self.process.poll()})")
        answer = json.loads(line)
        if "error" in answer:
            raise SystemExit(f"{self.name}: {answer['error']}")
        return answer

    def run(self, step, round_):
        self.process.stdin.write(json.dumps({"step": step, "round": round_}) + "\n")
        self.process.stdin.flush()
        return self._read()

    def stop(self):
        if self.process.poll() is None:
            self.process.stdin.close()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


def summary(samples):
    times = [s["ms"] for s in samples]
    return {
        "min": min(times),
        "median": statistics.median(times),
        "max": max(times),
        "queries": samples[-1]["queries"],
        "rounds": len(times),
        # The step's CPU, its own and its PostgreSQL backend's: what it costs on a quiet
        # machine, where the wall-clock time of a loaded one includes waiting for a core.
        **{
            f"{name}_median": statistics.median(s[name] for s in samples)
            for name in ("cpu_ms", "db_cpu_ms")
            if all(name in s for s in samples)
        },
        **({"bytes": samples[-1]["bytes"]} if "bytes" in samples[-1] else {}),
    }


PROFILED = ["save", "admin_post", "publish"]


def measure(rounds, wagtail_python=None, profile=False):
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "bench.public_settings"}
    env.setdefault("SECRET_KEY", "benchmark-only-secret-key")
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=env,
        cwd=ROOT,
        check=True,
    )
    workers = {}
    try:
        workers["ours"] = Worker(
            "ours", [sys.executable, str(HERE / "editorial_ours.py")], ROOT, env
        )
        if wagtail_python:
            wagtail_env = {
                k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)
            }
            workers["wagtail"] = Worker(
                "wagtail",
                [str(Path(wagtail_python).absolute()), str(HERE / "wagtail" / "worker.py")],
                HERE / "wagtail",
                wagtail_env,
            )
        samples = {(side, row): [] for row, *_ in PLAN for side in ("ours", "wagtail")}
        for round_ in range(rounds + 1):  # round 0 warms up
            for row, ours, theirs in PLAN:
                pair = [("ours", ours), ("wagtail", theirs)]
                if round_ % 2:
                    pair.reverse()
                for side, step in pair:
                    if step is None or side not in workers:
                        continue
                    figures = workers[side].run(step, round_)
                    if round_:
                        samples[(side, row)].append(figures)
            if round_:
                print(f"round {round_}/{rounds} done", file=sys.stderr, flush=True)
        profiles = {}
        if profile:  # one more round of ours, the slow steps under pyinstrument
            for _, step, _ in PLAN:
                name = f"profile {step}" if step in PROFILED else step
                answer = workers["ours"].run(name, rounds + 1)
                if step in PROFILED:
                    profiles[step] = answer["profile"]
    finally:
        for worker in workers.values():
            worker.stop()
    results = {
        "rounds": rounds,
        "content": workers["ours"].ready,
        "steps": {},
        "profiles": profiles,
    }
    for row, *_ in PLAN:
        entry = {"ours": summary(samples[("ours", row)])}
        if samples[("wagtail", row)]:
            entry["wagtail"] = summary(samples[("wagtail", row)])
            entry["ratio"] = entry["ours"]["median"] / entry["wagtail"]["median"]
        results["steps"][row] = entry
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--wagtail-python", help="python of the Wagtail anchor's virtualenv")
    parser.add_argument(
        "--profile", action="store_true", help="then profile our save, admin POST and publish"
    )
    parser.add_argument("--json", action="store_true", help="end with the figures as JSON")
    args = parser.parse_args()
    results = measure(args.rounds, args.wagtail_python, args.profile)
    print(f"{'step':<24} {'side':<8} {'queries':>7} {'min ms':>8} {'median':>8} {'max':>8}")
    for row, entry in results["steps"].items():
        for side in ("ours", "wagtail"):
            if side in entry:
                f = entry[side]
                print(
                    f"{row:<24} {side:<8} {f['queries']:>7} {f['min']:>8.1f} "
                    f"{f['median']:>8.1f} {f['max']:>8.1f}"
                )
        if "ratio" in entry:
            print(f"{'':<24} ours / Wagtail (medians): {entry['ratio']:.2f}")
    for step, found in results["profiles"].items():
        print(f"\n{step} under pyinstrument, {found['total_ms']:.0f} ms:")
        print(found["tree"])
    if args.json:
        print(json.dumps(results))


if __name__ == "__main__":
    main()
