"""Compare two independent gold readings of the same articles and list where they disagree.

    python tools/compare_readings.py CORPUS READING_A.jsonl READING_B.jsonl [--out disagreements.md]

Both readings are validated like any gold file (kzlib.evaluate.load_gold). Claims are paired the way the
evaluator pairs a prediction with gold (same article and category, overlapping span, same value). Printed:
the claims only one reading has, and for paired claims every field on which they differ. Each disagreement
is then settled by reading the text under GUIDELINES.md; decisions that set a rule go into GUIDELINES.md.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from kzlib.corpus import load_corpus
from kzlib.evaluate import OPEN_GOLD_FIELDS, GoldError, load_gold, match

COMPARED_FIELDS = [f for f in OPEN_GOLD_FIELDS if f not in ("article_id", "category", "start", "end", "sentence")]


def _load(path: Path, texts: dict[str, str]) -> list[dict]:
    # load_gold reads a folder: give it one holding just this file
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(path, Path(folder) / path.name)
        return load_gold(folder, texts)


def compare(corpus: str, reading_a: Path, reading_b: Path) -> list[str]:
    texts = {a.id: a.text for a in load_corpus(corpus).articles}
    a_rows, b_rows = _load(reading_a, texts), _load(reading_b, texts)
    result = match(a_rows, b_rows)
    lines = [f"# {reading_a.name} vs {reading_b.name}",
             f"A {len(a_rows)} claims, B {len(b_rows)} claims, paired {len(result.pairs)}", ""]
    for label, rows in (("only in A", result.misses), ("only in B", result.spurious)):
        lines.append(f"## {label}: {len(rows)}")
        for r in sorted(rows, key=lambda r: (r["article_id"], r["start"])):
            lines.append(f"- {r['article_id']} {r['category']} {r['value']} [{r['start']}:{r['end']}] «{r['quote']}»"
                         f" — «{r['sentence']}»")
        lines.append("")
    lines.append("## paired, fields differ")
    for a, b in sorted(result.pairs, key=lambda p: (p[0]["article_id"], p[0]["start"])):
        differ = [f for f in COMPARED_FIELDS if a.get(f) != b.get(f)]
        if differ:
            lines.append(f"- {a['article_id']} {a['category']} «{a['quote']}»: "
                         + "; ".join(f"{f}: A {a.get(f)!r} / B {b.get(f)!r}" for f in differ))
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus")
    parser.add_argument("reading_a", type=Path)
    parser.add_argument("reading_b", type=Path)
    parser.add_argument("--out", type=Path, default=None)
    args = parser.parse_args(argv)
    try:
        lines = compare(args.corpus, args.reading_a, args.reading_b)
    except GoldError as exc:
        print(f"compare_readings: {exc}", file=sys.stderr)
        return 2
    text = "\n".join(lines) + "\n"
    if args.out:
        args.out.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
