"""Every save of editorial content is a django-reversion revision holding the whole edition."""

import pytest
import reversion
from django.contrib.contenttypes.models import ContentType
from reversion.models import Version

from reports.editions import workflow
from reports.editions.revisions import record_written_rows
from reports.editions.snapshot import content_of_version
from reports.models import Edition, Section
from sources.models import Citation
from tests.builders import make_edition, make_profile, make_source

pytestmark = pytest.mark.django_db


def versioned_models(revision):
    return {
        ContentType.objects.get_for_id(v.content_type_id).model_class()
        for v in revision.version_set.all()
    }


def test_one_revision_captures_edition_sections_footnotes_and_citations(researcher):
    edition = make_edition(
        sections=[("Policy", "Text.[1]"), ("Use", "More.[2]")],
        footnotes=[("Letter one.",), ("Letter two.",)],
    )
    with reversion.create_revision():
        reversion.set_user(researcher)
        reversion.set_comment("Edited the summary")
        edition.summary = "Key developments"
        edition.save()

    version = Version.objects.get_for_object(edition).get()
    revision = version.revision
    assert revision.user == researcher
    assert revision.comment == "Edited the summary"
    # The whole edition is one Version: its fields and its content in one document.
    assert versioned_models(revision) == {Edition}
    assert version.field_dict["summary"] == "Key developments"
    content = content_of_version(version)
    assert [heading for _, heading, _ in content["sections"]] == ["Policy", "Use"]
    assert [(number, text) for number, text, _ in content["footnotes"]] == [
        (1, "Letter one."),
        (2, "Letter two."),
    ]
    cited = [citations for _, _, citations in content["footnotes"]]
    assert [[source for _, source, _ in c] for c in cited] == [
        list(edition.footnotes.get(number=n).sources.values_list("pk", flat=True)) for n in (1, 2)
    ]


def test_a_revision_of_a_large_edition_is_written_in_a_fixed_number_of_queries(
    researcher, django_assert_max_num_queries
):
    edition = make_edition(
        sections=[("Policy", "".join(f"Text.[{n}]" for n in range(1, 151)))],
        footnotes=[(f"Letter {n}.",) for n in range(1, 151)],
    )
    # Its own fields, then its overview, sections, notes with their citations, and figures.
    with django_assert_max_num_queries(11), reversion.create_revision():
        reversion.set_user(researcher)
        reversion.add_to_revision(edition)
    assert Version.objects.get_for_object(edition).count() == 1


def test_revision_restores_a_section_text(researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    with reversion.create_revision():
        Section.objects.create(edition=edition, position=1, heading="Policy", body="Original.")
        reversion.add_to_revision(edition)
    revision = Version.objects.get_for_object(edition).first().revision
    section = edition.sections.get()
    section.body = "Rewritten."
    section.save()

    workflow.revert(edition, revision, researcher)

    assert edition.sections.get().body == "Original."


def test_saving_an_edition_in_the_admin_records_a_revision_with_its_author(client, researcher):
    edition = make_edition()
    client.force_login(researcher)
    url = f"/admin/reports/edition/{edition.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    data.update(management_forms(client.get(url).context))
    data["summary"] = "Key developments since May 2003: none."
    response = client.post(url, data)
    assert response.status_code == 302, response.context and response.context.get("errors")

    version = Version.objects.get_for_object(edition).get()
    assert version.revision.user == researcher
    assert version.field_dict["summary"] == "Key developments since May 2003: none."
    # Unchanged rows are not written again: the edition's one Version holds them.
    assert versioned_models(version.revision) == {Edition}
    assert len(content_of_version(version)["sections"]) == edition.sections.count()


def management_forms(context):
    """The inline formsets' current rows as POST data, unchanged."""
    data = {}
    for inline in context["inline_admin_formsets"]:
        formset = inline.formset
        prefix = formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(len(formset.forms))
        data[f"{prefix}-INITIAL_FORMS"] = str(formset.initial_form_count())
        for index, form in enumerate(formset.forms):
            for name, field in form.fields.items():
                value = form.initial.get(name, field.initial)
                if hasattr(value, "pk"):
                    value = value.pk
                data[f"{prefix}-{index}-{name}"] = "" if value is None else value
    return data


@pytest.mark.parametrize("whole_content", [False, True])
def test_rows_recorded_in_bulk_are_the_versions_reversion_itself_would_write(
    researcher, whole_content
):
    first, second = make_source(), make_source()
    edition = make_edition(
        sections=[("Policy", "Text.[1][2]"), ("Stockpile", "More.[3]")],
        footnotes=[("Letter, 4 May 2004.", second, first), ("Interview.",), ("Report.", first)],
        overview=[("Treaty status", "State Party"), ("Stockpile", "None")],
    )
    content = [
        edition,
        *edition.sections.all(),
        *edition.footnotes.all(),
        *Citation.objects.filter(footnote__edition=edition),
        *edition.overview_facts.all(),
    ]
    # As an importer writes them: not in the order they are read back.
    content.reverse()
    with reversion.create_revision():
        reversion.add_to_revision(edition)
    by_reversion = Version.objects.get_for_object(edition).get().revision

    by_bulk = record_written_rows(
        content, comment="Imported from seed.txt", user=researcher, whole_content=whole_content
    )

    def stored(revision):
        return {
            (v.content_type_id, v.object_id): (
                v.format,
                v.db,
                v.field_dict,
                v.object_repr,
                content_of_version(v),
            )
            for v in revision.version_set.all()
        }

    assert by_bulk.comment == "Imported from seed.txt" and by_bulk.user == researcher
    assert stored(by_bulk) == stored(by_reversion)


def test_bulk_recorded_revision_restores_the_edition(researcher):
    edition = make_edition(sections=[("Policy", "Original text.")], overview=[])
    revision = record_written_rows([edition, *edition.sections.all()], comment="Imported")
    section = edition.sections.get()
    section.body = "Rewritten."
    section.save()

    workflow.revert(edition, revision, researcher)

    assert edition.sections.get().body == "Original text."


def test_only_registered_models_can_be_recorded():
    with pytest.raises(TypeError, match="not registered"):
        record_written_rows([ContentType.objects.first()], comment="Nothing")


def test_the_admin_form_records_the_edition_as_saved_with_its_inlines(client, researcher):
    edition = workflow.start_draft(make_profile(), researcher)
    Section.objects.create(edition=edition, position=1, heading="Policy", body="Before.")
    client.force_login(researcher)
    url = f"/admin/reports/edition/{edition.pk}/change/"
    context = client.get(url).context
    form = context["adminform"].form
    data = {
        name: ("" if value is None else value)
        for name, value in form.initial.items()
        if name in form.fields and not isinstance(value, list)
    }
    data.update(management_forms(context))
    data["sections-0-body"] = "After."

    assert client.post(url, data).status_code == 302

    newest = Version.objects.get_for_object(edition).first()
    assert content_of_version(newest)["sections"] == [[1, "Policy", "After."]]
