"""Write a synthetic legacy archive of N documents in the shapes of the five seed documents.

Each document is a seed with another country, another date and a little reworded text, so the
importer sees every shape (chrome, prose-only country, country reports, two profiles per file,
overview blocks, Ibid. notes) at archive scale.

    python bench/generate_archive.py /tmp/monitor-archive --count 2000
    python bench/generate_archive.py /tmp/monitor-archive-x4 --count 8000 --scale 4

With --scale N the documents name N times the countries ("Chad 2" …, bench/countries.py), so
a larger archive has as many documents per profile as the 1× one.
"""

import argparse
import random
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.countries import COUNTRIES, scaled  # noqa: E402

SEEDS = ROOT.parent / "shared" / "seeds"
SEED_COUNTRIES = ["Kazakhstan", "Kyrgyzstan", "Uzbekistan"]
MONTHS = "January February March April May June July August September October November December"
DATE = re.compile(r"(\d{1,2}) (" + MONTHS.replace(" ", "|") + r") (20\d\d)")


def variants(rng, seed_text, count, countries=COUNTRIES):
    for _ in range(count):
        country = rng.choice(countries)
        year = rng.randint(2001, 2024)
        text = seed_text
        text = text.replace("Kyrgyz Republic", f"Republic of {country}")
        text = re.sub(r"\b(?:" + "|".join(SEED_COUNTRIES) + r")\b", country, text)
        text = re.sub(
            r"(Last [Uu]pdated: )\d{1,2} \w+ \d{4}",
            lambda m, y=year: f"{m[1]}{rng.randint(1, 28):02d} {rng.choice(MONTHS.split())} {y}",
            text,
        )
        text = re.sub(r"Landmine Monitor Report 2004", f"Landmine Monitor Report {year}", text)
        text = text.replace("has not", rng.choice(["has not", "has not yet", "still has not"]))
        yield country, year, text


def generate(count, seed=2026, scale=1):
    """(file name, text) of `count` documents, spread evenly over the seed shapes."""
    rng = random.Random(seed)
    seeds = sorted(SEEDS.glob("*.txt"))
    per_seed = -(-count // len(seeds))
    countries = scaled(COUNTRIES, scale)
    written = 0
    for path in seeds:
        text = path.read_bytes().decode("utf-8")
        for index, (country, year, variant) in enumerate(variants(rng, text, per_seed, countries)):
            if written == count:
                return
            yield f"{path.stem[:3]}-{index:04d}-{country.replace(' ', '_')}-{year}.txt", variant
            written += 1


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--scale", type=int, default=1, help="times the countries (1, 4, 16)")
    args = parser.parse_args()
    args.folder.mkdir(parents=True, exist_ok=True)
    for old in args.folder.glob("*.txt"):
        old.unlink()
    written = 0
    for name, text in generate(args.count, args.seed, args.scale):
        (args.folder / name).write_text(text, encoding="utf-8")
        written += 1
    print(f"wrote {written} documents to {args.folder}")


if __name__ == "__main__":
    main()
