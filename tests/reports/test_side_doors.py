"""The editorial guarantee tried as a hostile user would: every way around the workflow
buttons (django-reversion's own pages on content rows, the add pages of content rows, moving
a row between editions, citations of published notes, approving one's own text) is refused
with a message, and nothing changes."""

import pytest
import reversion
from django.contrib.messages import get_messages
from django.urls import reverse
from reversion.models import Version

from reports.editions import workflow
from reports.editions.freeze import lifecycle
from reports.models import Edition, OverviewFact, Section
from sources.models import Citation, Footnote
from tests.builders import make_edition, make_profile, make_source

pytestmark = pytest.mark.django_db

S = Edition.State


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def published_through_the_workflow(researcher, editor, publisher):
    """A published edition whose history holds a draft revision of it (as every real one has)."""
    draft = workflow.start_draft(make_profile(), researcher)
    with reversion.create_revision():
        reversion.set_user(researcher)
        Section.objects.create(edition=draft, position=1, heading="Policy", body="Draft text.")
        reversion.add_to_revision(draft)
    with reversion.create_revision():
        reversion.set_user(researcher)
        section = draft.sections.get()
        section.body = "Final text."
        section.save()
        reversion.add_to_revision(draft)
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    return workflow.publish(draft, publisher)


def section_version(edition, body):
    section_versions = Version.objects.get_for_model(Section)
    return next(v for v in section_versions if v.field_dict["body"] == body)


# --- 1. reverting through django-reversion's own pages -------------------------------------


def test_reversions_revision_page_of_a_section_cannot_put_a_published_edition_back(
    client, researcher, editor, publisher
):
    edition = published_through_the_workflow(researcher, editor, publisher)
    section = edition.sections.get()
    old = section_version(edition, "Draft text.")
    url = reverse("admin:reports_section_revision", args=[section.pk, old.pk])
    client.force_login(researcher)

    for response in (
        client.get(url),
        client.post(
            url, {"edition": edition.pk, "position": 1, "heading": "Policy", "body": "Draft text."}
        ),
    ):
        assert response.status_code in (302, 403), response.status_code

    edition.refresh_from_db()
    assert edition.state == S.PUBLISHED
    assert edition.sections.get().body == "Final text."
    assert not edition.events.filter(from_state=S.PUBLISHED).exclude(action="supersede").exists()


def test_reversions_recover_page_cannot_add_a_deleted_row_to_a_published_edition(
    client, researcher, editor, publisher
):
    draft = workflow.start_draft(make_profile(), researcher)
    with reversion.create_revision():
        reversion.set_user(researcher)
        Section.objects.create(edition=draft, position=1, heading="Policy", body="Kept.")
        stray = Section.objects.create(edition=draft, position=2, heading="Stray", body="Gone.")
        reversion.add_to_revision(draft)
    stray.delete()
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    edition = workflow.publish(draft, publisher)
    deleted = Version.objects.get_deleted(Section).get()
    url = reverse("admin:reports_section_recover", args=[deleted.pk])
    client.force_login(researcher)

    for response in (client.get(url), client.post(url, {})):
        assert response.status_code in (302, 403), response.status_code

    edition.refresh_from_db()
    assert edition.state == S.PUBLISHED
    assert list(edition.sections.values_list("heading", flat=True)) == ["Policy"]


# --- 3. content added after approval --------------------------------------------------------


@pytest.mark.parametrize("state", [S.IN_REVIEW, S.APPROVED])
def test_the_add_pages_of_content_rows_refuse_an_edition_under_review(client, researcher, state):
    edition = make_edition(state=state)
    footnote = edition.footnotes.get()
    client.force_login(researcher)
    posts = {
        "section": {"edition": edition.pk, "position": 5, "heading": "Late", "body": "Added."},
        "overviewfact": {"edition": edition.pk, "position": 5, "label": "Late", "value": "x"},
        "footnote": {
            "edition": edition.pk,
            "number": 5,
            "text": "Late note.",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    }
    for model, data in posts.items():
        app = "sources" if model == "footnote" else "reports"
        response = client.post(reverse(f"admin:{app}_{model}_add"), data)
        assert response.status_code == 200, (model, response.status_code)
        assert response.context["errors"], model
    source = make_source()
    response = client.post(
        reverse("admin:sources_citation_add"),
        {"footnote": footnote.pk, "source": source.pk, "position": 3, "locator": ""},
    )
    assert response.status_code == 200 and response.context["errors"]
    assert edition.sections.count() == 1
    assert edition.overview_facts.count() == 1
    assert edition.footnotes.count() == 1
    assert footnote.citations.count() == 1


def test_a_row_of_ones_own_draft_cannot_be_moved_onto_an_approved_edition(client, researcher):
    approved = make_edition(state=S.APPROVED)
    draft = workflow.start_draft(make_profile(), researcher)
    section = Section.objects.create(edition=draft, position=1, heading="Mine", body="Unreviewed.")
    client.force_login(researcher)

    response = client.post(
        reverse("admin:reports_section_change", args=[section.pk]),
        {"edition": approved.pk, "position": 7, "heading": "Mine", "body": "Unreviewed."},
    )

    assert response.status_code == 200 and response.context["errors"]
    assert Section.objects.get(pk=section.pk).edition == draft
    assert approved.sections.count() == 1


def test_publishing_refuses_content_changed_since_its_approval(researcher, editor, publisher):
    draft = workflow.start_draft(make_profile(), researcher)
    Section.objects.create(edition=draft, position=1, heading="Policy", body="Approved text.")
    workflow.submit(draft, researcher)
    workflow.approve(draft, editor)
    with lifecycle():  # behind every guard: only the fingerprint can notice
        Section.objects.filter(edition=draft).update(body="Text nobody approved.")

    with pytest.raises(workflow.WorkflowError, match="not what was approved"):
        workflow.publish(draft, publisher)
    assert Edition.objects.get(pk=draft.pk).state == S.APPROVED


# --- 5. a citation added to a published footnote ---------------------------------------------


def test_adding_a_citation_to_a_published_footnote_is_a_message_not_a_server_error(client, editor):
    edition = make_edition(state=S.PUBLISHED)
    footnote = edition.footnotes.get()
    source = make_source()
    client.force_login(editor)

    response = client.post(
        reverse("admin:sources_citation_add"),
        {"footnote": footnote.pk, "source": source.pk, "position": 4, "locator": "p. 2"},
    )

    assert response.status_code == 200
    assert response.context["errors"]
    assert footnote.citations.count() == 1
    assert not Citation.objects.filter(source=source).exists()


def test_even_a_superuser_cannot_delete_a_published_editions_row_in_the_admin(client, superuser):
    """The page refuses before the database would."""
    edition = make_edition(state=S.PUBLISHED)
    fact = edition.overview_facts.get()
    client.force_login(superuser)
    url = reverse("admin:reports_overviewfact_delete", args=[fact.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code in (302, 403)
    assert OverviewFact.objects.filter(pk=fact.pk).exists()


# --- 6. second pair of eyes -----------------------------------------------------------------


def test_nobody_approves_text_they_wrote_even_when_someone_else_submitted_it(
    client, researcher, editor, make_user
):
    draft = workflow.start_draft(make_profile(), researcher)
    with reversion.create_revision():
        reversion.set_user(editor)  # the editor writes part of the text …
        Section.objects.create(edition=draft, position=1, heading="Policy", body="Editor's.")
        reversion.add_to_revision(draft)
    workflow.submit(draft, researcher)  # … and the researcher submits it

    with pytest.raises(workflow.WorkflowError, match="someone else must approve"):
        workflow.approve(draft, editor)
    assert Edition.objects.get(pk=draft.pk).state == S.IN_REVIEW
    client.force_login(editor)
    page = client.get(reverse("admin:reports_edition_change", args=[draft.pk]))
    assert "approve" not in [action.name for action in page.context["workflow_actions"]]

    other_editor = make_user("editor2", "Editor")
    assert workflow.approve(draft, other_editor).state == S.APPROVED


def test_changes_made_before_the_edition_was_sent_back_do_not_bar_the_reviewer(researcher, editor):
    draft = workflow.start_draft(make_profile(), researcher)
    with reversion.create_revision():
        reversion.set_user(editor)
        Section.objects.create(edition=draft, position=1, heading="Policy", body="Editor's.")
        reversion.add_to_revision(draft)
    workflow.submit(draft, researcher)
    workflow.request_changes(draft, editor, "Rewrite it yourself")
    with reversion.create_revision():
        reversion.set_user(researcher)
        section = draft.sections.get()
        section.body = "Researcher's."
        section.save()
        reversion.add_to_revision(draft)
    workflow.submit(draft, researcher)

    assert workflow.approve(draft, editor).state == S.APPROVED


def test_editing_a_footnote_on_its_own_page_counts_as_changing_the_edition(
    client, researcher, editor
):
    draft = workflow.start_draft(make_profile(), researcher)
    Section.objects.create(edition=draft, position=1, heading="Policy", body="Text.[1]")
    footnote = Footnote.objects.create(edition=draft, number=1, text="Note.")
    client.force_login(editor)
    response = client.post(
        reverse("admin:sources_footnote_change", args=[footnote.pk]),
        {
            "edition": draft.pk,
            "number": 1,
            "text": "Note, as the editor rewrote it.",
            "citations-TOTAL_FORMS": "0",
            "citations-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 302
    workflow.submit(draft, researcher)

    with pytest.raises(workflow.WorkflowError, match="someone else must approve"):
        workflow.approve(draft, editor)


def test_the_edition_chooser_of_a_content_row_offers_only_editable_editions(client, researcher):
    draft = make_edition()
    approved = make_edition(state=S.APPROVED)
    client.force_login(researcher)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "reports", "model_name": "section", "field_name": "edition", "term": ""},
    )
    offered = {int(row["id"]) for row in response.json()["results"]}
    assert draft.pk in offered and approved.pk not in offered


def test_a_unique_value_taken_by_a_colleague_meanwhile_is_a_message(rf):
    """Two people give a section the same position at once: the form checked it free, the
    database refuses the second save; the person is told, not shown a server error."""
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.signed_cookies import SessionStore
    from django.db import IntegrityError

    from reports.editions.middleware import CLASH_MESSAGE, RefusalMiddleware

    class UniqueViolation(Exception):
        sqlstate = "23505"

    request = rf.post("/admin/reports/section/1/change/")
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    try:
        raise IntegrityError("duplicate key") from UniqueViolation()
    except IntegrityError as exc:
        response = RefusalMiddleware(lambda r: None).process_exception(request, exc)

    assert response.status_code == 302 and response["Location"] == request.path
    assert [str(m) for m in request._messages] == [CLASH_MESSAGE]
