"""Write a synthetic legacy archive of N documents in the shapes of the five seed documents.

Each document is a seed with another country, another date and a little reworded text, so the
importer sees every shape (chrome, prose-only country, country reports, two profiles per file,
overview blocks, Ibid. notes) at archive scale.

    python bench/generate_archive.py /tmp/monitor-archive --count 2000
"""

import argparse
import random
import re
from pathlib import Path

from countries import COUNTRIES

SEEDS = Path(__file__).resolve().parents[2] / "shared" / "seeds"
SEED_COUNTRIES = ["Kazakhstan", "Kyrgyzstan", "Uzbekistan"]
MONTHS = "January February March April May June July August September October November December"
DATE = re.compile(r"(\d{1,2}) (" + MONTHS.replace(" ", "|") + r") (20\d\d)")


def variants(rng, seed_text, count):
    for _ in range(count):
        country = rng.choice(COUNTRIES)
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


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--count", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    seeds = sorted(SEEDS.glob("*.txt"))
    args.folder.mkdir(parents=True, exist_ok=True)
    for old in args.folder.glob("*.txt"):
        old.unlink()
    per_seed = -(-args.count // len(seeds))
    written = 0
    for seed in seeds:
        raw = seed.read_bytes()
        text = raw.decode("utf-8")
        for index, (country, year, variant) in enumerate(variants(rng, text, per_seed)):
            if written == args.count:
                break
            name = f"{seed.stem[:3]}-{index:04d}-{country.replace(' ', '_')}-{year}.txt"
            (args.folder / name).write_text(variant, encoding="utf-8")
            written += 1
    print(f"wrote {written} documents to {args.folder}")


if __name__ == "__main__":
    main()
