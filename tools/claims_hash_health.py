"""Number of claims and a SHA-256 of their JSON lines, per corpus: a check that a change to the extractor
(a speed-up, a refactoring) leaves every claim byte-identical.

    PYTHONPATH=src .venv/bin/python tools/claims_hash_health.py [--only seeds,dev,synth,fuzz,blocks] [--synth DIR]

Corpora:
    seeds    data/raw (kzlib.corpus.load_corpus)
    dev      data/annotations/dev/articles/*.jsonl
    synth    the 10k synthetic corpus of benchmarks/synth.py (data/interim/synth/n10000_seed0; made if missing)
    fuzz     4,000 random texts (seeded): shuffled sentences and words of the seeds and dev articles, with
             digits, number words, punctuation and line breaks mixed in (kzlib.claims.extract_text)
    blocks   200 of the fuzz texts again, with claims.BLOCK_CHARS lowered to 400 so that the block-by-block
             path for long articles runs

Each claim is one line: json.dumps(claim.as_dict(), ensure_ascii=False); the hash is over those lines in
order (article after article). Run it before a change and after it; the figures must match.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FUZZ_TEXTS = 4000
BLOCK_TEXTS = 200
FUZZ_SEED = 20240601


class Hasher:
    def __init__(self):
        self.sha, self.claims, self.articles = hashlib.sha256(), 0, 0

    def add(self, claims) -> None:
        self.articles += 1
        for claim in claims:
            self.sha.update(json.dumps(claim.as_dict(), ensure_ascii=False).encode("utf-8") + b"\n")
            self.claims += 1


def _articles(path):
    from kzlib.corpus import Skip, iter_articles

    return [a for a in iter_articles(path) if not isinstance(a, Skip)]


def seeds():
    return _articles(ROOT / "data" / "raw")


def dev():
    out = []
    for path in sorted((ROOT / "data" / "annotations" / "dev" / "articles").glob("*.jsonl")):
        out.extend(_articles(path))
    return out


def synth(folder: Path):
    if not folder.is_dir():
        sys.path.insert(0, str(ROOT / "benchmarks"))
        from synth import write_corpus

        write_corpus(folder, 10000, seed=0)
    from kzlib.scale import list_corpus_files

    out = []
    for path in list_corpus_files(str(folder)):
        out.extend(_articles(path))
    return out


def fuzz_texts(n: int = FUZZ_TEXTS, seed: int = FUZZ_SEED) -> list[str]:
    from kzlib.segment import split_sentences

    texts = [a.text for a in seeds() + dev()]
    sentences = [t[a:b] for t in texts for a, b in split_sentences(t)]
    words = [w for s in sentences for w in s.split()]
    extras = ["0", "7", "12", "300", "1,300", "6.9", "٢٣", "١٬٥٠٠", "عشرات", "ثلاثة", "مئات", "نحو", "أكثر من",
              "،", ".", "؛", ":", "(", ")", "-", "\n", "«", "»", '"', "و", "من بينهم", "2023", "10-15"]
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.randint(1, 8)):
            kind = rng.random()
            if kind < 0.45:
                parts.append(rng.choice(sentences))
            elif kind < 0.8:
                parts.append(" ".join(rng.choice(words if rng.random() < 0.8 else extras)
                                      for _ in range(rng.randint(1, 30))))
            else:   # a sentence with its words shuffled
                ws = rng.choice(sentences).split()
                rng.shuffle(ws)
                parts.append(" ".join(ws))
            parts.append(rng.choice((" ", " ", "\n", ". ", "، ", "\n\n")))
        out.append("".join(parts))
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="seeds,dev,synth,fuzz,blocks")
    parser.add_argument("--synth", default=str(ROOT / "data" / "interim" / "synth" / "n10000_seed0"))
    args = parser.parse_args(argv)
    from kzlib import claims as claims_module
    from kzlib.claims import extract_claims, extract_text

    print(f"kzlib from {claims_module.__file__}")
    for name in args.only.split(","):
        started, h = time.perf_counter(), Hasher()
        if name in ("seeds", "dev", "synth"):
            items = {"seeds": seeds, "dev": dev, "synth": lambda: synth(Path(args.synth))}[name]()
            for article in items:
                h.add(extract_claims(article))
        elif name == "fuzz":
            for k, text in enumerate(fuzz_texts()):
                h.add(extract_text(text, f"fuzz{k}"))
        elif name == "blocks":
            saved = claims_module.BLOCK_CHARS
            claims_module.BLOCK_CHARS = 400
            try:
                for k, text in enumerate(fuzz_texts()[:BLOCK_TEXTS]):
                    h.add(extract_text(text, f"block{k}"))
            finally:
                claims_module.BLOCK_CHARS = saved
        else:
            parser.error(f"unknown corpus {name!r}")
        print(f"{name:<6} articles {h.articles:>6} claims {h.claims:>7} sha256 {h.sha.hexdigest()}  "
              f"({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
