"""Treaty status lists in the Monitor's notation: read line by line, all or nothing."""

import datetime
import io
import time

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from reversion.models import Version

from reports import treaties
from reports.models import RecordChange, TreatyStatus
from tests.builders import make_country, make_treaty_status
from tests.reports.test_workflow_admin import messages_of

pytestmark = pytest.mark.django_db

MBT = TreatyStatus.Treaty.MINE_BAN_TREATY
LIST = """Andorra 9 Apr 13 (a)
Afghanistan 3 Dec 08; 8 Sep 11

Angola 3 Dec 1997
kyrgyz republic 12 September 97 ; 5 Jan 2004
"""


@pytest.fixture
def countries():
    return {
        name: make_country(name, **fields)
        for name, fields in [
            ("Andorra", {"iso_code": "AND"}),
            ("Afghanistan", {}),
            ("Angola", {}),
            ("Kyrgyzstan", {"aliases": "Kyrgyz Republic"}),
        ]
    }


def test_the_notation_reads_accession_signature_ratification_and_signature(countries):
    lines = treaties.parse(LIST)

    assert [line.error for line in lines] == ["", "", "", ""]
    read = {
        line.country.name: (line.status, line.signed_on, line.consent_on, line.consent_by)
        for line in lines
    }
    D = datetime.date
    assert read == {
        "Andorra": ("state_party", None, D(2013, 4, 9), "accession"),
        "Afghanistan": ("state_party", D(2008, 12, 3), D(2011, 9, 8), "ratification"),
        "Angola": ("signatory", D(1997, 12, 3), None, ""),
        "Kyrgyzstan": ("state_party", D(1997, 9, 12), D(2004, 1, 5), "ratification"),
    }
    assert [line.number for line in lines] == [1, 2, 4, 5]


def test_an_import_writes_every_line_as_one_revision_and_one_audit_entry(countries, editor):
    make_treaty_status(countries["Angola"], MBT, status="not_party")

    treaties.import_list(LIST, MBT, editor, "a pasted list")

    statuses = {s.country.name: s.status for s in TreatyStatus.objects.select_related("country")}
    assert statuses == {
        "Andorra": "state_party",
        "Afghanistan": "state_party",
        "Angola": "signatory",
        "Kyrgyzstan": "state_party",
    }
    revisions = {v.revision for v in Version.objects.get_for_model(TreatyStatus)}
    assert [(r.comment, r.user) for r in revisions] == [("Imported from a pasted list", editor)]
    entry = RecordChange.objects.get()
    assert entry.changes["line 4: Angola"] == {"old": "", "new": "update"}
    assert entry.changes["line 1: Andorra"] == {"old": "", "new": "new"}


BAD = """Andorra 9 Apr 13 (a)
Atlantis 1 Jan 01
Afghanistan 3 Dec 08; 8 Sep 11 (a)
Angola 31 Feb 08
Andorra 1 May 14
Kyrgyzstan 9 Smarch 13
Kyrgyzstan
Afghanistan 8 Sep 11; 3 Dec 08
"""


def test_bad_lines_are_reported_one_by_one_and_nothing_is_written(countries, editor):
    lines = treaties.import_list(BAD, MBT, editor)

    errors = {line.number: line.error for line in lines if line.error}
    assert errors == {
        2: "No country is called “Atlantis”.",
        3: "An accession has one date: “(a)” after two dates.",
        4: "“31 Feb 2008” is not a date.",
        5: "Andorra is listed twice (also on line 1).",
        6: "“Smarch” is not a month.",
        7: "Expected “Country day month year”, then “; day month year” for a ratification "
        "or “(a)” for an accession.",
        8: "The ratification comes before the signature.",
    }
    assert not TreatyStatus.objects.exists()
    assert not RecordChange.objects.exists()


def test_a_pathological_line_is_read_at_once(countries):
    started = time.monotonic()
    lines = treaties.parse("Andorra " + "9 " * 100_000 + "\n" + "A" * 1_000_000 + " 1 Jan")
    assert time.monotonic() - started < 1
    assert all(line.error for line in lines)


def test_the_admin_reads_the_list_then_imports_it_once_confirmed(client, countries, editor):
    client.force_login(editor)
    url = reverse("admin:reports_treatystatus_paste")

    preview = client.post(url, {"treaty": MBT, "text": LIST, "confirm": "0"})
    assert "4 lines read: confirm to write them" in preview.text
    assert "State Party by accession on 09 April 2013" in preview.text
    assert not TreatyStatus.objects.exists()

    done = client.post(url, {"treaty": MBT, "text": LIST, "confirm": "1"}, follow=True)
    assert "4 treaty status(es) of the Mine Ban Treaty imported." in messages_of(done)
    assert TreatyStatus.objects.count() == 4


def test_the_admin_lists_each_bad_line_and_offers_no_confirmation(client, countries, editor):
    client.force_login(editor)
    url = reverse("admin:reports_treatystatus_paste")

    refused = client.post(url, {"treaty": MBT, "text": BAD, "confirm": "1"})

    assert "7 lines to correct" in refused.text
    assert "Line 2: “Atlantis 1 Jan 01”: No country is called “Atlantis”." in refused.text
    assert 'value="1"' not in refused.text
    assert not TreatyStatus.objects.exists()


def test_researchers_may_not_paste_a_list(client, researcher):
    client.force_login(researcher)
    assert client.get(reverse("admin:reports_treatystatus_paste")).status_code == 403


def test_the_command_imports_a_list_and_reports_bad_lines(tmp_path, countries):
    good, bad = tmp_path / "mbt.txt", tmp_path / "bad.txt"
    good.write_text(LIST)
    bad.write_text(BAD)
    out, err = io.StringIO(), io.StringIO()

    call_command("import_treaty_list", "mbt", str(good), stdout=out)
    with pytest.raises(CommandError, match="7 bad line"):
        call_command("import_treaty_list", "ccm", str(bad), stderr=err)

    assert "4 treaty status(es) imported from mbt.txt." in out.getvalue()
    assert err.getvalue().splitlines()[0] == (
        "Line 2: Atlantis 1 Jan 01: No country is called “Atlantis”."
    )
    assert not TreatyStatus.objects.filter(treaty="ccm").exists()
