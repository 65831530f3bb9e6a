"""The number rule corpora of tests/corpora/numbers_*.tsv (Duckling-style: the examples are the test).

One file per rule family of kzlib.numbers; README.md there gives the columns. A row is checked on
find_quantities(text): the quantity whose quote is `quote` must have the row's kind, value, low, high and
qualifier; kind `-` means no quantity of any kind may overlap `quote` (the words are not read as a number)."""

import csv
from pathlib import Path

import pytest

from kzlib.numbers import find_quantities

CORPORA = Path(__file__).parent / "corpora"
FILES = ("numbers_digits.tsv", "numbers_words.tsv", "numbers_scales.tsv", "numbers_vague.tsv",
         "numbers_qualifiers.tsv", "numbers_ranges.tsv", "numbers_non_counts.tsv")
FIELDS = ("value", "low", "high")


def rows(name):
    with open(CORPORA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def examples():
    for name in FILES:
        for n, row in enumerate(rows(name), start=2):
            yield pytest.param(row, id=f"{name}:{n}")


def expected(cell):
    return None if cell == "null" else float(cell)


@pytest.mark.parametrize("row", list(examples()))
def test_example(row):
    text, quote = row["text"], row["quote"]
    found = find_quantities(text)
    if row["kind"] == "-":
        start = text.find(quote)
        assert start >= 0, f"{quote!r} is not in the text"
        overlapping = [q for q in found if q.start < start + len(quote) and start < q.end]
        assert overlapping == [], f"{quote!r} must not be read as a number ({row['note']})"
        return
    matches = [q for q in found if q.text == quote]
    assert matches, f"no quantity quoted {quote!r} in {[q.text for q in found]} ({row['note']})"
    q = matches[0]
    assert text[q.start:q.end] == quote
    got = (q.kind, q.qualifier, *(getattr(q, f) for f in FIELDS))
    want = (row["kind"], row["qualifier"], *(expected(row[f]) for f in FIELDS))
    assert got == want, row["note"]


@pytest.mark.parametrize("name", FILES)
def test_every_family_has_negative_and_positive_examples(name):
    family = rows(name)
    assert len(family) >= 12, name
    assert any(r["kind"] == "-" for r in family), f"{name}: no negative example"
    assert any(r["kind"] != "-" for r in family), f"{name}: no positive example"
    assert all(r["kind"] == "-" or all(r[f] != "*" for f in FIELDS) for r in family), f"{name}: a positive row checks every bound"
