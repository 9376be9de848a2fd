"""Records that published pages show (a source cited by a published note, a profile with a
published edition, its country and topic, a report) change only by editors and up, every such
change is recorded, and the old public URLs of a moved page redirect to the new ones."""

import datetime

import pytest
import reversion
import tablib
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from import_export.formats.base_formats import CSV
from reversion.models import Version

from reports.editions.records import ChangePublicRecord, RecordChangeRefused
from reports.models import (
    Country,
    Edition,
    MovedPath,
    Profile,
    RecordChange,
    Report,
    Topic,
    TreatyStatus,
)
from sources.merge import MergeRefused, merge_sources
from sources.models import Source
from sources.resources import SourceResource
from tests.builders import make_country, make_edition, make_profile, make_source, make_topic
from tests.reports.test_workflow_admin import form_data, messages_of

pytestmark = pytest.mark.django_db

S = Edition.State
REFUSED = "shown on published pages"


def change_url(obj):
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[obj.pk])


def post_change(client, obj, **changes):
    """Load the admin change page of `obj` and post it back with `changes`."""
    page = client.get(change_url(obj))
    assert page.status_code == 200
    data = {**form_data(page), **changes}
    return client.post(change_url(obj), data)


def form_errors(response):
    form = response.context["adminform"].form
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


@pytest.fixture
def public_source():
    source = make_source("Letter from the Ministry of Foreign Affairs, 30 April 2010")
    make_edition(state=S.PUBLISHED, footnotes=[("Letter.", source)])
    return source


@pytest.fixture
def draft_source():
    source = make_source("Interview with a deminer, Almaty, 3 May 2020")
    make_edition(state=S.DRAFT, footnotes=[("Interview.", source)])
    return source


@pytest.fixture
def live_profile():
    """Kazakhstan's Mine Ban Policy profile: a current edition and an archived one of 2004."""
    profile = make_profile(make_country("Kazakhstan"), make_topic("Mine Ban Policy"))
    old = make_edition(profile, state=S.SUPERSEDED, last_updated=datetime.date(2004, 1, 1))
    make_edition(profile, state=S.PUBLISHED, last_updated=datetime.date(2019, 12, 18))
    profile.old_edition = old
    return profile


# --- the admin change pages ------------------------------------------------------------------


def test_a_researcher_cannot_change_the_title_of_a_source_cited_by_a_published_note(
    client, researcher, public_source
):
    client.force_login(researcher)

    response = post_change(client, public_source, title="Letter from the MFA")

    assert response.status_code == 200  # the form again, with the input kept
    assert REFUSED in form_errors(response)
    assert response.context["adminform"].form["title"].value() == "Letter from the MFA"
    public_source.refresh_from_db()
    assert public_source.title == "Letter from the Ministry of Foreign Affairs, 30 April 2010"
    assert not RecordChange.objects.exists()


def test_an_editor_changes_it_with_a_revision_and_an_audit_entry(client, editor, public_source):
    client.force_login(editor)

    response = post_change(
        client, public_source, title="Letter from the MFA", record_comment="Shorter title"
    )

    assert response.status_code == 302
    public_source.refresh_from_db()
    assert public_source.title == "Letter from the MFA"
    revision = Version.objects.get_for_object(public_source).first().revision
    assert revision.user == editor
    assert "Shorter title" in revision.comment
    entry = RecordChange.objects.get()
    assert entry.actor == editor
    assert entry.content_type == ContentType.objects.get_for_model(Source)
    assert entry.object_id == str(public_source.pk)
    assert entry.changes == {
        "title": {
            "old": "Letter from the Ministry of Foreign Affairs, 30 April 2010",
            "new": "Letter from the MFA",
        }
    }
    assert entry.comment == "Shorter title"


def test_the_published_pages_show_the_change_at_once(client, editor, live_profile):
    page = reverse("public:profile", args=["kazakhstan", "mine-ban-policy"])
    assert "Kazakhstan" in client.get(page).text  # now cached
    country = live_profile.country
    client.force_login(editor)

    post_change(client, country, name="Republic of Kazakhstan", slug="kazakhstan")

    assert "Republic of Kazakhstan: Mine Ban Policy" in client.get(page).text


def test_a_researcher_may_still_edit_a_source_cited_only_by_drafts(
    client, researcher, draft_source
):
    client.force_login(researcher)

    response = post_change(client, draft_source, title="Interview with a deminer, 3 May 2020")

    assert response.status_code == 302
    draft_source.refresh_from_db()
    assert draft_source.title == "Interview with a deminer, 3 May 2020"
    assert not RecordChange.objects.exists()


def test_a_researcher_may_still_edit_a_field_no_page_shows(client, researcher, public_source):
    client.force_login(researcher)

    response = post_change(client, public_source, identity_key="letter:mfa:2010-04-30")

    assert response.status_code == 302
    public_source.refresh_from_db()
    assert public_source.identity_key == "letter:mfa:2010-04-30"


def test_the_change_page_tells_a_researcher_which_fields_are_locked(
    client, researcher, public_source
):
    client.force_login(researcher)
    page = client.get(change_url(public_source))
    assert "Shown on published pages" in page.text
    assert "need the permission" in page.text


def test_a_researcher_cannot_move_a_live_profile_to_another_country(
    client, researcher, live_profile
):
    other = make_country("Kyrgyzstan")
    client.force_login(researcher)

    response = post_change(client, live_profile, country=other.pk)

    assert response.status_code == 200
    assert REFUSED in form_errors(response)
    assert Profile.objects.get(pk=live_profile.pk).country.name == "Kazakhstan"


def test_a_researcher_may_move_a_profile_that_only_has_drafts(client, researcher):
    profile = make_profile(make_country("Kazakhstan"))
    make_edition(profile)
    other = make_country("Kyrgyzstan")
    client.force_login(researcher)

    response = post_change(client, profile, country=other.pk)

    assert response.status_code == 302
    assert Profile.objects.get(pk=profile.pk).country == other


def test_reverting_a_public_source_through_its_history_is_for_editors_and_recorded(
    client, researcher, editor, public_source
):
    with reversion.create_revision():
        public_source.save()  # the version to go back to
    client.force_login(editor)
    post_change(client, public_source, title="Letter from the MFA")
    oldest = Version.objects.get_for_object(public_source).last()
    url = reverse("admin:sources_source_revision", args=[public_source.pk, oldest.pk])

    client.force_login(researcher)
    refused = client.post(url, form_data(client.get(url)))
    assert refused.status_code == 200
    assert REFUSED in form_errors(refused)
    assert Source.objects.get(pk=public_source.pk).title == "Letter from the MFA"

    client.force_login(editor)
    assert client.post(url, form_data(client.get(url))).status_code == 302
    assert Source.objects.get(pk=public_source.pk).title == oldest.field_dict["title"]
    assert RecordChange.objects.first().changes["title"] == {
        "old": "Letter from the MFA",
        "new": oldest.field_dict["title"],
    }


def test_deleting_a_record_that_published_pages_show_is_a_message_not_an_error(
    client, publisher, live_profile
):
    report = Report.objects.create(series="Landmine Monitor", year=2019)
    make_edition(state=Edition.State.PUBLISHED, report=report)
    client.force_login(publisher)
    url = reverse("admin:reports_report_delete", args=[report.pk])

    response = client.post(url, {"post": "yes"})

    assert response.status_code == 200
    assert "Cannot delete report" in response.text
    assert Report.objects.filter(pk=report.pk).exists()


def post_topic_position(client, topic, position):
    data = {
        "form-TOTAL_FORMS": "1",
        "form-INITIAL_FORMS": "1",
        "form-0-id": str(topic.pk),
        "form-0-position": str(position),
        "_save": "Save",
    }
    return client.post(reverse("admin:reports_topic_changelist"), data)


def test_list_editable_positions_of_topics_are_recorded(client, editor, live_profile):
    topic = live_profile.topic
    client.force_login(editor)

    response = post_topic_position(client, topic, 7)

    assert response.status_code == 302
    assert Topic.objects.get(pk=topic.pk).position == 7
    assert RecordChange.objects.get().changes == {"position": {"old": 0, "new": 7}}


def test_list_editable_refuses_with_the_row_error(client, make_user, live_profile):
    """Someone allowed to edit topics but not what published pages show."""
    clerk = make_user("clerk")
    clerk.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_topic", "change_topic"])
    )
    client.force_login(clerk)

    response = post_topic_position(client, live_profile.topic, 7)

    assert response.status_code == 200
    assert REFUSED in response.text
    assert Topic.objects.get(pk=live_profile.topic.pk).position == 0


# --- moved public URLs -----------------------------------------------------------------------


def test_moving_a_live_profile_to_another_country_redirects_its_old_urls(
    client, editor, live_profile
):
    other = make_country("Kyrgyzstan")
    client.force_login(editor)

    response = post_change(client, live_profile, country=other.pk)
    assert response.status_code == 302
    client.logout()

    old, new = "/countries/kazakhstan/mine-ban-policy/", "/countries/kyrgyzstan/mine-ban-policy/"
    assert client.get(new).status_code == 200
    for rest in ("", "changes/", "2004/", f"2004/{live_profile.old_edition.pk}/"):
        response = client.get(old + rest + "?x=1")
        assert response.status_code == 301, rest
        assert response["Location"] == new + rest + "?x=1"
    # Nothing of the old country is published any more: it has no page (and no redirect).
    assert client.get("/countries/kazakhstan/").status_code == 404


def test_renaming_a_country_slug_redirects_every_page_under_it(client, editor, live_profile):
    client.force_login(editor)

    post_change(client, live_profile.country, name="Qazaqstan", slug="qazaqstan")

    for old, new in [
        ("/countries/kazakhstan/", "/countries/qazaqstan/"),
        ("/countries/kazakhstan/mine-ban-policy/", "/countries/qazaqstan/mine-ban-policy/"),
        (
            "/countries/kazakhstan/mine-ban-policy/changes/",
            "/countries/qazaqstan/mine-ban-policy/changes/",
        ),
    ]:
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, new)
        assert client.get(new).status_code == 200


def test_renaming_a_topic_slug_redirects_its_profiles(client, editor, live_profile):
    client.force_login(editor)

    post_change(client, live_profile.topic, slug="landmine-ban-policy")

    response = client.get("/countries/kazakhstan/mine-ban-policy/")
    assert response.status_code == 301
    assert response["Location"] == "/countries/kazakhstan/landmine-ban-policy/"


def test_chained_renames_redirect_in_one_step(client, editor, live_profile):
    country = live_profile.country
    for slug in ("kazakstan", "qazaqstan"):
        country.slug = slug
        ChangePublicRecord(country, editor).execute()

    for old in ("/countries/kazakhstan/", "/countries/kazakstan/"):
        response = client.get(old)
        assert (response.status_code, response["Location"]) == (301, "/countries/qazaqstan/")
    assert dict(MovedPath.objects.values_list("old_prefix", "new_prefix")) == {
        "/countries/kazakhstan/": "/countries/qazaqstan/",
        "/countries/kazakstan/": "/countries/qazaqstan/",
    }


def test_renaming_back_leaves_no_loop(client, editor, live_profile):
    country = live_profile.country
    for slug in ("qazaqstan", "kazakhstan"):
        country.slug = slug
        ChangePublicRecord(country, editor).execute()

    assert client.get("/countries/kazakhstan/").status_code == 200
    response = client.get("/countries/qazaqstan/")
    assert (response.status_code, response["Location"]) == (301, "/countries/kazakhstan/")
    assert MovedPath.objects.count() == 1


def test_a_live_page_wins_over_a_redirect(client, editor, live_profile):
    country = live_profile.country
    country.slug = "qazaqstan"
    ChangePublicRecord(country, editor).execute()
    newcomer = make_country("Kazakhstan (old)", slug="kazakhstan")
    make_edition(profile=make_profile(newcomer), state=Edition.State.PUBLISHED)

    assert client.get("/countries/kazakhstan/").status_code == 200
    # Below it, what the new country does not have still follows the move.
    response = client.get("/countries/kazakhstan/mine-ban-policy/")
    assert response["Location"] == "/countries/qazaqstan/mine-ban-policy/"


def test_a_path_that_never_existed_is_still_404(client, live_profile):
    assert client.get("/countries/atlantis/").status_code == 404


# --- the lifecycle API -----------------------------------------------------------------------


def test_check_refuses_a_researcher_and_execute_changes_nothing(researcher, public_source):
    public_source.title = "Something else"
    action = ChangePublicRecord(public_source, researcher)

    with pytest.raises(RecordChangeRefused) as refused:
        action.check()
    assert "title" in str(refused.value)
    with pytest.raises(RecordChangeRefused):
        action.execute()
    assert Source.objects.get(pk=public_source.pk).title != "Something else"


def test_a_superseded_edition_keeps_its_sources_public(researcher):
    source = make_source()
    make_edition(state=S.SUPERSEDED, footnotes=[("Old letter.", source)])
    source.title = "Renamed"
    with pytest.raises(RecordChangeRefused):
        ChangePublicRecord(source, researcher).check()


def test_a_country_without_a_published_profile_is_not_public(researcher):
    country = make_country("Atlantis")
    make_edition(make_profile(country))
    country.official_name = "Kingdom of Atlantis"
    ChangePublicRecord(country, researcher).check()  # no refusal


# --- the other writers -----------------------------------------------------------------------


def source_import(*rows):
    return tablib.Dataset(
        *rows, headers=["id", "kind", "title", "author", "date", "reference_number", "url"]
    )


def dry_run_import(client, source, title):
    """Upload a CSV renaming `source` to the Sources import page: the dry run's response."""
    dataset = source_import([source.pk, "letter", title, "", "", "", ""])
    return client.post(
        reverse("admin:sources_source_import"),
        {
            "format": admin.site._registry[Source].get_import_formats().index(CSV),
            "import_file": SimpleUploadedFile("sources.csv", dataset.csv.encode()),
        },
    )


def confirm_import(client, dry_run):
    confirm = dry_run.context["confirm_form"]
    data = {name: confirm[name].value() for name in confirm.fields}
    return client.post(reverse("admin:sources_source_process_import"), data, follow=True)


def test_researchers_import_no_sources_not_even_with_an_editors_dry_run(
    client, researcher, editor, public_source
):
    client.force_login(researcher)
    assert dry_run_import(client, public_source, "Renamed by import").status_code == 403
    # Nor by posting the confirmation of a dry run that passed for someone else.
    client.force_login(editor)
    passed = dry_run_import(client, public_source, "Renamed by import")
    client.force_login(researcher)
    assert confirm_import(client, passed).status_code == 403
    assert Source.objects.get(pk=public_source.pk).title != "Renamed by import"
    assert not RecordChange.objects.exists()


def test_an_import_by_an_editor_is_recorded(client, editor, public_source):
    client.force_login(editor)

    done = confirm_import(client, dry_run_import(client, public_source, "Renamed by import"))

    assert "1 updated" in " ".join(messages_of(done))
    assert Source.objects.get(pk=public_source.pk).title == "Renamed by import"
    entry, whole_file = RecordChange.objects.order_by("object_id")[::-1]
    assert (entry.actor, entry.comment) == (editor, "Imported from sources.csv")
    assert entry.object_id == str(public_source.pk)
    assert (whole_file.object_id, whole_file.comment) == ("", "Imported from sources.csv")
    assert Version.objects.get_for_object(public_source).first().revision.user == editor


def test_an_import_by_a_researcher_may_change_a_source_only_drafts_cite(researcher, draft_source):
    dataset = source_import([draft_source.pk, "interview", "Renamed by import", "", "", "", ""])
    result = SourceResource().import_data(dataset, user=researcher)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Source.objects.get(pk=draft_source.pk).title == "Renamed by import"


@pytest.mark.parametrize(
    "model", [Country, Topic, Report, TreatyStatus, Source], ids=lambda m: m.__name__
)
def test_researchers_cannot_import_reference_data(client, researcher, editor, model):
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_import")
    client.force_login(researcher)
    assert client.get(url).status_code == 403
    client.force_login(editor)
    assert client.get(url).status_code == 200


def test_merging_public_sources_is_recorded_and_redirects_the_merged_page(client, editor):
    keep = make_source("Letter from the Ministry of Foreign Affairs, 30 April 2010")
    copy = make_source("Letter from the MFA, 30 April 2010", reference_number="011-14/809")
    make_edition(state=S.PUBLISHED, footnotes=[("Letter.", keep), ("Same.", copy)])

    merge_sources(keep, [keep, copy], actor=editor)

    entries = {entry.object_id: entry for entry in RecordChange.objects.all()}
    assert entries[str(keep.pk)].changes["reference_number"] == {"old": "", "new": "011-14/809"}
    assert str(copy.pk) in entries
    response = client.get(f"/sources/{copy.pk}/")
    assert (response.status_code, response["Location"]) == (301, f"/sources/{keep.pk}/")


def test_merging_public_sources_needs_the_permission(make_user, public_source):
    merger = make_user("merger")
    merger.user_permissions.add(
        Permission.objects.get(codename="merge_source"),
        Permission.objects.get(codename="change_source"),
        Permission.objects.get(codename="view_source"),
    )
    copy = make_source("Letter from the MFA")
    with pytest.raises(MergeRefused, match=REFUSED):
        merge_sources(public_source, [copy], actor=merger)
    assert Source.objects.filter(pk=copy.pk).exists()


def test_the_audit_entries_are_read_only_for_everyone(client, superuser, editor, public_source):
    public_source.title = "Renamed"
    entry = ChangePublicRecord(public_source, editor).execute()
    client.force_login(superuser)

    assert client.get(reverse("admin:reports_recordchange_changelist")).status_code == 200
    assert client.get(reverse("admin:reports_recordchange_add")).status_code == 403
    page = client.get(change_url(entry))
    assert page.status_code == 200
    assert not page.context["has_change_permission"]
    assert not page.context["has_delete_permission"]
    delete = reverse("admin:reports_recordchange_delete", args=[entry.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    assert RecordChange.objects.filter(pk=entry.pk).exists()
