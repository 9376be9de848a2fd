"""Build the public-site benchmark data set in PostgreSQL, fast, with bulk_create.

    createdb -h 127.0.0.1 -U postgres monitor_bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/monitor_bench \
        .venv/bin/python bench/public_dataset.py [--scale 4]

About 200 countries x 6 topics x 20 yearly editions (2006-2025): the newest edition of each
profile is published, the 19 before it superseded (the archive). Each edition has a summary,
an overview, 5 sections and footnotes: 150 on every tenth country's profiles (the "larger
profiles", e.g. Kazakhstan's), 24 elsewhere. Prose is made of sentences of the seed documents
(read from ../shared/seeds, not copied) with the country's name and year put in, plus a few
generated rare words, so search sees realistic word frequencies. Every run starts from empty
tables. Prints what it built and how long it took.

`--scale N` builds N times as many countries (the names again with a numeral: "Chad 2"), so
N times the profiles, editions and rows, for the growth figures of `make bench`.
"""

import argparse
import datetime
import functools
import multiprocessing
import os
import random
import re
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "monitor.settings")
os.environ.setdefault("SECRET_KEY", "benchmark-only-secret-key")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.utils.text import slugify  # noqa: E402

from bench.countries import COUNTRIES, scaled  # noqa: E402
from reports.editions.freeze import lifecycle  # noqa: E402
from reports.models import (  # noqa: E402
    Country,
    Edition,
    OverviewFact,
    Profile,
    Report,
    Section,
    Topic,
    TreatyStatus,
)
from sources.models import Citation, Footnote, Source  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
TOPICS = [
    ("Mine Ban Policy", "Landmine Monitor"),
    ("Cluster Munition Ban Policy", "Cluster Munition Monitor"),
    ("Mine Action", "Landmine Monitor"),
    ("Casualties", "Landmine Monitor"),
    ("Support for Mine Action", "Landmine Monitor"),
    ("Victim Assistance", "Landmine Monitor"),
]
REGIONS = ["Africa", "Americas", "Asia-Pacific", "Europe", "Middle East", "Central Asia"]
YEARS = list(range(2006, 2026))
COUNTRY_COUNT = 200
BIG_NOTES, SMALL_NOTES = 150, 24
SECTIONS = ["Policy", "Use", "Production and transfer", "Stockpiling", "Treaty meetings"]
BATCH = 5000
CHUNK = 60  # profiles written in one transaction


def corpus():
    sentences, notes = [], []
    for path in sorted(SEEDS.glob("0*.txt")):
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            line = line.strip()
            match = re.match(r"^\[\d+\]\s*(.+)$", line)
            if match:
                notes.append(match.group(1))
            elif len(line) > 80:
                sentences += [s for s in re.split(r"(?<=[.!?])\s+", line) if len(s) > 30]
    sentences = [re.sub(r"\[\d+\]", "", s) for s in sentences]
    return sentences, notes


def rare_words(rng, count=3000):
    syllables = [
        "ka",
        "lo",
        "mi",
        "ne",
        "ra",
        "tu",
        "se",
        "vo",
        "pa",
        "ri",
        "zu",
        "de",
        "fo",
        "gi",
        "ha",
        "ju",
    ]
    return ["".join(rng.choice(syllables) for _ in range(4)) for _ in range(count)]


def names(scale=1):
    chosen = list(COUNTRIES)[:COUNTRY_COUNT]
    for must in ("Kazakhstan", "Kyrgyzstan", "Uzbekistan"):
        if must not in chosen:
            chosen[-1 - ("Kazakhstan", "Kyrgyzstan", "Uzbekistan").index(must)] = must
    return scaled(chosen, scale)


def reset():
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sources_citation, sources_footnote, sources_sourcealias, sources_source, "
            "reports_overviewfact, reports_section, reports_editionevent, reports_edition, "
            "reports_profile, reports_report, reports_treatystatus, reports_topic, "
            "reports_country RESTART IDENTITY CASCADE"
        )


class Chunks:
    """Writes the editions of one chunk of profiles, in a worker process of its own."""

    def __init__(self, seed, sentences, note_texts, rare, report_ids, source_ids):
        self.seed = seed
        self.sentences, self.note_texts, self.rare = sentences, note_texts, rare
        self.reports, self.sources = report_ids, source_ids

    def paragraph(self, rng, country, year, markers):
        words = [rng.choice(self.sentences) for _ in range(3)]
        text = " ".join(words).replace("Kyrgyzstan", country).replace("Kazakhstan", country)
        rare = rng.choice(self.rare), rng.choice(self.rare)
        text += f" In {year}, {country} reported {rare[0]} and {rare[1]}."
        return text + "".join(f"[{m}]" for m in markers)

    def build(self, numbered_chunk):
        number_of_chunk, chunk = numbered_chunk
        rng = random.Random(f"{self.seed}-{number_of_chunk}")
        paragraph = functools.partial(self.paragraph, rng)
        note_texts, rare, sources = self.note_texts, self.rare, self.sources
        now = datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC)
        # One transaction a chunk: the database builds each edition's search document once,
        # at commit, instead of after each of the three inserts. Published and superseded
        # editions are written through the lifecycle's gate, as an import writes them.
        with lifecycle():
            editions = []
            for profile in chunk:
                for k, year in enumerate(YEARS):
                    last = k == len(YEARS) - 1
                    editions.append(
                        Edition(
                            profile=profile,
                            report_id=self.reports[(profile.topic.series, year)],
                            state=Edition.State.PUBLISHED if last else Edition.State.SUPERSEDED,
                            last_updated=datetime.date(year, 12, 18),
                            published_at=datetime.datetime(year, 12, 18, tzinfo=datetime.UTC),
                            summary=f"Key developments in {year}: "
                            + paragraph(profile.country.name, year, []),
                            updated_at=now,
                        )
                    )
            editions = Edition.objects.bulk_create(editions, batch_size=BATCH)
            sections, facts, notes = [], [], []
            for edition in editions:
                name = edition.profile.country.name
                year = edition.last_updated.year
                big = (edition.profile.country.pk % 10) == 1
                count = BIG_NOTES if big else SMALL_NOTES
                per_section = -(-count // len(SECTIONS))
                number = 1
                for position, heading in enumerate(SECTIONS, start=1):
                    paragraphs = []
                    while number <= min(count, position * per_section):
                        markers = list(
                            range(number, min(number + 3, count + 1, position * per_section + 1))
                        )
                        paragraphs.append(paragraph(name, year, markers))
                        number += len(markers)
                    if not paragraphs:
                        paragraphs.append(paragraph(name, year, []))
                    sections.append(
                        Section(
                            edition=edition,
                            position=position,
                            heading=heading,
                            body="\n\n".join(paragraphs),
                        )
                    )
                facts += [
                    OverviewFact(
                        edition=edition,
                        position=1,
                        label="Mine Ban Treaty status",
                        value="Not a State Party",
                    ),
                    OverviewFact(
                        edition=edition,
                        position=2,
                        label="Treaty meetings",
                        value=f"Attended {year}",
                    ),
                ]
                notes += [
                    Footnote(
                        edition=edition,
                        number=n,
                        text=f"{rng.choice(note_texts)} {rng.choice(rare)}, {year}.",
                    )
                    for n in range(1, count + 1)
                ]
            Section.objects.bulk_create(sections, batch_size=BATCH)
            OverviewFact.objects.bulk_create(facts, batch_size=BATCH)
            notes = Footnote.objects.bulk_create(notes, batch_size=BATCH)
            Citation.objects.bulk_create(
                (
                    Citation(footnote=note, source_id=rng.choice(sources), position=0)
                    for note in notes
                ),
                batch_size=BATCH,
            )
        return len(editions), len(notes)


def build(seed=2026, scale=1, workers=2):
    rng = random.Random(seed)
    sentences, note_texts = corpus()
    rare = rare_words(rng)
    started = time.perf_counter()
    reset()

    countries = Country.objects.bulk_create(
        Country(
            name=name,
            slug=slugify(name),
            region=REGIONS[i % len(REGIONS)],
            official_name=f"Republic of {name}",
        )
        for i, name in enumerate(names(scale))
    )
    topics = Topic.objects.bulk_create(
        Topic(name=name, slug=slugify(name), position=i, series=series)
        for i, (name, series) in enumerate(TOPICS)
    )
    reports = {
        (series, year): report
        for report in Report.objects.bulk_create(
            Report(
                series=series,
                series_slug=slugify(series),
                year=year,
                title=f"{series} Report {year}",
                state=Report.State.RELEASED,
                release_date=datetime.date(year, 11, 20),
            )
            for series in sorted({s for _, s in TOPICS})
            for year in YEARS
        )
        for series, year in [(report.series, report.year)]
    }
    TreatyStatus.objects.bulk_create(
        TreatyStatus(
            country=country,
            treaty=treaty,
            status=status,
            signed_on=datetime.date(1997, 12, 3) if status != "not_party" else None,
            consent_on=datetime.date(1999, 3, 1) if status == "state_party" else None,
            consent_by="ratification" if status == "state_party" else "",
        )
        for i, country in enumerate(countries)
        for j, treaty in enumerate(["mbt", "ccm", "ccw"])
        for status in [["state_party", "signatory", "not_party"][(i + j) % 3]]
    )
    profiles = Profile.objects.bulk_create(
        Profile(country=country, topic=topic) for country in countries for topic in topics
    )
    sources = Source.objects.bulk_create(
        (
            Source(
                kind="letter",
                title=f"{rng.choice(note_texts)[:200]} ({n})",
                identity_key=f"bench-{n}",
            )
            for n in range(20000)
        ),
        batch_size=BATCH,
    )
    print(f"reference rows: {time.perf_counter() - started:.1f}s", flush=True)

    chunks = [profiles[i : i + CHUNK] for i in range(0, len(profiles), CHUNK)]
    # Keys, not rows, go to the workers with every chunk.
    report_ids = {key: report.pk for key, report in reports.items()}
    source_ids = [source.pk for source in sources]
    context = Chunks(seed, sentences, note_texts, rare, report_ids, source_ids)
    # Python makes the rows while PostgreSQL indexes the last chunk's: two processes keep
    # both cores busy. Each chunk has its own random stream, so the data set does not depend
    # on the number of workers or the order the chunks finish in.
    connection.close()
    edition_count = note_count = 0
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        for editions, notes in pool.imap_unordered(context.build, enumerate(chunks)):
            edition_count += editions
            note_count += notes
            print(
                f"{edition_count} editions, {note_count} footnotes: "
                f"{time.perf_counter() - started:.0f}s",
                flush=True,
            )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"built in {time.perf_counter() - started:.0f}s", flush=True)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=1, help="times the countries (1, 4, 16)")
    parser.add_argument("--workers", type=int, default=2, help="processes writing editions")
    args = parser.parse_args()
    if connection.vendor != "postgresql" or "bench" not in connection.settings_dict["NAME"]:
        sys.exit("Set DATABASE_URL to a PostgreSQL benchmark database (…/monitor_bench).")
    call_command("migrate", verbosity=0)
    build(scale=args.scale, workers=args.workers)
