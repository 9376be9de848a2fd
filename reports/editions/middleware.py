"""A refusal of the lifecycle is a message, never a server error.

Views call the lifecycle API and show its refusals themselves; this catches the ones no view
expected, chiefly the database's own (a hostile POST to a page that should not have been
offered, django-reversion's revert of a frozen row). The transaction has rolled back by the
time the exception gets here, so nothing was written.
"""

from django.contrib import messages
from django.http import HttpResponseRedirect
from django.urls import reverse

from .actions import WorkflowError
from .freeze import FrozenEdition


class RefusalMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, (FrozenEdition, WorkflowError)):
            return None
        messages.error(request, f"Nothing was saved: {exception}")
        if request.method == "POST":
            # Back to the page the form was on, as a GET.
            return HttpResponseRedirect(request.get_full_path())
        # A GET that was refused would be refused again: go back to the index.
        return HttpResponseRedirect(reverse("admin:index"))
