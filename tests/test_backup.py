"""`make backup` / `make restore`: a round trip keeps every edition, revision, footnote,
citation and source (counts and content hashes), and no page of the replaced data is served."""

import hashlib

import pytest
from django.core.management import call_command
from django.urls import reverse
from reversion.models import Revision, Version

from reports.editions import workflow
from reports.models import Edition, OverviewFact, PublicationClock, Section
from sources.models import Citation, Footnote, Source
from tests.builders import make_edition, make_source
from tests.reports.public_helpers import make_site

pytestmark = pytest.mark.django_db(transaction=True)

KEPT = [Edition, Section, OverviewFact, Footnote, Citation, Source, Revision, Version]


def fingerprint():
    """Per model: the row count and a hash of every row's values, in id order."""
    out = {}
    for model in KEPT:
        rows = list(model.objects.order_by("pk").values_list())
        out[model.__name__] = (len(rows), hashlib.sha256(repr(rows).encode()).hexdigest())
    return out


def test_a_backup_restored_gives_back_every_row_and_no_cached_page_of_later_data(
    client, tmp_path, roles, editor, publisher
):
    site = make_site(notes=4)
    draft = workflow.start_draft(site["profile"], editor)
    workflow.submit(draft, editor)
    before = fingerprint()
    assert all(count for count, _ in before.values()), before
    url = reverse("public:profile", args=[site["country"].slug, site["topic"].slug])
    page = client.get(url).content
    path = tmp_path / "monitor.backup"
    call_command("backup", str(path))

    # Afterwards: a withdraw, new content, a new source; the page is cached again.
    workflow.withdraw(site["current"], publisher, "By mistake", restore_previous=False)
    make_edition(state=Edition.State.PUBLISHED, footnotes=(("Another note.", make_source()),))
    assert client.get(url).status_code == 410  # taken offline: Gone
    assert fingerprint() != before
    tick_before_restore = PublicationClock.objects.get().tick

    call_command("restore", str(path), "--yes")

    assert fingerprint() == before
    assert PublicationClock.objects.get().tick > tick_before_restore
    assert client.get(url).content == page


def test_restoring_a_missing_file_says_so(tmp_path):
    with pytest.raises(Exception, match="No backup at"):
        call_command("restore", str(tmp_path / "nothing"), "--yes")
