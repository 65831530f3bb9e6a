"""The rule corpora of tests/corpora/ (Duckling-style: the examples are the test). README.md there says how."""

import csv
from pathlib import Path

import pytest

from kzlib.claims import extract_text

CORPORA = Path(__file__).parent / "corpora"
FILES = ("groups.tsv", "tolls.tsv", "missing_displaced.tsv", "places.tsv")


def examples():
    for name in FILES:
        with open(CORPORA / name, encoding="utf-8", newline="") as f:
            for n, row in enumerate(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE), start=2):
                yield pytest.param(row, id=f"{name}:{n}")


@pytest.mark.parametrize("row", list(examples()))
def test_example(row):
    claims = [c for c in extract_text(row["text"]) if c.value == float(row["value"])]
    if row["category"] == "-":
        assert claims == [], f"no claim of {row['value']} expected ({row['note']})"
        return
    assert claims, f"no claim of {row['value']} in {row['text']!r}"
    claim = claims[0]
    for field in ("category", "subject", "subject_detail", "subject_text", "location", "location_text"):
        expected = row.get(field)
        if expected is None or expected == "*":
            continue
        got = getattr(claim, field)
        assert got == (None if expected == "null" else expected), f"{field}: {got!r} ({row['note']})"


def test_every_family_has_negative_and_positive_examples():
    for name in FILES:
        with open(CORPORA / name, encoding="utf-8", newline="") as f:
            rows = list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))
        assert len(rows) >= 12, name
        assert any(r["category"] != "-" for r in rows), name
        negative = [r for r in rows if r["category"] == "-" or "null" in (r.get("subject_text"), r.get("location"))]
        assert negative, f"{name}: no negative example"
