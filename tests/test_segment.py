"""Sentence spans: the seed articles, properties, and the rule corpus tests/corpora/sentences.tsv (Duckling-style:
one example a row, `text` with \\n for a line break, `sentences` the expected sentences joined by " | ", or `-`
for none; a row with one sentence is a negative example: nothing in it may split)."""

import csv
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kzlib.paths import RAW
from kzlib.segment import split_sentences


CORPUS = Path(__file__).parent / "corpora" / "sentences.tsv"


def sentences(text):
    return [text[s:e] for s, e in split_sentences(text)]


def corpus_rows():
    with open(CORPUS, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


@pytest.mark.parametrize("row", [pytest.param(r, id=f"sentences.tsv:{n}") for n, r in enumerate(corpus_rows(), start=2)])
def test_sentence_corpus(row):
    expected = [] if row["sentences"] == "-" else row["sentences"].split(" | ")
    assert sentences(row["text"].replace("\\n", "\n")) == expected, row["note"]


def test_the_sentence_corpus_has_negative_and_positive_examples():
    rows = corpus_rows()
    assert len(rows) >= 12
    assert any(" | " in r["sentences"] for r in rows) and any(" | " not in r["sentences"] for r in rows)


def test_headline_lines_are_sentences_and_quoted_speech_stays_whole():
    text = (RAW / "001_286c5a85d9cb9fcb.txt").read_text(encoding="utf-8")
    got = sentences(text)
    assert "تصريح صادم من واشنطن بشأن التدخل الروسي في كازاخستان" in got
    quote = next(s for s in got if s.startswith("وأضاف: \"يبدو لي"))
    assert quote.endswith("خارجي\".")  # two sentences inside the quotation stay with "وأضاف"


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.lists(st.sampled_from(list("قتل محتج.؟!\n\"“”«»0123٫") + ["د.", "  "]), max_size=80).map("".join),
                 st.text(max_size=120)))
def test_spans_are_ordered_disjoint_stripped_and_cover_every_word(text):
    spans = split_sentences(text)
    previous_end = 0
    for start, end in spans:
        assert previous_end <= start < end <= len(text)
        assert text[start:end] == text[start:end].strip()
        previous_end = end
    # no letter or digit is left outside the sentences (a line of punctuation only may be)
    outside = "".join(text[a:b] for a, b in zip([0] + [e for _, e in spans], [s for s, _ in spans] + [len(text)]))
    assert not re.search(r"[^\W_]", outside), outside


def test_every_seed_line_is_covered_and_headlines_stand_alone():
    for path in sorted(RAW.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        spans = split_sentences(text)
        first_line = text.strip().splitlines()[0].strip()
        assert text[spans[0][0]:spans[0][1]] == first_line, path.name
        # no sentence crosses a line break
        assert all("\n" not in text[s:e] for s, e in spans), path.name


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab. \u00a0\t\u2003د.") + ["\n"]), max_size=40), st.data())
def test_word_start_is_the_previous_white_space(line, data):
    from kzlib.segment import _word_start

    if not line:
        return
    i = data.draw(st.integers(0, len(line) - 1))
    k = i
    while k > 0 and not line[k - 1].isspace():
        k -= 1
    assert _word_start(line, i) == k
