"""The editorial experience in the admin (issue 12): withdraw asks and never strands a
profile, revert stays within its edition, text is normalised, save and submit is one post,
content checks, the reviewer's comment, the profile page, renumbering, e-mail links."""

import datetime
import importlib
import os
import subprocess
import sys
from types import SimpleNamespace

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core import mail, serializers
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from reversion.models import Revision, Version

from monitor.roles import RESEARCHER
from reports.citations import citation_problems
from reports.editions import workflow
from reports.editions.freeze import FrozenEdition, lifecycle
from reports.importer.citations import split_citations
from reports.models import EditingLock, Edition, Section
from tests.builders import (
    approve_as_fixture,
    make_country,
    make_edition,
    make_profile,
    make_source,
    make_topic,
)
from tests.reports.test_revisions import management_forms

pytestmark = pytest.mark.django_db

S = Edition.State


def change_url(edition):
    return reverse("admin:reports_edition_change", args=[edition.pk])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def published_with_previous():
    profile = make_profile(make_country("Kazakhstan"), make_topic("Mine Ban Policy"))
    old = make_edition(
        profile,
        state=S.SUPERSEDED,
        sections=[("Policy", "Old wording of 2019.[1]")],
        last_updated=datetime.date(2019, 12, 18),
    )
    new = make_edition(
        profile,
        state=S.PUBLISHED,
        sections=[("Policy", "New wording of 2020.[1]")],
        last_updated=datetime.date(2020, 11, 2),
    )
    return profile, old, new


# --- 1. withdraw --------------------------------------------------------------------------


def test_withdraw_asks_for_a_reason_on_a_confirmation_page(client, publisher):
    profile, old, new = published_with_previous()
    client.force_login(publisher)
    page = client.get(change_url(new))
    confirm = reverse("admin:reports_edition_withdraw", args=[new.pk])
    assert confirm in page.text
    form = client.get(confirm)
    assert form.status_code == 200
    assert 'name="comment"' in form.text and 'value="restore"' in form.text
    assert "18 December 2019" in form.text  # the edition that comes back

    refused = client.post(confirm, {"comment": "", "after": "restore"})
    assert refused.status_code == 200 and "a comment is required" in refused.text
    assert Edition.objects.get(pk=new.pk).state == S.PUBLISHED

    done = client.post(confirm, {"comment": "Wrong figures", "after": "restore"})
    assert done.status_code == 302
    assert "current again" in messages_of(done)[0]
    assert Edition.objects.get(pk=new.pk).state == S.WITHDRAWN
    assert Edition.objects.get(pk=old.pk).state == S.PUBLISHED
    public = client.get(profile.get_absolute_url())
    assert public.status_code == 200 and "Old wording of 2019." in public.text
    assert (
        new.events.get(action="withdraw").comment
        == f"Withdrawn: Wrong figures (#{old.pk} is current again)"
    )


def test_taking_a_profile_offline_answers_410_with_a_notice(client, publisher):
    profile, old, new = published_with_previous()
    client.force_login(publisher)
    confirm = reverse("admin:reports_edition_withdraw", args=[new.pk])
    client.post(confirm, {"comment": "Legal review", "after": "offline"})
    assert Edition.objects.get(pk=old.pk).state == S.SUPERSEDED
    client.logout()
    page = client.get(profile.get_absolute_url())
    assert page.status_code == 410
    assert "withdrawn" in page.text and "New wording" not in page.text
    assert "2019" in page.text  # the archive is still linked


def test_a_profile_whose_only_edition_was_withdrawn_answers_410(client, publisher):
    edition = make_edition(state=S.PUBLISHED)
    workflow.withdraw(edition, publisher, "Published by mistake")
    assert client.get(edition.profile.get_absolute_url()).status_code == 410
    never = make_profile()
    assert client.get(never.get_absolute_url()).status_code == 404


def test_the_next_draft_after_taking_a_profile_offline_is_a_copy_not_empty(client, publisher):
    profile, old, new = published_with_previous()
    workflow.withdraw(new, publisher, "Legal review", restore_previous=False)
    draft = workflow.start_draft(profile, publisher)
    assert draft.based_on_id == new.pk
    assert list(draft.sections.values_list("body", flat=True)) == ["New wording of 2020.[1]"]
    assert draft.footnotes.count() == 1


def test_the_user_chooses_which_edition_the_next_draft_copies(client, publisher):
    profile, old, new = published_with_previous()
    workflow.withdraw(new, publisher, "Wrong figures")  # the 2019 one is current again
    client.force_login(publisher)
    page = client.get(change_url(new))
    assert "Start a new draft from this edition" in page.text
    response = client.post(reverse("admin:reports_edition_start_draft", args=[new.pk]))
    draft = Edition.objects.get(profile=profile, state=S.DRAFT)
    assert response.url == change_url(draft)
    assert draft.based_on_id == new.pk
    assert draft.sections.get().body == "New wording of 2020.[1]"
    # by default a draft copies the current edition, the restored one
    Edition.objects.filter(pk=draft.pk).delete()
    assert workflow.start_draft(profile, publisher).sections.get().body == (
        "Old wording of 2019.[1]"
    )


# --- 3. revert ----------------------------------------------------------------------------


def test_revert_shows_what_will_change_and_asks_first(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client.force_login(researcher)
    with reversion.create_revision():
        Section.objects.create(edition=edition, position=1, heading="Policy", body="First text.")
        reversion.add_to_revision(edition)
    first = workflow.edition_versions(edition).first().revision_id
    with reversion.create_revision():
        Section.objects.filter(edition=edition).update(body="Second text.")
        reversion.add_to_revision(edition)
    history = client.get(reverse("admin:reports_edition_history", args=[edition.pk]))
    url = reverse("admin:reports_edition_revert", args=[edition.pk, first])
    assert url in history.text
    page = client.get(url)
    assert page.status_code == 200
    assert "<del>Second</del>" in page.text and "<ins>First</ins>" in page.text
    assert edition.sections.get().body == "Second text."  # asking changes nothing
    done = client.post(url)
    assert done.status_code == 302 and done.url == change_url(edition)
    assert edition.sections.get().body == "First text."


def _old_format_revision(*rows):
    """A revision as written before editions were stored whole: each row a json Version."""
    revision = Revision.objects.create(date_created=timezone.now(), comment="Demo data")
    for row in rows:
        Version.objects.create(
            revision=revision,
            content_type=ContentType.objects.get_for_model(row),
            object_id=str(row.pk),
            db="default",
            format="json",
            serialized_data=serializers.serialize("json", [row]),
            object_repr=str(row),
        )
    return revision


def test_revert_to_a_revision_holding_other_editions_touches_only_its_own(client, researcher):
    other = make_edition(state=S.PUBLISHED, sections=[("Policy", "Someone else's text.[1]")])
    draft = make_edition(sections=[("Policy", "Original text.[1]")])
    revision = _old_format_revision(
        other,
        *other.sections.all(),
        *other.footnotes.all(),
        draft,
        *draft.sections.all(),
        *draft.footnotes.all(),
    )
    # The draft's section is replaced by a new row at the same position since.
    draft.sections.all().delete()
    Section.objects.create(edition=draft, position=1, heading="Policy", body="Rewritten.[1]")
    client.force_login(researcher)
    url = reverse("admin:reports_edition_revert", args=[draft.pk, revision.pk])
    assert "<ins>Original" in client.get(url).text
    response = client.post(url)
    assert response.status_code == 302
    assert list(draft.sections.values_list("body", flat=True)) == ["Original text.[1]"]
    assert list(other.sections.values_list("body", flat=True)) == ["Someone else's text.[1]"]
    assert Edition.objects.get(pk=other.pk).state == S.PUBLISHED


def test_a_revert_that_is_refused_is_a_message_never_an_error_page(client, researcher, editor):
    edition = workflow.start_draft(make_profile(), researcher)
    revision = workflow.edition_versions(edition).first().revision_id
    workflow.submit(edition, researcher)
    client.force_login(editor)
    url = reverse("admin:reports_edition_revert", args=[edition.pk, revision])
    for response in (client.get(url), client.post(url)):
        assert response.status_code == 302
        assert "Only drafts can be reverted" in messages_of(response)[0]
    stranger = reverse("admin:reports_edition_revert", args=[edition.pk, 999999])
    assert "not one of this edition's" in " ".join(messages_of(client.get(stranger)))


# --- 5. text normalised at the model layer ------------------------------------------------


def form_data(response):
    """Everything the change form holds, as a browser posts it back: CRLF line endings."""
    form = response.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    data.update(management_forms(response.context))
    return {
        name: value.replace("\n", "\r\n") if isinstance(value, str) else value
        for name, value in data.items()
    }


def test_every_writer_stores_text_normalised():
    edition = make_edition(sections=[])
    raw = "First paragraph.  \r\n\r\nCafe\u0301 line.\t\r\n\r\n"
    section = Section.objects.create(edition=edition, position=1, heading="Policy ", body=raw)
    assert section.body == "First paragraph.\n\nCafé line."
    assert section.heading == "Policy"
    Section.objects.bulk_create([Section(edition=edition, position=2, body=raw)])
    Section.objects.filter(edition=edition, position=1).update(body="Updated \r\ntext")
    assert dict(edition.sections.values_list("position", "body")) == {
        1: "Updated\ntext",
        2: "First paragraph.\n\nCafé line.",
    }


def test_saving_an_unchanged_form_from_a_browser_records_nothing(client, researcher):
    edition = make_edition(
        sections=[("Policy", "First paragraph.[1]\n\nSecond paragraph.")],
        summary="Key developments.\n\nMore.",
    )
    client.force_login(researcher)
    url = change_url(edition)
    data = form_data(client.get(url))
    assert "\r\n" in data["sections-0-body"]
    response = client.post(url, data)
    assert response.status_code == 302
    assert "Nothing changed" in " ".join(messages_of(response))
    assert not Version.objects.get_for_object(edition).exists()
    assert Edition.objects.get(pk=edition.pk).version == edition.version
    # A real change is saved, normalised, as one revision.
    data["sections-0-body"] = "First paragraph, amended.[1]\r\n\r\nSecond paragraph.  "
    client.post(url, data)
    assert edition.sections.get().body == "First paragraph, amended.[1]\n\nSecond paragraph."
    assert Version.objects.get_for_object(edition).count() == 1


def test_the_data_migration_normalises_stored_text_and_keeps_approvals(publisher):
    from django.apps import apps
    from django.db import transaction

    published = make_edition(state=S.PUBLISHED, sections=[])
    approved = make_edition(state=S.IN_REVIEW, sections=[])
    with lifecycle(), connection.cursor() as cursor:
        for edition in (published, approved):
            cursor.execute(
                "INSERT INTO reports_section (edition_id, position, heading, body) "
                "VALUES (%s, 1, 'Policy', %s)",
                [edition.pk, "Has not acceded.[1]  \r\n\r\nVoted yes.\r\n"],
            )
        approved_now = Edition.objects.get(pk=approved.pk)
        Edition.objects.filter(pk=approved.pk).update(state=S.APPROVED)
        approve_as_fixture(approved_now)

    migration = importlib.import_module("reports.migrations.0012_editing_lock_normalised_text")
    # forward() needs only the connection of its schema editor (SQLite's may not open here).
    migration.forward(apps, SimpleNamespace(connection=connection))

    for edition in (published, approved):
        assert edition.sections.get().body == "Has not acceded.[1]\n\nVoted yes."
    # The freeze is back in force, and the approval still matches the content.
    with pytest.raises(FrozenEdition), transaction.atomic():
        Section.objects.filter(edition=published).update(body="Changed.")
    workflow.publish(Edition.objects.get(pk=approved.pk), publisher)
    assert Edition.objects.get(pk=approved.pk).state == S.PUBLISHED


# --- 4. save and submit -------------------------------------------------------------------


def test_save_and_submit_saves_what_was_typed_then_submits(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client.force_login(researcher)
    url = change_url(edition)
    page = client.get(url)
    assert 'form="edition_form" name="_workflow" value="submit"' in page.text
    assert "unsaved-changes.js" in page.text
    data = form_data(page)
    data["summary"] = "Typed and never saved on its own."
    data["_workflow"] = "submit"
    data["workflow_comment"] = "Ready for review"
    response = client.post(url, data)
    assert response.status_code == 302 and response.url == url
    assert "Saved; submitted for review: the edition is now in review." in messages_of(response)
    edition.refresh_from_db()
    assert edition.state == S.IN_REVIEW
    assert edition.summary == "Typed and never saved on its own."
    event = edition.events.get(action="submit")
    assert event.comment == "Submitted for review: Ready for review"
    # The submission refers to the revision that holds the typed text.
    assert event.revision_id == workflow.edition_versions(edition).first().revision_id


def test_save_and_submit_with_an_invalid_form_saves_and_submits_nothing(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client.force_login(researcher)
    url = change_url(edition)
    data = form_data(client.get(url))
    data["summary"] = "Typed."
    data["last_updated"] = "not a date"
    data["_workflow"] = "submit"
    response = client.post(url, data)
    assert response.status_code == 200  # the form again, with the input and the error
    assert "Typed." in response.text
    edition.refresh_from_db()
    assert edition.state == S.DRAFT and edition.summary == ""


# --- 2. content checks --------------------------------------------------------------------


def test_an_edition_without_text_is_listed_and_not_approved(client, researcher, editor):
    edition = workflow.start_draft(make_profile(), researcher)
    with lifecycle():
        Section.objects.create(edition=edition, position=1, heading="Policy", body="")
    workflow.submit(edition, researcher)
    client.force_login(editor)
    page = client.get(change_url(edition))
    assert "The edition has no text: no section has a body." in page.text
    response = client.post(
        reverse("admin:reports_edition_workflow", args=[edition.pk, "approve"]), follow=True
    )
    assert "Approval refused" in response.text
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_a_heading_without_text_and_an_empty_footnote_refuse_approval(researcher, editor):
    edition = make_edition(
        sections=[("Policy", "Has not acceded.[1]"), ("Stockpiles", "  \n")],
        footnotes=[("Letter, 4 May 2004.",), ("",)],
    )
    with lifecycle():
        Section.objects.filter(edition=edition, position=1).update(body="Has not acceded.[1][2]")
    workflow.submit(edition, researcher)
    with pytest.raises(workflow.CitationErrors) as refused:
        workflow.approve(edition, editor)
    assert [(p.kind, p.where) for p in refused.value.problems] == [
        ("empty_section", "Section 2 “Stockpiles”"),
        ("empty_footnote", "Notes"),
    ]
    assert "Footnote 2 has no text." in str(refused.value)


# --- 6. the reviewer's comment ------------------------------------------------------------


def test_a_request_for_changes_shows_on_top_of_the_page_and_on_the_dashboard(
    client, researcher, editor
):
    edition = make_edition()
    workflow.submit(edition, researcher)
    workflow.request_changes(edition, editor, "Cite the 2018 vote in note 1.")
    client.force_login(researcher)
    page = client.get(change_url(edition)).text
    top = page.index('id="change-request"')
    assert top < page.index('id="workflow"') < page.index('id="edition_form"')
    assert "Changes requested by editor on" in page
    assert "Cite the 2018 vote in note 1." in page[top : page.index('id="workflow"')]
    dashboard = client.get(reverse("admin:reports_edition_dashboard")).text
    assert "by editor," in dashboard and "“Cite the 2018 vote in note 1.”" in dashboard
    # Resubmitted: the request no longer heads the page.
    workflow.submit(edition, researcher)
    assert 'id="change-request"' not in client.get(change_url(edition)).text


# --- 12. smaller things -------------------------------------------------------------------


def test_a_withheld_approve_button_says_why(client, editor):
    edition = make_edition()
    workflow.submit(edition, editor)
    client.force_login(editor)
    page = client.get(change_url(edition)).text
    assert "<strong>Approve</strong> is not offered: You submitted this edition" in page


def test_schedule_times_name_their_time_zone(client, publisher):
    edition = make_edition(state=S.APPROVED)
    client.force_login(publisher)
    assert "UTC time" in client.get(change_url(edition)).text
    at = (timezone.now() + datetime.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("admin:reports_edition_workflow", args=[edition.pk, "schedule"]), {"at": at}
    )
    assert "UTC" in messages_of(response)[0]
    assert "(UTC)" in client.get(change_url(edition)).text


def test_messages_say_where_the_edition_is_now(client, researcher, editor):
    edition = make_edition()
    workflow.submit(edition, researcher)
    client.force_login(editor)
    response = client.post(
        reverse("admin:reports_edition_workflow", args=[edition.pk, "request_changes"]),
        {"comment": "More sources"},
    )
    message = messages_of(response)[0]
    assert "now changes requested" not in message
    assert "back with its author" in message


def test_a_refused_delete_says_why_not_permission(client, superuser):
    edition = make_edition(state=S.PUBLISHED)
    note = edition.footnotes.get()
    client.force_login(superuser)
    url = reverse("admin:sources_footnote_delete", args=[note.pk])
    for response in (client.get(url), client.post(url, {"post": "yes"})):
        assert response.status_code == 302
        assert "A published edition never changes" in " ".join(messages_of(response))
    assert edition.footnotes.count() == 1
    url = reverse("admin:reports_edition_delete", args=[edition.pk])
    response = client.post(url, {"post": "yes"})
    assert "Only a draft can be deleted" in " ".join(messages_of(response))
    assert Edition.objects.filter(pk=edition.pk).exists()
    # A draft's rows are deleted as before.
    draft = make_edition()
    url = reverse("admin:sources_footnote_delete", args=[draft.footnotes.get().pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not draft.footnotes.exists()


# --- 7. the profile page and the Profiles list ----------------------------------------------


def test_the_profile_page_lists_its_editions_and_starts_a_draft(client, researcher):
    profile, old, new = published_with_previous()
    client.force_login(researcher)
    url = reverse("admin:reports_profile_change", args=[profile.pk])
    page = client.get(url).text
    for edition in (old, new):
        assert change_url(edition) in page
    assert "18 December 2019" in page and "2 November 2020" in page
    assert reverse("admin:reports_edition_history", args=[new.pk]) in page
    start = reverse("admin:reports_profile_start_draft", args=[profile.pk])
    assert start in page
    response = client.post(start, {"base": str(old.pk)})
    draft = Edition.objects.get(profile=profile, state=S.DRAFT)
    assert response.url == change_url(draft)
    assert draft.based_on_id == old.pk
    page = client.get(url).text
    assert start not in page and "Continue that one." in page


def test_the_profiles_list_shows_and_filters_state_and_last_update(
    client, researcher, django_assert_max_num_queries
):
    profile, old, new = published_with_previous()
    drafted = make_edition(state=S.PUBLISHED, last_updated=datetime.date(2018, 1, 5)).profile
    workflow.start_draft(drafted, researcher)
    client.force_login(researcher)
    url = reverse("admin:reports_profile_changelist")
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for _ in range(5):
        workflow.start_draft(make_edition(state=S.PUBLISHED).profile, researcher)
    with django_assert_max_num_queries(len(few)):
        client.get(url)
    response = client.get(url)
    rows = {
        str(p): (p.current_state, p.current_last_updated)
        for p in response.context["cl"].result_list
    }
    assert rows[str(profile)] == (S.PUBLISHED, datetime.date(2020, 11, 2))
    assert rows[str(drafted)] == (S.DRAFT, datetime.date(2018, 1, 5))
    assert "Published" in response.text
    only_drafts = client.get(url, {"current_state": "draft"}).context["cl"].result_list
    assert drafted.pk in {p.pk for p in only_drafts} and profile.pk not in {
        p.pk for p in only_drafts
    }
    in_2020 = client.get(url, {"last_updated_year": "2020"}).context["cl"].result_list
    assert [p.pk for p in in_2020] == [profile.pk]


def test_the_dashboard_is_in_the_navigation(client, researcher):
    client.force_login(researcher)
    page = client.get(reverse("admin:reports_profile_changelist")).text
    assert f'href="{reverse("admin:reports_edition_dashboard")}"' in page


# --- 11. e-mails --------------------------------------------------------------------------


@override_settings(SITE_URL="https://monitor.example.org")
def test_mails_link_to_absolute_addresses(django_capture_on_commit_callbacks, researcher, editor):
    edition = make_edition()
    with django_capture_on_commit_callbacks(execute=True):
        workflow.submit(edition, researcher, "Ready")
    (message, *_) = mail.outbox
    assert f"https://monitor.example.org/admin/reports/edition/{edition.pk}/change/" in (
        message.body
    )
    assert "Review it: /admin" not in message.body


def test_the_mail_server_and_site_address_come_from_the_environment():
    script = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_HOST_USER, "
        "s.EMAIL_HOST_PASSWORD, s.EMAIL_USE_TLS, s.SITE_URL)"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "monitor.settings",
        "SECRET_KEY": "only-for-this-test",
        "ALLOWED_HOSTS": "monitor.example.org",
        "EMAIL_URL": "smtp://mailer:p%40ss@mail.example.org:587/?tls=True",
    }
    env.pop("SITE_URL", None)
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout.split()
    assert out == [
        "django.core.mail.backends.smtp.EmailBackend",
        "mail.example.org",
        "587",
        "mailer",
        "p@ss",
        "True",
        "https://monitor.example.org",
    ]


# --- 9. renumbering -----------------------------------------------------------------------


def test_inserting_a_note_between_two_others_is_one_step(client, researcher):
    edition = make_edition(
        summary="Key developments.[1]",
        sections=[("Policy", "Has not acceded.[2]\n\nVoted yes.[3]"), ("Use", "None.")],
        footnotes=[("Letter A.",), ("Letter B.",), ("Letter C.",)],
    )
    client.force_login(researcher)
    url = change_url(edition)
    page = client.get(url)
    assert 'name="_workflow" value="renumber"' in page.text
    data = form_data(page)
    data["sections-0-body"] = "Has not acceded.[2] Signed in 1997.[11]\r\n\r\nVoted yes.[3]"
    data["footnotes-TOTAL_FORMS"] = "4"
    data["footnotes-3-number"] = "11"
    data["footnotes-3-text"] = "Letter D."
    data["footnotes-3-edition"] = str(edition.pk)
    data["_workflow"] = "renumber"
    response = client.post(url, data)
    assert "notes renumbered" in " ".join(messages_of(response))
    assert list(edition.footnotes.values_list("number", "text")) == [
        (1, "Letter A."),
        (2, "Letter B."),
        (3, "Letter D."),
        (4, "Letter C."),
    ]
    assert list(edition.sections.values_list("body", flat=True)) == [
        "Has not acceded.[2] Signed in 1997.[3]\n\nVoted yes.[4]",
        "None.",
    ]
    assert citation_problems(edition) == []
    # The citations stay with their notes.
    assert edition.footnotes.get(number=4).sources.get().title == "Letter C."
    assert (
        workflow.edition_versions(edition)
        .first()
        .revision.get_comment()
        .startswith("Renumbered the notes")
    )


def test_renumbering_refuses_a_marker_without_a_note(researcher):
    edition = make_edition(sections=[("Policy", "Text.[1] More.[7]")])
    with pytest.raises(workflow.WorkflowError, match=r"Marker \[7\] has no footnote"):
        workflow.renumber(edition, researcher)
    assert edition.sections.get().body == "Text.[1] More.[7]"
    submitted = make_edition()
    workflow.submit(submitted, researcher)
    with pytest.raises(workflow.WorkflowError, match="Only a draft"):
        workflow.renumber(submitted, researcher)


# --- 8. footnotes linked to the bibliography on save ----------------------------------------

LETTER = "Letter No. 77/2004 from the Ministry of Foreign Affairs, 4 May 2004"


def test_a_footnote_typed_in_the_admin_is_matched_to_the_bibliography(client, researcher):
    (citation,) = split_citations(LETTER)
    letter = make_source(LETTER, kind="letter", identity_key=citation.identity)
    make_edition(state=S.PUBLISHED, footnotes=[(LETTER, letter)])  # cited once already
    edition = make_edition(footnotes=[("Interview with a deminer, 2 March 2010.",)])
    old_source = edition.footnotes.get().sources.get()
    client.force_login(researcher)
    url = change_url(edition)
    data = form_data(client.get(url))
    data["footnotes-0-text"] = f"{LETTER}, p. 3."
    response = client.post(url, data)
    assert f"Note 1: matched: {letter} (cited 2 times)." in messages_of(response)
    citation = edition.footnotes.get().citations.get()
    assert (citation.source, citation.locator) == (letter, "p. 3")
    assert old_source.citations.count() == 0  # the edited note no longer keeps it
    page = client.get(url).text
    assert "cited 2 times" in page

    data = form_data(client.get(url))
    data["footnotes-0-text"] = "Statement by the Minister of Defence, 9 June 2011."
    response = client.post(url, data)
    assert "Note 1: new source “Statement by the Minister of Defence, 9 June 2011”." in (
        messages_of(response)
    )


def test_a_note_that_cites_nothing_is_a_warning(client, researcher):
    edition = make_edition()
    note = edition.footnotes.get()
    client.force_login(researcher)
    url = reverse("admin:sources_footnote_change", args=[note.pk])
    response = client.post(
        url,
        {
            "edition": edition.pk,
            "number": 1,
            "text": "—",
            "citations-TOTAL_FORMS": "1",
            "citations-INITIAL_FORMS": "1",
            "citations-0-id": note.citations.get().pk,
            "citations-0-footnote": note.pk,
            "citations-0-position": "0",
            "citations-0-source": note.citations.get().source_id,
            "citations-0-locator": "",
        },
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    assert "Note 1 cites no source: check its text." in messages_of(response)
    page = client.get(change_url(edition)).text
    assert "note 1 cites no source" in page


# --- 10. who else is here -----------------------------------------------------------------


def test_a_draft_open_elsewhere_says_who_is_editing_it(client, researcher, make_user, publisher):
    colleague = make_user("colleague", RESEARCHER)
    edition = make_edition()
    url = change_url(edition)
    renew = reverse("admin:reports_edition_editing_lock", args=[edition.pk])
    client.force_login(researcher)
    page = client.get(url).text
    assert 'id="editing-lock"' not in page and "editing-lock.js" in page
    assert not EditingLock.objects.exists()  # opening the page alone takes nothing
    assert client.post(renew).json() == {"held": True}  # the script, at the first change
    lock = EditingLock.objects.get(edition=edition)
    assert lock.user == researcher

    client.force_login(colleague)
    page = client.get(url).text
    assert "researcher is editing this draft" in page and "Take over" not in page
    assert client.post(renew).json()["holder"] == "researcher"
    assert client.post(renew, {"take_over": "1"}).status_code == 403

    # A publisher may take it over.
    client.force_login(publisher)
    assert "Take over the lock" in client.get(url).text
    client.post(renew, {"take_over": "1"})
    assert EditingLock.objects.get(edition=edition).user == publisher

    # Saving releases it; a hold not renewed lapses.
    data = form_data(client.get(url))
    data["summary"] = "Saved by the publisher."
    client.post(url, data)
    assert not EditingLock.objects.filter(edition=edition).exists()
    client.force_login(researcher)
    client.post(renew)
    EditingLock.objects.filter(edition=edition).update(
        renewed_at=timezone.now() - datetime.timedelta(seconds=121)
    )
    client.force_login(colleague)
    assert "is editing this draft" not in client.get(url).text
    assert client.post(renew).json() == {"held": True}
    assert EditingLock.objects.get(edition=edition).user == colleague


def test_a_content_rows_own_page_saved_unchanged_records_nothing(client, researcher):
    edition = make_edition(sections=[("Policy", "First.[1]\n\nSecond.")])
    section = edition.sections.get()
    client.force_login(researcher)
    url = reverse("admin:reports_section_change", args=[section.pk])
    data = {
        "edition": edition.pk,
        "position": 1,
        "heading": "Policy",
        "body": "First.[1]\r\n\r\nSecond.  ",
    }
    response = client.post(url, data)
    assert response.status_code == 302
    assert "Nothing changed" in " ".join(messages_of(response))
    assert not Version.objects.get_for_object(edition).exists()
    assert Edition.objects.get(pk=edition.pk).version == edition.version
