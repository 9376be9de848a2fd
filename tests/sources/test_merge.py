"""Editors merge duplicate sources: citations move, nothing is lost, the merge is a revision."""

import pytest
from reversion.models import Revision, Version

from reports.models import Edition
from sources.merge import MergeRefused, merge_sources
from sources.models import Citation, Source, SourceAlias
from tests.builders import make_edition, make_source

pytestmark = pytest.mark.django_db


@pytest.fixture
def duplicates():
    keep = make_source(
        "Letter from the Ministry of Foreign Affairs, 30 April 2010", identity_key="a"
    )
    copy = make_source(
        "Letter from the MFA, 30 April 2010",
        identity_key="b",
        reference_number="011-14/809",
    )
    published = make_edition(state=Edition.State.PUBLISHED, footnotes=[("Letter.", keep)])
    draft = make_edition(footnotes=[("Same letter.", copy), ("Again.", copy, keep)])
    return keep, copy, published, draft


def test_citations_move_to_the_kept_source(duplicates, editor):
    keep, copy, published, draft = duplicates

    merged, moved = merge_sources(keep, [keep, copy], actor=editor)

    assert moved == 2
    assert not Source.objects.filter(pk=copy.pk).exists()
    assert Citation.objects.filter(source=keep).count() == 4
    assert merged.reference_number == "011-14/809"  # filled from the duplicate
    assert SourceAlias.objects.get(identity_key="b").source == keep


def test_the_merge_is_one_revision_that_remembers_the_deleted_source(duplicates, editor):
    keep, copy, _, _ = duplicates
    merge_sources(keep, [copy], actor=editor)

    revision = Revision.objects.get(comment__startswith="Merged 1 source")
    assert revision.user == editor
    deleted = Version.objects.get_deleted(Source).get()
    assert deleted.object_id == str(copy.pk)
    assert deleted.field_dict["title"] == "Letter from the MFA, 30 April 2010"


def test_merging_a_source_with_itself_is_refused(duplicates):
    keep, *_ = duplicates
    with pytest.raises(MergeRefused):
        merge_sources(keep, [keep])


def test_admin_action_asks_which_to_keep_then_merges(client, editor, duplicates):
    keep, copy, _, _ = duplicates
    client.force_login(editor)
    url = "/admin/sources/source/"
    data = {"action": "merge_selected", "_selected_action": [keep.pk, copy.pk]}

    confirm = client.post(url, data)
    assert confirm.status_code == 200
    assert "Choose the source to keep" in confirm.text

    done = client.post(url, {**data, "keep": copy.pk}, follow=True)
    assert "2 citation(s) moved" in done.text
    assert list(Source.objects.all()) == [copy]


def test_researchers_cannot_merge(client, researcher, duplicates):
    keep, copy, _, _ = duplicates
    client.force_login(researcher)
    data = {"action": "merge_selected", "_selected_action": [keep.pk, copy.pk], "keep": keep.pk}
    client.post("/admin/sources/source/", data)
    assert Source.objects.count() == 2
