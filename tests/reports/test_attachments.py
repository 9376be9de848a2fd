"""Files attached to reports and editions (reports.attachments, reports.public.files): stored
through the storage API under unguessable names, checked on upload, and served to the public
only while what holds them is published."""

import json

import pytest
import reversion
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection, transaction
from django.urls import reverse
from django.utils.timezone import now
from reversion.models import Version
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from reports.editions import workflow
from reports.editions.freeze import FrozenEdition, lifecycle
from reports.models import Edition, Figure, Report
from tests.builders import (
    PDF_BYTES,
    make_country,
    make_edition,
    make_figure,
    make_profile,
    png_bytes,
)

from .public_helpers import make_site

pytestmark = pytest.mark.django_db

S = Edition.State


def report_form(client, report):
    """The report's change form as the browser posts it back, unchanged."""
    url = reverse("admin:reports_report_change", args=[report.pk])
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list) and name != "pdf"
    }
    return url, data


def upload(name, content, kind="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=kind)


# --- the report's PDF ---------------------------------------------------------------------


def test_an_editor_attaches_the_report_pdf_and_readers_download_it(client, editor):
    site = make_site()
    report = site["report"]
    client.force_login(editor)
    url, data = report_form(client, report)
    data["pdf"] = upload("Landmine Monitor 2019.pdf", PDF_BYTES * 40, "application/pdf")
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    report.refresh_from_db()
    # Stored under a random folder: the name gives nothing away and cannot be guessed.
    folder, token, name = report.pdf.name.rsplit("/", 2)
    assert folder == "attachments/reports" and len(token) >= 24
    assert name == "landmine-monitor-2019.pdf"
    assert report.pdf_size == len(PDF_BYTES) * 40

    client.logout()
    page = HTMLParser(client.get(reverse("public:report", args=["landmine-monitor", 2019])).text)
    link = page.css_first("a.report-pdf")
    assert link.text() == "Download the report (PDF, 3 kB)"
    response = client.get(link.attributes["href"])
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("attachment;")
    assert "sandbox" in response["Content-Security-Policy"]
    assert b"".join(response.streaming_content) == PDF_BYTES * 40


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("map.svg", b"<svg onload='alert(1)'/>", "SVG files are not accepted"),
        ("report.pdf", png_bytes(), "does not hold one"),
        ("report.exe", b"MZ", "Only PDF files are accepted here"),
        ("report.pdf", b"%PDF-1.4" + b"x" * 2_000_000, "the limit is 1 MB"),
    ],
)
def test_a_refused_report_file_is_a_form_error_and_nothing_is_saved(
    client, editor, settings, name, content, message
):
    settings.ATTACHMENT_MAX_MB = 1
    report = make_site()["report"]
    client.force_login(editor)
    url, data = report_form(client, report)
    data["pdf"] = upload(name, content)
    response = client.post(url, data)
    assert response.status_code == 200
    assert message in str(response.context["errors"])
    report.refresh_from_db()
    assert not report.pdf


def test_a_researcher_cannot_attach_a_report_pdf(client, researcher):
    report = make_site()["report"]
    client.force_login(researcher)
    url = reverse("admin:reports_report_change", args=[report.pk])
    response = client.post(url, {"title": report.title, "pdf": upload("r.pdf", PDF_BYTES)})
    assert response.status_code == 403
    report.refresh_from_db()
    assert not report.pdf


def test_the_pdf_of_a_report_not_yet_public_is_for_staff_only(client, editor):
    report = Report.objects.create(series="Landmine Monitor", year=2031)
    report.pdf.save("embargoed.pdf", ContentFile(PDF_BYTES))
    make_edition(report=report, state=S.APPROVED)  # approved, not published
    url = reverse("public:report_pdf", args=["landmine-monitor", 2031])
    assert client.get(url).status_code == 404
    # Staff check it before the release, from the report's admin page; never cached.
    client.force_login(editor)
    admin_page = client.get(reverse("admin:reports_report_change", args=[report.pk])).text
    assert f"href='{url}'" in admin_page
    response = client.get(url)
    assert response.status_code == 200 and response["Cache-Control"] == "private, no-store"


def test_a_change_of_a_public_reports_pdf_is_recorded(client, editor):
    from reports.models import RecordChange

    report = make_site()["report"]
    client.force_login(editor)
    url, data = report_form(client, report)
    data["pdf"] = upload("r.pdf", PDF_BYTES)
    assert client.post(url, data).status_code == 302
    entry = RecordChange.objects.for_record(report).get()
    assert list(entry.changes) == ["pdf"]
    assert entry.changes["pdf"]["old"] == "" and entry.changes["pdf"]["new"].endswith("/r.pdf")


# --- figures (maps) on editions --------------------------------------------------------------


def test_a_published_editions_map_is_a_figure_with_its_caption_and_text_alternative(client):
    site = make_site()
    figure = make_figure(
        site["current"], alt_text="Map: suspected hazardous areas", caption="Areas in 2019."
    )
    page = HTMLParser(client.get(site["profile"].get_absolute_url()).text)
    shown = page.css_first("section#figures figure img")
    url = reverse("public:figure", args=["kazakhstan", "mine-ban-policy", figure.pk])
    assert shown.attributes["src"] == url
    assert shown.attributes["alt"] == "Map: suspected hazardous areas"
    assert (shown.attributes["width"], shown.attributes["height"]) == ("4", "3")
    assert page.css_first("section#figures figcaption").text() == "Areas in 2019."
    assert page.css_first('nav.toc a[href="#figures"]') is not None
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png"
    assert response["Cache-Control"].startswith("public")
    assert b"".join(response.streaming_content) == png_bytes()


@pytest.mark.parametrize("state", [S.DRAFT, S.IN_REVIEW, S.APPROVED])
def test_an_unpublished_editions_map_answers_404_to_the_public(client, state):
    edition = make_edition(state=state)
    figure = make_figure(edition)
    profile = edition.profile
    url = reverse("public:figure", args=[profile.country.slug, profile.topic.slug, figure.pk])
    assert client.get(url).status_code == 404
    # The stored name is no way in either: the web server does not serve MEDIA_ROOT, and the
    # development server's /media/ only runs with DEBUG.
    assert client.get("/media/" + figure.image.name).status_code == 404


def test_a_withdrawn_editions_map_is_gone_with_it(client, publisher):
    site = make_site()
    figure = make_figure(site["current"])
    url = reverse("public:figure", args=["kazakhstan", "mine-ban-policy", figure.pk])
    assert client.get(url).status_code == 200
    workflow.withdraw(site["current"], publisher, "Wrong map.")
    assert client.get(url).status_code == 404


def test_a_figure_answers_only_at_its_own_profiles_address(client):
    site = make_site()
    figure = make_figure(site["current"])
    norway = make_profile(make_country("Norway"), site["topic"])
    make_edition(norway, state=S.PUBLISHED)
    url = reverse("public:figure", args=["norway", "mine-ban-policy", figure.pk])
    assert client.get(url).status_code == 404


def test_staff_preview_shows_a_drafts_map_privately(client, researcher):
    edition = make_edition()
    figure = make_figure(edition)
    client.force_login(researcher)
    preview = HTMLParser(client.get(reverse("edition_preview", args=[edition.pk])).text)
    src = preview.css_first("section#figures img").attributes["src"]
    response = client.get(src)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    assert figure.pk == int(src.rstrip("/").rsplit("/", 1)[1])


def test_a_published_editions_map_never_changes(client):
    edition = make_edition(state=S.PUBLISHED)
    figure = make_figure(edition)
    with pytest.raises(FrozenEdition), transaction.atomic():
        Figure.objects.filter(pk=figure.pk).update(alt_text="Changed")
    with pytest.raises(FrozenEdition), transaction.atomic():
        figure.delete()
    if connection.vendor == "postgresql":  # SQLite's deletes are guarded in Python only
        with pytest.raises(FrozenEdition), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM reports_figure WHERE id = %s", [figure.pk])
    assert Figure.objects.get(pk=figure.pk).alt_text == "Map of the mined areas"


def test_a_map_is_added_to_a_draft_only_and_copied_into_the_next_draft(researcher):
    site = make_site()
    published = make_figure(site["current"], caption="2019.")
    draft = workflow.start_draft(site["profile"], researcher)
    copied = draft.figures.get()
    assert copied.pk != published.pk
    assert (copied.image.name, copied.caption, copied.width) == (
        published.image.name,
        "2019.",
        4,
    )
    copied.caption = "2020."
    copied.save()
    assert Figure.objects.get(pk=published.pk).caption == "2019."


def edition_form(client, edition):
    from tests.reports.test_revisions import management_forms

    url = reverse("admin:reports_edition_change", args=[edition.pk])
    response = client.get(url)
    form = response.context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    data.update(management_forms(response.context))
    return url, data


def test_a_researcher_adds_a_map_to_a_draft_in_the_admin(client, researcher):
    edition = make_edition()
    client.force_login(researcher)
    url, data = edition_form(client, edition)
    data.update(
        {
            "figures-TOTAL_FORMS": "1",
            "figures-0-position": "1",
            "figures-0-image": upload("Mined areas.png", png_bytes(), "image/png"),
            "figures-0-alt_text": "Map of the mined areas in the north",
            "figures-0-caption": "Survey of 2019.",
        }
    )
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context["errors"]
    figure = edition.figures.get()
    assert figure.image.name.startswith("attachments/figures/")
    assert (figure.width, figure.height) == (4, 3)


@pytest.mark.parametrize(
    "name, content, alt, message",
    [
        ("map.svg", b"<svg xmlns='http://www.w3.org/2000/svg'/>", "Map", "SVG files"),
        ("map.png", b"%PDF-1.4 not an image", "Map", "Upload a valid image"),
        ("map.png", png_bytes(), "", "This field is required"),
    ],
)
def test_a_refused_map_is_a_form_error_and_nothing_is_saved(
    client, researcher, name, content, alt, message
):
    edition = make_edition()
    client.force_login(researcher)
    url, data = edition_form(client, edition)
    data.update(
        {
            "figures-TOTAL_FORMS": "1",
            "figures-0-position": "1",
            "figures-0-image": upload(name, content),
            "figures-0-alt_text": alt,
        }
    )
    response = client.post(url, data)
    assert response.status_code == 200
    errors = str([f.errors for f in response.context["inline_admin_formsets"][2].formset])
    assert message in errors
    assert not edition.figures.exists()


def test_the_pdf_of_an_edition_holds_its_map(client):
    site = make_site()
    make_figure(site["current"])
    response = client.get(reverse("public:profile_pdf", args=["kazakhstan", "mine-ban-policy"]))
    assert response.status_code == 200
    assert b"/Subtype /Image" in response.content or b"/Image" in response.content


@pytest.mark.parametrize("name", ["attachments/figures/gone/map.png", "../../etc/passwd"])
def test_a_figure_whose_file_is_missing_or_outside_the_storage_answers_404(client, name):
    edition = make_edition()
    figure = make_figure(edition)
    # As a database restored without its files would have it, or a name written by hand.
    Figure.objects.filter(pk=figure.pk).update(image=name)
    with lifecycle():
        Edition.objects.filter(pk=edition.pk).update(state=S.PUBLISHED, published_at=now())
    profile = edition.profile
    url = reverse("public:figure", args=[profile.country.slug, profile.topic.slug, figure.pk])
    assert client.get(url).status_code == 404


def draft_with_a_map_saved(researcher):
    """A draft copying a published edition's map, and the Version of its first revision."""
    site = make_site()
    make_figure(site["current"], caption="The 2019 map.")
    draft = workflow.start_draft(site["profile"], researcher)
    with reversion.create_revision():
        reversion.add_to_revision(draft)
    return draft, Version.objects.get_for_object(draft).first()


def test_a_drafts_maps_are_part_of_its_revisions_and_revert_with_it(researcher):
    draft, first = draft_with_a_map_saved(researcher)
    draft.figures.update(caption="A caption rewritten.")
    make_figure(draft, position=2, caption="A second map.")

    workflow.revert(draft, first.revision, researcher)

    assert list(draft.figures.values_list("position", "caption")) == [(1, "The 2019 map.")]


def test_reverting_to_a_revision_from_before_maps_were_stored_keeps_the_maps(researcher):
    draft, version = draft_with_a_map_saved(researcher)
    data = json.loads(version.serialized_data)
    del data[0]["content"]["figures"]
    Version.objects.filter(pk=version.pk).update(serialized_data=json.dumps(data))

    workflow.revert(draft, version.revision, researcher)

    assert list(draft.figures.values_list("caption", flat=True)) == ["The 2019 map."]
