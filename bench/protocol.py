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


PLACES = ("/reports/", "/sources/", "/reversion/", "/django/")
_profile = {"wanted": False, "rows": None}


def profile_next():
    """Profile the next timed() call; profiled_rows() then tells what it found."""
    _profile.update(wanted=True, rows=None)


def profiled_rows():
    return _profile["rows"]


def _profiled(function):
    """function() under cProfile; keeps the functions of PLACES with the most cumulative time,
    leaving out the wrappers that hold nearly all of it (the call chain down to the work)."""
    import cProfile
    import pstats

    profile = cProfile.Profile(time.perf_counter)
    result = profile.runcall(function)
    stats = pstats.Stats(profile)
    total = stats.total_tt
    rows = []
    for (filename, line, name), (_, calls, _, cumulative, _) in stats.stats.items():
        place = next((p for p in PLACES if p in filename), None)
        if place and cumulative < 0.9 * total:
            short = place.strip("/") + "/" + filename.split(place, 1)[1]
            rows.append(
                {"function": f"{short}:{line} {name}", "ms": cumulative * 1000, "calls": calls}
            )
    rows.sort(key=lambda row: -row["ms"])
    _profile["rows"] = {"total_ms": total * 1000, "functions": rows[:15]}
    return result


def timed(connection, function):
    """Milliseconds and queries of function(); returns (figures, its result)."""
    from django.test.utils import CaptureQueriesContext

    call = function
    if _profile["wanted"]:
        _profile["wanted"] = False
        call = lambda: _profiled(function)  # noqa: E731

    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = call()
        ms = (time.perf_counter() - start) * 1000
    return {"ms": ms, "queries": len(captured)}, result
