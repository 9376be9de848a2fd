"""The content of the editorial benchmark profile, generated, the same for ours and the anchors.

A profile of 12 dated sections and 150 footnotes, each footnote citing its own source (a
letter, an interview, a statement), every footnote marked once in the prose as ``[n]``. Plain
Python with no Django import: the Wagtail anchor's virtualenv imports it too, so both systems
store the same words.

    from bench.content import profile_content
    content = profile_content(notes=150, sections=12)
"""

import random

HEADINGS = [
    "Policy",
    "Use",
    "Production and transfer",
    "Stockpiling",
    "Treaty meetings",
    "Mine action programme",
    "Contamination",
    "Clearance in {year}",
    "Casualties",
    "Victim assistance",
    "International cooperation",
    "Risk education",
]
SENTENCES = [
    "{country} has not acceded to the Mine Ban Treaty and has not said when it might.",
    "In {month} {year}, officials of {country} told the Monitor that accession was under study.",
    "The Ministry of Foreign Affairs stated that antipersonnel mines remain part of its defence.",
    "{country} voted in favour of UN General Assembly Resolution {resolution} in {year}.",
    "It attended the intersessional meetings in Geneva as an observer in {month} {year}.",
    "No new use of antipersonnel mines by government forces was reported in {year}.",
    "The State Border Guard Service reported clearing {number} square metres near {district}.",
    "There were no reports of production or transfer, and {country} says it has no stockpile.",
    "A demining unit of {number} personnel surveyed the {district} district during {year}.",
    "Local authorities recorded {number} casualties from mines and explosive remnants of war.",
    "The national mine action centre received funding from {donor} for survey in {district}.",
    "Representatives of {country} attended a regional workshop on the treaty in {month} {year}.",
    "The Monitor has not been able to confirm the size of the stockpile held in {year}.",
    "Survivors in {district} received medical care, prosthetics and physical rehabilitation.",
    "Risk education sessions reached {number} people in schools along the border in {year}.",
    "A letter from the Permanent Mission of {country} restated the government's position.",
]
NOTE_KINDS = [
    ("letter", "Letter from {person}, Permanent Mission of {country} to the UN in Geneva"),
    ("interview", "Interview with {person}, Ministry of Defence of {country}"),
    ("statement", "Statement of {country}, Intersessional Meetings, Geneva"),
    ("media", "“Mines found near {district}”, news report"),
    ("report", "Landmine Monitor Report {year}, p. {page}"),
]
PEOPLE = ["Col. A. Sadykov", "Dr. N. Ibraimova", "B. Temirov", "Amb. K. Osmonov", "L. Petrova"]
DISTRICTS = ["Batken", "Osh", "Jalal-Abad", "Naryn", "Talas", "Chui", "Issyk-Kul", "Leilek"]
DONORS = ["the European Union", "Japan", "Norway", "Switzerland", "the United States"]
MONTHS = ["January", "March", "April", "June", "September", "November", "December"]


def profile_content(*, notes=150, sections=12, country="Benchland", year=2025, seed=11):
    """{"title", "summary", "facts": [(label, value)], "sections": [{"heading", "body"}],
    "notes": [{"number", "text", "source": {"kind", "title", "key"}}]}; bodies are paragraphs
    separated by blank lines, with footnote markers ``[n]`` at the end of sentences."""
    rng = random.Random(seed)

    def fill(template):
        return template.format(
            country=country,
            year=rng.randint(year - 3, year),
            month=rng.choice(MONTHS),
            resolution=f"{rng.randint(60, 80)}/{rng.randint(10, 99)}",
            number=f"{rng.randint(2, 900) * 10:,}",
            district=rng.choice(DISTRICTS),
            donor=rng.choice(DONORS),
            person=rng.choice(PEOPLE),
            page=rng.randint(10, 1200),
        )

    per_section = -(-notes // sections)
    body_sections = []
    number = 1
    for index in range(sections):
        last = min(notes, (index + 1) * per_section)
        paragraphs = []
        while number <= last or not paragraphs:
            sentences = []
            for _ in range(3):
                sentence = fill(rng.choice(SENTENCES))
                if number <= last:
                    sentence += f"[{number}]"
                    number += 1
                sentences.append(sentence)
            paragraphs.append(" ".join(sentences))
        body_sections.append(
            {
                "heading": HEADINGS[index % len(HEADINGS)].format(year=year),
                "body": "\n\n".join(paragraphs),
            }
        )
    footnotes = []
    for n in range(1, notes + 1):
        kind, template = NOTE_KINDS[n % len(NOTE_KINDS)]
        title = fill(template)
        footnotes.append(
            {
                "number": n,
                "text": f"{title}, {rng.randint(1, 28)} {rng.choice(MONTHS)} {year - 1}.",
                "source": {"kind": kind, "title": title, "key": f"bench-source-{seed}-{n}"},
            }
        )
    return {
        "title": f"{country}: Mine Ban Policy",
        "summary": f"Key developments in {year}: "
        + " ".join(fill(rng.choice(SENTENCES)) for _ in range(2)),
        "facts": [
            ("Mine Ban Treaty status", "Not a State Party"),
            ("Treaty meetings", f"Attended {year}"),
        ],
        "sections": body_sections,
        "notes": footnotes,
    }


def changed_body(body, round_):
    """The body of one section as an editor changes it in round `round_`: one sentence added."""
    return f"{body}\n\nEdited in round {round_}: the ministry confirmed the figures."
