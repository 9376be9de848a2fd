"""How `bench/editorial.py` drives a measuring process (ours, or the Wagtail anchor's in its own
virtualenv): one JSON line a step on stdin, one JSON line of figures back. Plain Python, so
either virtualenv imports it. Anything else the process prints goes to stderr."""

import json
import os
import sys
import time
import traceback


def serve(steps, ready):
    """Answer {"step": name, "round": n} with steps[name](n) (a dict) until stdin closes."""
    channel = os.fdopen(os.dup(sys.stdout.fileno()), "w", buffering=1)
    sys.stdout = sys.stderr
    channel.write(json.dumps({"ready": ready}) + "\n")
    for line in sys.stdin:
        request = json.loads(line)
        try:
            answer = steps[request["step"]](request.get("round", 0))
        except Exception as exc:  # the driver reports it and stops both sides
            traceback.print_exc()
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        channel.write(json.dumps(answer) + "\n")


_profile = {"wanted": False, "rows": None}


def profile_next():
    """Profile the next timed() call; profiled_rows() then tells what it found."""
    _profile.update(wanted=True, rows=None)


def profiled_rows():
    return _profile["rows"]


def _profiled(function):
    """function() under pyinstrument: the call tree of the step, condensed to the frames
    that hold at least 3 % of its time (library frames folded into their caller)."""
    from pyinstrument import Profiler

    profiler = Profiler(interval=0.0005)
    profiler.start()
    try:
        result = function()
    finally:
        profiler.stop()
    session = profiler.last_session
    tree = profiler.output_text(unicode=False, color=False, show_all=False, time="seconds")
    lines = [line for line in tree.splitlines() if _share(line, session.duration) >= 0.03]
    _profile["rows"] = {"total_ms": session.duration * 1000, "tree": "\n".join(lines)}
    return result


def _share(line, total):
    """The share of the step a line of pyinstrument's text tree holds (0 for other lines)."""
    for word in line.replace("|", " ").replace("`-", " ").split():
        try:
            return float(word) / total if total else 0
        except ValueError:
            return 0
    return 0


def timed(connection, function):
    """Milliseconds and queries of function(); returns (figures, its result)."""
    from django.test.utils import CaptureQueriesContext

    call = function
    if _profile["wanted"]:
        _profile["wanted"] = False
        call = lambda: _profiled(function)  # noqa: E731

    backend_pid = _backend_pid(connection)
    with CaptureQueriesContext(connection) as captured:
        backend = _cpu_seconds(backend_pid)
        cpu = time.process_time()
        start = time.perf_counter()
        result = call()
        ms = (time.perf_counter() - start) * 1000
        cpu_ms = (time.process_time() - cpu) * 1000
        if backend is not None:
            backend = (_cpu_seconds(backend_pid) - backend) * 1000
    figures = {"ms": ms, "queries": len(captured), "cpu_ms": cpu_ms}
    if backend is not None:
        figures["db_cpu_ms"] = backend
    return figures, result


def _backend_pid(connection):
    if connection.vendor != "postgresql":
        return None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def _cpu_seconds(pid):
    """Seconds of CPU a process on this machine has used (None for none, or elsewhere): with
    the step's own CPU time, the PostgreSQL backend's says what the step costs whatever the
    machine's load, which inflates the wall-clock time on a shared machine."""
    if pid is None:
        return None
    try:
        # schedstat's first field: nanoseconds on a CPU (stat's ticks are 10 ms apart).
        with open(f"/proc/{pid}/schedstat") as schedstat:
            return int(schedstat.read().split()[0]) / 1e9
    except (OSError, ValueError, IndexError):
        return None
