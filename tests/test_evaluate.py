"""The scorer on small claim lists, and the real extractor against the gold set."""

import pytest

from kzlib.evaluate import THRESHOLDS, evaluate, format_result, match


def claim(**over):
    base = {"article_id": "a", "category": "killed", "subject": "protesters", "value": 26.0, "low": 26.0,
            "high": 26.0, "qualifier": "exact", "attributed_to": "kz_interior_ministry", "location": None,
            "start": 10, "end": 18, "quote": "26 محتجا", "sentence": "قتل 26 محتجا"}
    return base | over


def test_perfect_match():
    result = match([claim()], [claim()])
    assert result.scores["killed"].f1 == 1.0 and result.accuracy("subject") == 1.0
    assert result.failures() == []


def test_missing_and_spurious_claims_count_against_recall_and_precision():
    gold = [claim(), claim(category="injured", value=18.0, start=30, end=38)]
    predicted = [claim(), claim(category="arrested", value=100.0, start=50, end=60)]
    result = match(gold, predicted)
    assert result.scores["injured"].recall == 0.0 and result.scores["arrested"].precision == 0.0
    assert result.scores["all"].tp == 1 and result.scores["all"].fn == 1 and result.scores["all"].fp == 1
    assert [m["category"] for m in result.misses] == ["injured"]
    assert "NOT MET" in format_result(result)


def test_a_wrong_value_or_disjoint_span_is_not_a_match():
    assert match([claim()], [claim(value=27.0)]).scores["all"].tp == 0
    assert match([claim()], [claim(start=18, end=25)]).scores["all"].tp == 0
    assert match([claim()], [claim(start=12, end=30)]).scores["all"].tp == 1  # overlap is enough


def test_wrong_subject_and_attribution_lower_the_accuracies_not_f1():
    result = match([claim()], [claim(subject="militants", attributed_to=None)])
    assert result.scores["all"].f1 == 1.0
    assert result.accuracy("subject") == 0.0 and result.accuracy("attributed_to") == 0.0
    assert any("subject_accuracy" in f for f in result.failures())


def test_matching_is_one_to_one():
    result = match([claim()], [claim(), claim(start=11, end=17)])
    assert result.scores["all"].tp == 1 and result.scores["all"].fp == 1


def test_extractor_meets_the_thresholds_on_the_seeds():
    result = evaluate()
    assert result.scores["all"].support >= 20
    assert result.failures() == [], format_result(result, show_misses=True)
    assert set(THRESHOLDS) <= set(result.figures())
