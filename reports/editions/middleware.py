"""A refusal of the lifecycle is a message, never a server error.

Views call the lifecycle API and show its refusals themselves; this catches the ones no view
expected, chiefly the database's own (a hostile POST to a page that should not have been
offered, django-reversion's revert of a frozen row), and a transaction that lost a race for a
row lock (see RETRY). The transaction has rolled back by the time the exception gets here,
so nothing was written.
"""

from django.contrib import messages
from django.db import DatabaseError
from django.http import HttpResponseRedirect
from django.urls import reverse

from .actions import WorkflowError
from .freeze import FrozenEdition

# SQLSTATEs of a transaction that lost a race for a lock and was rolled back whole: a deadlock
# (every writer takes the profile, then the edition, so none is expected; this is the net),
# a serialization failure, a lock not granted within lock_timeout. Trying again is the answer.
RETRY = {"40P01", "40001", "55P03"}
RETRY_MESSAGE = (
    "Nothing was saved: someone else was changing the same edition at that moment. Try again."
)
# A unique value the form checked was taken by someone else's save meanwhile (two people
# giving a section the same position at once).
CLASH = {"23505"}
CLASH_MESSAGE = (
    "Nothing was saved: someone else saved the same position or number in this edition at "
    "that moment. Reload the page and try again."
)


def lost_a_race(exception, sqlstates=RETRY):
    """Whether the exception, or one it was raised from, has one of `sqlstates` (by default
    a lock conflict)."""
    seen = set()
    while exception is not None and id(exception) not in seen:
        seen.add(id(exception))
        if getattr(exception, "sqlstate", None) in sqlstates:
            return True
        exception = exception.__cause__ or exception.__context__
    return False


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, (FrozenEdition, WorkflowError)):
            messages.error(request, f"Nothing was saved: {exception}")
        elif isinstance(exception, DatabaseError) and lost_a_race(exception):
            messages.error(request, RETRY_MESSAGE)
        elif (
            request.method == "POST"
            and isinstance(exception, DatabaseError)
            and lost_a_race(exception, CLASH)
        ):
            messages.error(request, CLASH_MESSAGE)
        else:
            return None
        if request.method == "POST":
            # Back to the page the form was on, as a GET.
            return HttpResponseRedirect(request.get_full_path())
        # A GET that was refused would be refused again: go back to the index.
        return HttpResponseRedirect(reverse("admin:index"))
