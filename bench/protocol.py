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


def timed(connection, function):
    """Milliseconds and queries of function(); returns (figures, its result)."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        start = time.perf_counter()
        result = function()
        ms = (time.perf_counter() - start) * 1000
    return {"ms": ms, "queries": len(captured)}, result
