"""A source's public page: the source and every published footnote citing it."""

import datetime

import pytest
from django.urls import reverse

from reports.models import Edition
from tests.builders import make_country, make_edition, make_profile, make_source, make_topic

pytestmark = pytest.mark.django_db


def test_source_page_lists_citing_notes_by_country_and_year(client):
    letter = make_source(
        "Letter 011-14/809 from the Ministry of Foreign Affairs, 30 April 2010",
        kind="letter",
        date=datetime.date(2010, 4, 30),
        reference_number="011-14/809",
    )
    topic = make_topic("Mine Ban Policy")
    kyrgyz = make_profile(make_country("Kyrgyzstan"), topic)
    kazakh = make_profile(make_country("Kazakhstan"), topic)
    old = make_edition(
        kyrgyz,
        state=Edition.State.SUPERSEDED,
        last_updated=datetime.date(2011, 6, 1),
        footnotes=(("Letter 011-14/809.", letter),),
    )
    make_edition(
        kyrgyz,
        state=Edition.State.PUBLISHED,
        sections=(("Policy", "Text.[1] More.[2]"),),
        footnotes=(("Letter 011-14/809.", letter), ("Ibid.", letter)),
    )
    make_edition(kazakh, state=Edition.State.PUBLISHED, footnotes=(("The letter.", letter),))
    make_edition(make_profile(make_country("Draftland"), topic), footnotes=(("Draft.", letter),))

    response = client.get(reverse("public:source", args=[letter.pk]))
    assert response.status_code == 200
    page = response.text
    assert "Letter 011-14/809 from the Ministry of Foreign Affairs" in page
    assert "30 April 2010" in page and "011-14/809" in page
    assert "Cited in 4 published notes" in page
    assert page.index("Kazakhstan") < page.index("Kyrgyzstan")  # countries by name
    assert page.index("18 December 2019") < page.index("1 June 2011")  # newest first
    assert "/countries/kyrgyzstan/mine-ban-policy/#note-2" in page
    assert f"/countries/kyrgyzstan/mine-ban-policy/2011/{old.pk}/#note-1" in page
    assert "(archived)" in page
    assert "Draftland" not in page


def test_a_source_cited_only_by_drafts_is_not_found(client):
    edition = make_edition()
    source = edition.footnotes.get().sources.get()
    assert client.get(reverse("public:source", args=[source.pk])).status_code == 404
    assert client.get(reverse("public:source", args=[999999])).status_code == 404


def test_notes_of_two_editions_of_one_year_link_to_each_edition(client):
    letter = make_source("Letter from the Ministry of Defence")
    profile = make_profile(make_country("Serbia"), make_topic("Mine Action"))
    march, september = (
        make_edition(
            profile,
            state=Edition.State.SUPERSEDED,
            last_updated=datetime.date(2015, month, 1),
            footnotes=(("The letter.", letter),),
        )
        for month in (3, 9)
    )
    make_edition(profile, state=Edition.State.PUBLISHED, last_updated=datetime.date(2016, 1, 5))
    page = client.get(reverse("public:source", args=[letter.pk])).text
    assert f"/countries/serbia/mine-action/2015/{march.pk}/#note-1" in page
    assert f"/countries/serbia/mine-action/2015/{september.pk}/#note-1" in page
