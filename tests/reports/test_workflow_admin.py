"""The workflow in the admin: buttons, messages, read-only frozen editions, stale forms,
history, compare, revert, preview."""

import json

import pytest
import reversion
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from reversion.models import Version
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.editions import workflow
from reports.models import Edition
from tests.builders import make_edition, make_figure, make_profile, png_bytes
from tests.reports.test_revisions import management_forms

pytestmark = pytest.mark.django_db

S = Edition.State


def change_url(edition):
    return reverse("admin:reports_edition_change", args=[edition.pk])


def action_url(edition, action):
    return reverse("admin:reports_edition_workflow", args=[edition.pk, action])


def messages_of(response):
    return [str(m) for m in get_messages(response.wsgi_request)]


def form_data(response):
    """Everything the change form holds, as a browser would post it back unchanged."""
    form = response.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    data.update(management_forms(response.context))
    return data


def test_the_draft_page_offers_submit_and_the_button_submits(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client.force_login(researcher)
    page = client.get(change_url(edition))
    assert [a.name for a in page.context["workflow_actions"]] == ["submit"]
    assert 'name="_workflow" value="submit"' in page.text  # "Save and submit"

    response = client.post(action_url(edition, "submit"), {"comment": "Ready"})
    assert response.status_code == 302
    assert "now in review" in messages_of(response)[0]
    edition.refresh_from_db()
    assert edition.state == S.IN_REVIEW


def test_a_forbidden_action_is_a_message_and_changes_nothing(client, researcher):
    edition = workflow.submit(workflow.start_draft(make_profile(), researcher), researcher)
    client.force_login(researcher)
    response = client.post(action_url(edition, "approve"), follow=True)
    assert "your role does not allow it" in response.text
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_get_never_runs_an_action(client, publisher):
    edition = make_edition(state=S.APPROVED)
    client.force_login(publisher)
    assert client.get(action_url(edition, "publish")).status_code == 405
    assert Edition.objects.get(pk=edition.pk).state == S.APPROVED


def test_request_changes_without_comment_is_refused_with_a_message(client, editor, researcher):
    edition = workflow.submit(workflow.start_draft(make_profile(), researcher), researcher)
    client.force_login(editor)
    response = client.post(action_url(edition, "request_changes"), {"comment": ""}, follow=True)
    assert "a comment is required" in response.text
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


def test_schedule_button_takes_a_local_date_and_time(client, publisher):
    edition = make_edition(state=S.APPROVED)
    client.force_login(publisher)
    client.post(action_url(edition, "schedule"), {"at": "2099-05-01T09:30"})
    edition.refresh_from_db()
    assert edition.publish_at.isoformat() == "2099-05-01T09:30:00+00:00"


def test_the_editor_sees_citation_problems_with_section_and_paragraph(client, editor, researcher):
    edition = make_edition(
        sections=[("Policy", "Intro.\n\nSee.[2]")], footnotes=[("One.",)], created_by=researcher
    )
    workflow.submit(edition, researcher)
    client.force_login(editor)
    page = client.get(change_url(edition))
    assert "Section 1 “Policy”, paragraph 2" in page.text
    assert "Marker [2] has no footnote." in page.text
    assert "Footnote 1 is never cited in the text." in page.text
    response = client.post(action_url(edition, "approve"), follow=True)
    assert "Approval refused" in response.text
    assert Edition.objects.get(pk=edition.pk).state == S.IN_REVIEW


@pytest.mark.parametrize("state", [S.PUBLISHED, S.SUPERSEDED, S.IN_REVIEW, S.APPROVED])
def test_uneditable_editions_are_read_only_in_the_admin(client, superuser, state):
    edition = make_edition(state=state)
    client.force_login(superuser)
    page = client.get(change_url(edition))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert "id_sections-0-body" not in page.text
    response = client.post(change_url(edition), {"summary": "x"})
    assert response.status_code == 302
    assert messages_of(response)[0].startswith("Nothing was saved: the edition is")
    assert Edition.objects.get(pk=edition.pk).summary == edition.summary
    section = edition.sections.get()
    section_page = client.get(reverse("admin:reports_section_change", args=[section.pk]))
    assert not section_page.context["has_change_permission"]


def test_a_published_edition_offers_a_new_draft(client, researcher):
    published = make_edition(state=S.PUBLISHED)
    client.force_login(researcher)
    assert "Start a new draft" in client.get(change_url(published)).text
    response = client.post(reverse("admin:reports_edition_start_draft", args=[published.pk]))
    draft = Edition.objects.get(profile=published.profile, state=S.DRAFT)
    assert response["Location"] == change_url(draft)
    assert draft.based_on == published


def test_the_add_form_refuses_a_profile_that_is_published(client, researcher):
    published = make_edition(state=S.PUBLISHED)
    client.force_login(researcher)
    add = reverse("admin:reports_edition_add")
    response = client.post(
        add, {"profile": published.profile.pk, "last_updated_precision": "day", **empty_inlines()}
    )
    assert response.status_code == 200
    assert "has a published edition" in response.text


def test_the_add_form_starts_a_draft_of_a_new_profile(client, researcher):
    profile = make_profile()
    client.force_login(researcher)
    response = client.post(
        reverse("admin:reports_edition_add"),
        {"profile": profile.pk, "last_updated_precision": "day", **empty_inlines()},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft = Edition.objects.get(profile=profile)
    assert (draft.state, draft.created_by) == (S.DRAFT, researcher)
    assert draft.events.get().action == "start"


def empty_inlines():
    data = {}
    for prefix in ("overview_facts", "sections", "figures", "footnotes"):
        data.update({f"{prefix}-TOTAL_FORMS": "0", f"{prefix}-INITIAL_FORMS": "0"})
    return data


# --- no lost edits -----------------------------------------------------------------------


def test_a_stale_form_is_refused_shows_the_other_change_and_keeps_the_input(researcher, make_user):
    from monitor.roles import RESEARCHER

    colleague = make_user("colleague", RESEARCHER)
    edition = workflow.start_draft(make_profile(), researcher)
    with reversion.create_revision():
        edition.sections.create(position=1, heading="Policy", body="The State has not acceded.")
        reversion.add_to_revision(edition)
    alice, bob = Client(), Client()
    alice.force_login(researcher)
    bob.force_login(colleague)
    url = change_url(edition)
    alice_data = form_data(alice.get(url))
    bob_data = form_data(bob.get(url))

    alice_data["sections-0-body"] = "The State has not acceded. It voted yes in 2018."
    assert alice.post(url, alice_data).status_code == 302

    bob_data["summary"] = "Bob's summary, typed while Alice was saving."
    response = bob.post(url, bob_data)
    assert response.status_code == 200
    assert "Someone else saved this edition while you were editing it" in response.text
    assert "Nothing was saved" in response.text
    assert "<ins> It voted yes in 2018.</ins>" in response.text
    assert "Bob&#x27;s summary, typed while Alice was saving." in response.text
    edition.refresh_from_db()
    assert edition.summary == ""
    assert edition.sections.get().body.endswith("It voted yes in 2018.")

    # Bob has seen Alice's change; saving again keeps his version deliberately.
    bob_again = form_data(response)
    bob_again["summary"] = "Bob's summary, typed while Alice was saving."
    bob_again["sections-0-body"] = (
        response.context["inline_admin_formsets"][1].formset.forms[0]["body"].value()
    )
    assert bob.post(url, bob_again).status_code == 302
    edition.refresh_from_db()
    assert edition.summary.startswith("Bob's summary")


def test_a_form_saved_after_a_colleague_submitted_the_edition_is_a_message(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    section = edition.sections.create(position=1, heading="Policy", body="Text.")
    section_url = reverse("admin:reports_section_change", args=[section.pk])
    client.force_login(researcher)
    data = form_data(client.get(change_url(edition)))
    workflow.submit(edition, researcher)  # from another tab, or by a colleague

    data["summary"] = "Typed before the submission"
    section_data = {"edition": edition.pk, "position": 1, "heading": "Policy", "body": "New."}

    refusal = (
        "Nothing was saved: the edition is in review now. This edition is not a draft: its "
        "content changes only after changes are requested."
    )
    for url, posted in ((change_url(edition), data), (section_url, section_data)):
        response = client.post(url, posted, follow=True)
        assert response.redirect_chain == [(url, 302)]
        assert refusal in response.text
    assert Edition.objects.get(pk=edition.pk).summary == ""
    assert edition.sections.get().body == "Text."


def test_a_form_without_a_token_is_refused(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client.force_login(researcher)
    data = form_data(client.get(change_url(edition)))
    del data["version_token"]
    data["summary"] = "Sneaky"
    assert client.post(change_url(edition), data).status_code == 200
    assert Edition.objects.get(pk=edition.pk).summary == ""


# --- history, compare, revert ------------------------------------------------------------


def test_history_lists_revisions_and_workflow_steps(client, researcher, editor):
    edition = workflow.start_draft(make_profile(), researcher)
    workflow.submit(edition, researcher)
    workflow.request_changes(edition, editor, "Cite the 2018 vote")
    client.force_login(editor)
    page = client.get(change_url(edition))
    history = reverse("admin:reports_edition_history", args=[edition.pk])
    assert history in page.text
    assert reverse("admin:reports_edition_compare", args=[edition.pk]) in page.text
    response = client.get(history)
    assert response.status_code == 200
    assert "Changes requested: Cite the 2018 vote" in response.text
    assert "Submitted for review" in response.text
    assert "editor" in response.text and "researcher" in response.text


def test_revert_from_the_history_page(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    client.force_login(researcher)
    url = change_url(edition)
    data = form_data(client.get(url))
    data["summary"] = "First version."
    client.post(url, data)
    first = Version.objects.get_for_object(edition).first().revision_id
    data = form_data(client.get(url))
    data["summary"] = "Second version."
    client.post(url, data)

    history = client.get(reverse("admin:reports_edition_history", args=[edition.pk]))
    revert = reverse("admin:reports_edition_revert", args=[edition.pk, first])
    assert revert in history.text
    response = client.post(revert, follow=True)
    assert "reverted" in response.text
    assert Edition.objects.get(pk=edition.pk).summary == "First version."


def test_compare_two_revisions_and_two_editions(client, researcher, editor, publisher):
    published = make_edition(state=S.PUBLISHED, sections=[("Policy", "Has not acceded.[1]")])
    draft = workflow.start_draft(published.profile, researcher)
    section = draft.sections.get()
    section.body = "Has still not acceded.[1]"
    section.save()
    client.force_login(editor)
    compare = reverse("admin:reports_edition_compare", args=[draft.pk])
    response = client.get(compare)  # defaults to the edition it is based on
    assert "Has<ins> still</ins> not acceded.[1]" in response.text
    assert response.context["diff"].has_changes

    response = client.get(compare, {"edition": published.pk})
    assert response.context["diff"].sections[0].kind == "changed"

    revision = Version.objects.get_for_object(draft).get().revision_id
    response = client.get(compare, {"from": revision, "to": "current"})
    assert response.context["diff"].sections[0].kind == "changed"
    # reversion's own "revert through the form" page leads to the compare view instead.
    version = Version.objects.get_for_object(draft).get()
    response = client.get(reverse("admin:reports_edition_revision", args=[draft.pk, version.pk]))
    assert response.status_code == 302 and "compare" in response["Location"]


def test_compare_shows_a_replaced_and_a_recaptioned_map_in_the_same_queries_for_any_number(
    client, researcher, editor
):
    published = make_edition(state=S.PUBLISHED)
    make_figure(published, 1, alt_text="Map of the north", caption="Mined areas, 2018.")
    make_figure(published, 2, alt_text="Map of the south")
    draft = workflow.start_draft(published.profile, researcher)
    north, south = draft.figures.all()
    north.caption = "Mined areas, 2019."
    north.save()
    south.image.save("south-2019.png", ContentFile(png_bytes(colour=(200, 0, 0))), save=False)
    south.save()
    client.force_login(editor)
    compare = reverse("admin:reports_edition_compare", args=[draft.pk])

    with CaptureQueriesContext(connection) as few:
        response = client.get(compare)  # with the edition it is based on
    maps = HTMLParser(response.text).css(".edition-diff .diff-figure")
    assert [m.css_first("h3").text(deep=True) for m in maps] == [
        "Figure 1 changed",
        "Figure 2 changed (image replaced)",
    ]
    assert maps[0].css_first("dd del").text() == "2018"
    assert maps[0].css_first("dd ins").text() == "2019"
    assert maps[1].css_first("dd ins").text() == "south-2019.png"
    # The file's own name only: never its stored (unguessable) name nor an address.
    assert "attachments/figures" not in response.text

    for position in range(3, 8):
        make_figure(draft, position)
        make_figure(published, position)
    with CaptureQueriesContext(connection) as many:
        response = client.get(compare)
    assert len(response.context["diff"].figures) == 7
    assert len(many) == len(few)


def test_compare_and_revert_from_a_revision_without_maps_do_not_show_them_removed(
    client, researcher
):
    draft = make_edition()
    make_figure(draft, caption="Mined areas, 2018.")
    with reversion.create_revision():
        reversion.add_to_revision(draft)
    version = Version.objects.get_for_object(draft).first()
    data = json.loads(version.serialized_data)
    del data[0]["content"]["figures"]  # as revisions were stored before they held maps
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))
    client.force_login(researcher)

    compare = reverse("admin:reports_edition_compare", args=[draft.pk])
    response = client.get(compare, {"from": version.revision_id, "to": "current"})
    assert response.context["diff"].figures == []
    note = HTMLParser(response.text).css_first(".diff-not-recorded").text()
    assert note.startswith(
        f"Not compared: they are not recorded in Revision #{version.revision_id}"
    )
    assert "No differences." in HTMLParser(response.text).css_first(".diff-legend").text()

    revert = reverse("admin:reports_edition_revert", args=[draft.pk, version.revision_id])
    assert "keeps the draft's maps and figures as they are now" in client.get(revert).text


# --- preview -----------------------------------------------------------------------------


def test_preview_shows_a_draft_to_staff_only(client, researcher, django_user_model):
    edition = make_edition(sections=[("Policy", "Draft text nobody has published.[1]")])
    url = reverse("edition_preview", args=[edition.pk])
    assert client.get(url).status_code == 404
    public = django_user_model.objects.create_user("reader", password="x")
    client.force_login(public)
    assert client.get(url).status_code == 404

    client.force_login(researcher)
    response = client.get(url)
    assert response.status_code == 200
    assert response["X-Robots-Tag"].startswith("noindex")
    assert "Draft text nobody has published." in response.text
    assert "public/profile.html" in [t.name for t in response.templates]

    profile = edition.profile
    public_url = reverse("public:profile", args=[profile.country.slug, profile.topic.slug])
    assert client.get(public_url).status_code == 404


# --- yearly reports in the admin ---------------------------------------------------------


def test_profiles_action_starts_a_yearly_update_and_reports_action_releases_it(
    client, researcher, editor, publisher
):
    from tests.builders import make_report

    report = make_report(year=2026)
    published = [make_edition(state=S.PUBLISHED) for _ in range(2)]
    client.force_login(researcher)
    response = client.post(
        reverse("admin:reports_profile_changelist"),
        {
            "action": "start_drafts",
            "report": report.pk,
            "_selected_action": [e.profile_id for e in published],
        },
        follow=True,
    )
    assert "Started 2 draft(s)." in response.text
    drafts = list(Edition.objects.filter(report=report, state=S.DRAFT))
    assert len(drafts) == 2
    report_page = client.get(reverse("admin:reports_report_change", args=[report.pk]))
    assert "Draft: 2" in report_page.text

    workflow.submit(drafts[0], researcher)
    workflow.approve(drafts[0], editor)
    client.force_login(publisher)
    response = client.post(
        reverse("admin:reports_report_changelist"),
        {"action": "release", "_selected_action": [report.pk]},
        follow=True,
    )
    # The action leads to the confirmation page; nothing is published before it is confirmed.
    assert response.redirect_chain[-1][0] == reverse(
        "admin:reports_report_release", args=[report.pk]
    )
    assert Edition.objects.get(pk=drafts[0].pk).state == S.APPROVED
    response = client.post(
        reverse("admin:reports_report_release", args=[report.pk]), {"when": "now"}, follow=True
    )
    assert "1 edition(s) published" in response.text
    assert Edition.objects.get(pk=drafts[0].pk).state == S.PUBLISHED


def test_citations_of_a_published_edition_are_read_only(client, superuser):
    edition = make_edition(state=S.PUBLISHED)
    citation = edition.footnotes.get().citations.get()
    client.force_login(superuser)
    page = client.get(reverse("admin:sources_citation_change", args=[citation.pk]))
    assert not page.context["has_change_permission"]
    footnote_page = client.get(
        reverse("admin:sources_footnote_change", args=[citation.footnote_id])
    )
    assert not footnote_page.context["has_change_permission"]
    assert "id_citations-0-locator" not in footnote_page.text


def test_editing_a_section_on_its_own_page_makes_open_edition_forms_stale(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    section = edition.sections.create(position=1, heading="Policy", body="Text.")
    client.force_login(researcher)
    before = Edition.objects.get(pk=edition.pk).version
    url = reverse("admin:reports_section_change", args=[section.pk])
    response = client.post(
        url, {"edition": edition.pk, "position": 1, "heading": "Policy", "body": "New."}
    )
    assert response.status_code == 302
    assert Edition.objects.get(pk=edition.pk).version == before + 1


def test_deleted_editions_cannot_be_recovered_around_the_workflow(client, superuser):
    client.force_login(superuser)
    listing = client.get("/admin/reports/edition/")
    assert "recover" not in listing.text.lower()
    response = client.get("/admin/reports/edition/recover/", follow=True)
    assert "Deleted editions are not restored" in response.text


def test_saving_the_edition_form_costs_the_same_queries_for_3_notes_as_for_30(client, researcher):
    """The save writes what changed and one version of the whole edition: its cost does not
    grow with the number of notes (the content is serialised once, rows found without a
    query each)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def queries_to_save(notes):
        edition = make_edition(
            sections=[("Policy", "".join(f"Text.[{n}] " for n in range(1, notes + 1)))],
            footnotes=[(f"Letter No. {n}, 4 May 2004.",) for n in range(1, notes + 1)],
        )
        client.force_login(researcher)
        page = client.get(change_url(edition))
        data = form_data(page)
        body = next(name for name in data if name.startswith("sections-0-body"))
        data[body] = data[body] + "More text."
        with CaptureQueriesContext(connection) as captured:
            response = client.post(change_url(edition), data)
        assert response.status_code == 302, messages_of(response)
        versions = Version.objects.get_for_object(edition)
        assert versions.count() == 1
        assert "More text." in versions.get().serialized_data
        return len(captured)

    queries_to_save(1)  # the session's user and permissions, read once
    few, many = queries_to_save(3), queries_to_save(30)
    assert few == many <= 35


def test_saving_the_edition_form_validates_only_the_rows_that_changed(
    client, researcher, monkeypatch
):
    from sources.models import Footnote

    edition = make_edition(
        sections=[("Policy", "Text.[1][2][3]")],
        footnotes=[(f"Letter No. {n}, 4 May 2004.",) for n in range(1, 4)],
    )
    client.force_login(researcher)
    data = form_data(client.get(change_url(edition)))
    note = next(name for name, value in data.items() if value == "Letter No. 2, 4 May 2004.")
    data[note] = "Letter No. 2, 5 May 2004."
    validated = []
    original = Footnote.clean
    monkeypatch.setattr(
        Footnote, "clean", lambda self: validated.append(self.text) or original(self)
    )

    response = client.post(change_url(edition), data)

    assert response.status_code == 302, messages_of(response)
    assert validated == ["Letter No. 2, 5 May 2004."]
    assert edition.footnotes.get(number=2).text == "Letter No. 2, 5 May 2004."


def test_a_section_saved_as_its_edition_is_submitted_meanwhile_is_a_message(
    client, researcher, monkeypatch
):
    """The edition is checked before the form and found locked by the form itself (a
    colleague submitted it between the two): the answer is the refusal's message, not 403."""
    from reports.editions import admin as editions_admin
    from reports.models import Section

    edition = workflow.start_draft(make_profile(), researcher)
    section = Section.objects.create(edition=edition, position=1, heading="Policy", body="Old.")
    real = editions_admin.refuse_post_to_uneditable
    calls = []

    def submitted_right_after_the_check(*args):
        calls.append(args)
        if len(calls) == 1:
            workflow.submit(Edition.objects.get(pk=edition.pk), researcher)
            return None
        return real(*args)

    monkeypatch.setattr(
        editions_admin, "refuse_post_to_uneditable", submitted_right_after_the_check
    )
    client.force_login(researcher)
    url = reverse("admin:reports_section_change", args=[section.pk])
    data = {"edition": edition.pk, "position": 1, "heading": "Policy", "body": "New."}

    response = client.post(url, data)

    assert response.status_code == 302
    assert any("Nothing was saved" in m for m in messages_of(response))
    assert Section.objects.get(pk=section.pk).body == "Old."


def test_a_form_whose_row_was_removed_meanwhile_says_so(client, researcher):
    """A colleague's revert made the draft's rows anew: the form's rows are gone, and the page
    says so (an error of a hidden field, the row's id, would otherwise show nowhere)."""
    from sources.models import Footnote

    edition = make_edition(footnotes=[("Letter No. 1, 4 May 2004.",)])
    client.force_login(researcher)
    data = form_data(client.get(change_url(edition)))
    Footnote.objects.filter(edition=edition).delete()
    Footnote.objects.create(edition=edition, number=1, text="Letter No. 1, 4 May 2004.")

    response = client.post(change_url(edition), data)

    assert response.status_code == 200
    assert "was removed since the page was loaded" in response.text
    assert "errorlist" in response.text
