"""The editorial dashboard: one click from the admin index, lists with counts, fixed queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from reports.editions import workflow
from reports.models import Edition
from tests.builders import make_edition, make_profile

pytestmark = pytest.mark.django_db

S = Edition.State
DASHBOARD = "admin:reports_edition_dashboard"


def fill(researcher, editor, count):
    for _ in range(count):
        workflow.start_draft(make_profile(), researcher)
        workflow.submit(workflow.start_draft(make_profile(), researcher), researcher)
        changes = workflow.submit(workflow.start_draft(make_profile(), researcher), researcher)
        workflow.request_changes(changes, editor, "More sources")
        make_edition(state=S.APPROVED, publish_at=timezone.now() + datetime.timedelta(days=1))
        make_edition(state=S.PUBLISHED)


def panel(response, name):
    return next(p for p in response.context["panels"] if p["name"] == name)


def test_the_admin_index_links_to_the_dashboard(client, researcher):
    client.force_login(researcher)
    assert reverse(DASHBOARD) in client.get(reverse("admin:index")).text


def test_the_dashboard_lists_each_kind_with_counts(client, researcher, editor):
    fill(researcher, editor, 2)
    client.force_login(editor)
    response = client.get(reverse(DASHBOARD))
    assert response.status_code == 200
    assert panel(response, "awaiting_review")["count"] == 2
    assert panel(response, "changes_requested")["count"] == 2
    assert panel(response, "approved")["count"] == 2
    assert panel(response, "recently_published")["count"] == 2
    assert panel(response, "my_drafts")["count"] == 0
    client.force_login(researcher)
    response = client.get(reverse(DASHBOARD))
    assert panel(response, "my_drafts")["count"] == 4  # drafts and changes requested
    assert panel(response, "awaiting_review")["title"] == "My editions in review"


def test_nobody_reviews_their_own_submission_from_the_dashboard(client, editor):
    workflow.submit(workflow.start_draft(make_profile(), editor), editor)
    client.force_login(editor)
    assert panel(client.get(reverse(DASHBOARD)), "awaiting_review")["count"] == 0


def test_the_dashboard_runs_a_fixed_number_of_queries(
    client, researcher, editor, django_assert_max_num_queries
):
    client.force_login(editor)
    fill(researcher, editor, 1)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as few:
        client.get(reverse(DASHBOARD))
    fill(researcher, editor, 15)
    with django_assert_max_num_queries(len(few)):
        response = client.get(reverse(DASHBOARD))
    assert panel(response, "awaiting_review")["count"] == 16
    assert len(few) <= 12


def test_staff_without_a_role_cannot_see_the_dashboard(client, staff_without_role):
    client.force_login(staff_without_role)
    assert client.get(reverse(DASHBOARD)).status_code == 403
