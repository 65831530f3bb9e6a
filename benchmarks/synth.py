"""Synthetic Arabic news corpus for benchmarks, built from the seed articles in data/raw.

Each synthetic article is assembled from real seed sentences drawn across all seeds (so sentences
are shuffled between articles), with every figure re-drawn: counts of killed / injured / arrested /
deployed get new values of a similar magnitude, and some articles write digits as Arabic-Indic
(٠-٩, with the Arabic thousands separator ٬). Years (1900-2100) are kept so dates stay plausible.

Article i depends only on (seed, i): the same seed gives byte-identical shards, and the first 1,000
articles of a 100k corpus are the 1k corpus. Articles are generated and written one at a time
(JSONL or Parquet shards), never held in memory together.

    python benchmarks/synth.py --articles 10000 --out data/interim/synth_10k [--seed 7] [--format parquet]

Record fields: id, outlet, date (ISO), headline, text (the headline is also the first line of text).
No ground truth is produced: this corpus measures speed and memory, not accuracy.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parents[1]
SEED_DIR = ROOT / "data" / "raw"
MANIFEST_NAME = ".synth.json"  # hidden: kzlib.corpus lists it as a skipped hidden file, never reads it

ASCII_DIGITS = "0123456789"
ARABIC_INDIC_DIGITS = "٠١٢٣٤٥٦٧٨٩"
TO_ASCII = str.maketrans(ARABIC_INDIC_DIGITS + "٬٫", ASCII_DIGITS + ",.")
TO_ARABIC_INDIC = str.maketrans(ASCII_DIGITS + ",.", ARABIC_INDIC_DIGITS + "٬٫")

# A figure: digits with optional thousands groups and decimals, in either digit set.
NUMBER = re.compile(r"[0-9٠-٩]+(?:[,٬][0-9٠-٩]{3})*(?:[.٫][0-9٠-٩]+)?")
ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
LATIN_LETTER = re.compile(r"[A-Za-z]")
SENTENCE_END = re.compile(r"(?<=[.!؟?])\s+")

# Digit style per article: most outlets use ASCII digits, some Arabic-Indic, a few mix both.
DIGIT_STYLES = (("ascii", 0.70), ("arabic_indic", 0.25), ("mixed", 0.05))
N_OUTLETS = 12
FIRST_DATE = dt.date(2022, 1, 4)
N_DAYS = 21


@dataclass(frozen=True)
class SeedPool:
    """Reusable pieces of the seed articles."""

    headlines: tuple[str, ...]   # short Arabic lines without a final full stop (headlines, sub-headings)
    sentences: tuple[str, ...]   # body sentences (at least six words)
    footers: tuple[str, ...]     # last lines that name the source ("المصدر: ...")


def _is_arabic_line(line: str) -> bool:
    return len(ARABIC_LETTER.findall(line)) > 2 * len(LATIN_LETTER.findall(line))


def load_seed_pool(seed_dir: Path = SEED_DIR) -> SeedPool:
    files = sorted(Path(seed_dir).glob("*.txt"))
    if not files:
        raise FileNotFoundError(f"{seed_dir}: no seed .txt files to build a synthetic corpus from")
    headlines, sentences, footers = [], [], []
    for path in files:
        lines = [ln.strip() for ln in path.read_text(encoding="utf-8").splitlines()]
        lines = [ln for ln in lines if ln and _is_arabic_line(ln)]
        if lines and ":" in lines[-1] and len(lines[-1].split()) <= 6:
            footers.append(lines.pop())
        for line in lines:
            words = len(line.split())
            if 4 <= words <= 16 and not line.endswith((".", ":", "”.", "\".")):
                headlines.append(line)
            elif words >= 6:
                sentences.extend(s for s in SENTENCE_END.split(line) if len(s.split()) >= 6)
    if not headlines or not sentences:
        raise ValueError(f"{seed_dir}: seeds gave {len(headlines)} headlines and {len(sentences)} sentences; need both")
    return SeedPool(tuple(headlines), tuple(sentences), tuple(footers))


def _redraw(value: float, rng: random.Random) -> float:
    """A new figure of similar size: small counts stay small, big ones stay big."""
    if value < 32:
        return rng.randint(2, 31)
    new = value * rng.uniform(0.3, 3.0)
    magnitude = 10 ** max(len(str(int(new))) - 2, 0)   # keep two significant digits: 1300 -> 2700
    return max(round(new / magnitude) * magnitude, 32)


def _format(value: float, template: str, arabic_indic: bool) -> str:
    ascii_template = template.translate(TO_ASCII)
    decimals = len(ascii_template.split(".")[1]) if "." in ascii_template else 0
    grouped = "," in ascii_template
    text = f"{value:,.{decimals}f}" if grouped else f"{value:.{decimals}f}"
    return text.translate(TO_ARABIC_INDIC) if arabic_indic else text


def mutate_numbers(text: str, rng: random.Random, style: str) -> str:
    """Re-draw every figure in `text` except years; write it in the article's digit style."""

    def replace(match: re.Match) -> str:
        original = match.group()
        value = float(original.translate(TO_ASCII).replace(",", ""))
        arabic_indic = style == "arabic_indic" or (style == "mixed" and rng.random() < 0.5)
        if 1900 <= value <= 2100 and "." not in original.translate(TO_ASCII):
            return _format(value, original, arabic_indic)
        return _format(_redraw(value, rng), original, arabic_indic)

    return NUMBER.sub(replace, text)


def _pick_style(rng: random.Random) -> str:
    r, acc = rng.random(), 0.0
    for style, weight in DIGIT_STYLES:
        acc += weight
        if r < acc:
            return style
    return DIGIT_STYLES[-1][0]


def synthetic_article(pool: SeedPool, index: int, seed: int = 0) -> dict:
    """Article `index` of the corpus with this `seed` (independent of every other article)."""
    rng = random.Random(f"kzlib-synth:{seed}:{index}")
    style = _pick_style(rng)
    headline = mutate_numbers(rng.choice(pool.headlines), rng, style)
    paragraphs = []
    for _ in range(rng.randint(5, 14)):
        if paragraphs and rng.random() < 0.15:
            paragraphs.append(mutate_numbers(rng.choice(pool.headlines), rng, style))  # a sub-heading
        picked = [rng.choice(pool.sentences) for _ in range(rng.randint(1, 3))]
        paragraphs.append(" ".join(mutate_numbers(s, rng, style) for s in picked))
    if pool.footers and rng.random() < 0.3:
        paragraphs.append(rng.choice(pool.footers))
    date = FIRST_DATE + dt.timedelta(days=rng.randrange(N_DAYS))
    return {
        "id": f"synth{seed}-{index:07d}",
        "outlet": f"outlet_{rng.randrange(N_OUTLETS):02d}",
        "date": date.isoformat(),
        "headline": headline,
        "text": "\n\n".join([headline, *paragraphs]) + "\n",
    }


def iter_synthetic(n_articles: int, seed: int = 0, pool: SeedPool | None = None) -> Iterator[dict]:
    pool = pool or load_seed_pool()
    for index in range(n_articles):
        yield synthetic_article(pool, index, seed)


def shard_name(shard: int, fmt: str) -> str:
    return f"part-{shard:05d}.{fmt}"


def _write_jsonl_shard(path: Path, records: Iterator[dict]) -> int:
    from kzlib.io import atomic_path

    count = 0
    with atomic_path(path) as tmp, tmp.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def _write_parquet_shard(path: Path, records: Iterator[dict], row_group: int = 1000) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from kzlib.io import atomic_path

    schema = pa.schema([(name, pa.string()) for name in ("id", "outlet", "date", "headline", "text")])
    count, batch = 0, []
    with atomic_path(path) as tmp:
        with pq.ParquetWriter(tmp, schema) as writer:
            for record in records:
                batch.append(record)
                if len(batch) == row_group:
                    writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                    count, batch = count + len(batch), []
            if batch:
                writer.write_table(pa.Table.from_pylist(batch, schema=schema))
                count += len(batch)
    return count


def write_corpus(
    out_dir: str | Path,
    n_articles: int,
    seed: int = 0,
    shard_size: int = 5000,
    fmt: str = "jsonl",
    seed_dir: Path = SEED_DIR,
) -> dict:
    """Write `n_articles` synthetic articles as shards in `out_dir`; returns the manifest written beside them.

    A folder whose manifest already matches (articles, seed, shard size, format) is reused as is.
    """
    if fmt not in ("jsonl", "parquet"):
        raise ValueError(f"format must be 'jsonl' or 'parquet', not {fmt!r}")
    if n_articles < 0 or shard_size < 1:
        raise ValueError(f"need n_articles >= 0 and shard_size >= 1 (got {n_articles}, {shard_size})")
    out_dir = Path(out_dir)
    wanted = {"articles": n_articles, "seed": seed, "shard_size": shard_size, "format": fmt}
    manifest_path = out_dir / MANIFEST_NAME
    if manifest_path.is_file():
        existing = json.loads(manifest_path.read_text(encoding="utf-8"))
        if {k: existing.get(k) for k in wanted} == wanted and all((out_dir / s).is_file() for s in existing["shards"]):
            return existing
    out_dir.mkdir(parents=True, exist_ok=True)
    for stale in out_dir.glob(f"part-*.{fmt}"):
        stale.unlink()
    pool = load_seed_pool(seed_dir)
    writer = _write_jsonl_shard if fmt == "jsonl" else _write_parquet_shard
    shards = []
    for shard, first in enumerate(range(0, n_articles, shard_size)):
        name = shard_name(shard, fmt)
        indices = range(first, min(first + shard_size, n_articles))
        writer(out_dir / name, (synthetic_article(pool, i, seed) for i in indices))
        shards.append(name)
    manifest = {**wanted, "shards": shards, "bytes": sum((out_dir / s).stat().st_size for s in shards)}
    from kzlib.io import write_text

    write_text(manifest_path, json.dumps(manifest, indent=1) + "\n")
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, required=True, help="number of articles")
    parser.add_argument("--out", required=True, help="output folder for the shards")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--shard-size", type=int, default=5000, help="articles per shard")
    parser.add_argument("--format", choices=["jsonl", "parquet"], default="jsonl")
    args = parser.parse_args(argv)
    manifest = write_corpus(args.out, args.articles, args.seed, args.shard_size, args.format)
    print(f"{manifest['articles']} articles in {len(manifest['shards'])} shards, "
          f"{manifest['bytes'] / 1e6:.1f} MB -> {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
