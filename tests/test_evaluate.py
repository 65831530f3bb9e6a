"""The scorer on small claim lists, and the real extractor against the gold set."""

import json

import pytest

from kzlib.evaluate import DERIVED_FIELDS, GOLD_FIELDS, THRESHOLDS, evaluate, format_result, main, match


def claim(**over):
    base = {"article_id": "a", "category": "killed", "subject": "protesters", "value": 26.0, "low": 26.0,
            "high": 26.0, "qualifier": "exact", "attributed_to": "kz_interior_ministry", "location": None,
            "start": 10, "end": 18, "quote": "26 محتجا", "sentence": "قتل 26 محتجا"}
    return base | over


INJURED = dict(category="injured", subject="militants", value=18.0, low=18.0, high=18.0, start=30, end=38,
               quote="18 آخرين")


def test_perfect_match():
    result = match([claim(), claim(**INJURED)], [claim(), claim(**INJURED)])
    assert result.scores["killed"].f1 == 1.0 and result.scores["casualty"].f1 == 1.0
    assert result.scores["all"].support == 2
    assert all(result.accuracy(name) == 1.0 for name in ("subject", "attributed_to", "qualifier", "location"))
    assert result.failures() == [] and result.misses == [] and result.spurious == []


def test_missing_and_spurious_claims_count_against_recall_and_precision():
    gold = [claim(), claim(**INJURED)]
    predicted = [claim(), claim(category="arrested", value=100.0, start=50, end=60, quote="أكثر من 100 شخص")]
    result = match(gold, predicted)
    assert result.scores["injured"].recall == 0.0 and result.scores["arrested"].precision == 0.0
    assert result.scores["all"].tp == 1 and result.scores["all"].fn == 1 and result.scores["all"].fp == 1
    assert result.scores["all"].f1 == pytest.approx(0.5)
    assert [m["quote"] for m in result.misses] == ["18 آخرين"]
    assert [s["quote"] for s in result.spurious] == ["أكثر من 100 شخص"]
    table = format_result(result)
    assert "NOT MET" in table and "«18 آخرين»" in table and "«أكثر من 100 شخص»" in table


def test_non_casualty_claims_do_not_enter_the_casualty_aggregate():
    troops = dict(category="troops", subject="peacekeepers", value=2500.0, start=40, end=48, quote="2500 شخص")
    result = match([claim(), claim(**troops)], [claim()])
    assert result.scores["casualty"].f1 == 1.0
    assert result.scores["troops"].recall == 0.0 and result.scores["all"].recall == 0.5


def test_a_wrong_value_category_or_article_or_a_disjoint_span_is_not_a_match():
    assert match([claim()], [claim(value=27.0)]).scores["all"].tp == 0
    assert match([claim()], [claim(value=26.4)]).scores["all"].tp == 1      # |Δ| < 0.5
    assert match([claim()], [claim(category="injured")]).scores["all"].tp == 0
    assert match([claim()], [claim(article_id="b")]).scores["all"].tp == 0
    assert match([claim()], [claim(start=18, end=25)]).scores["all"].tp == 0  # touching, not overlapping
    assert match([claim(value=None)], [claim(value=None)]).scores["all"].tp == 1
    assert match([claim(value=None)], [claim()]).scores["all"].tp == 0


def test_overlapping_spans_with_different_boundaries_match():
    # gold "26 محتجا" vs a predicted quote that starts at the verb and runs on: overlap is enough
    assert match([claim()], [claim(start=6, end=30)]).scores["all"].tp == 1
    assert match([claim()], [claim(start=17, end=22)]).scores["all"].tp == 1


def test_wrong_subject_and_attribution_lower_the_accuracies_not_f1():
    result = match([claim(), claim(**INJURED)], [claim(subject="militants", attributed_to=None), claim(**INJURED)])
    assert result.scores["all"].f1 == 1.0
    assert result.accuracy("subject") == 0.5 and result.accuracy("attributed_to") == 0.5
    assert result.accuracy("qualifier") == 1.0
    failures = " ".join(result.failures())
    assert "subject_accuracy" in failures and "attribution_accuracy" in failures
    assert "gold 'protesters' vs extracted 'militants'" in format_result(result)


def test_matching_is_one_to_one_and_prefers_the_larger_overlap():
    result = match([claim()], [claim(start=11, end=13, subject="people"), claim(start=9, end=18)])
    assert result.scores["all"].tp == 1 and result.scores["all"].fp == 1
    assert result.pairs[0][1]["subject"] == "protesters" and result.spurious[0]["subject"] == "people"
    # the same figure twice in the text (a quote repeated) needs two predictions
    twice = [claim(), claim(start=40, end=48)]
    assert match(twice, [claim()]).scores["all"].fn == 1


def test_main_prints_the_table_and_returns_1_below_the_thresholds(tmp_path, capsys, monkeypatch):
    import kzlib.evaluate as ev

    monkeypatch.setattr(ev, "evaluate", lambda *args, **kwargs: match([claim()], []))
    assert main() == 1
    out = capsys.readouterr().out
    assert "casualty" in out and "missed (gold not found): 1" in out
    monkeypatch.setattr(ev, "evaluate", lambda *args, **kwargs: match([claim()], [claim()]))
    assert main() == 0
    assert "all met" in capsys.readouterr().out


def test_gold_fields_are_the_extractor_claim_fields():
    from kzlib.claims import CLAIM_FIELDS

    assert tuple(CLAIM_FIELDS) == GOLD_FIELDS + DERIVED_FIELDS


def test_claims_of_articles_without_gold_are_not_scored(tmp_path, seed_corpus):
    # gold for one seed article only: the extractor's claims in the four others are neither spurious nor misses
    from kzlib.paths import ANNOTATIONS

    rows = [line for line in (ANNOTATIONS / "gold.jsonl").read_text(encoding="utf-8").splitlines()
            if json.loads(line)["article_id"].startswith("004")]
    (tmp_path / "one.jsonl").write_text("\n".join(rows), encoding="utf-8")
    result = evaluate(gold_dir=tmp_path)
    assert {r["article_id"] for r in result.misses + result.spurious} <= {json.loads(rows[0])["article_id"]}
    assert result.scores["all"].support == len(rows)


def test_extractor_meets_the_thresholds_on_the_seeds():
    result = evaluate()
    assert result.scores["all"].support >= 21
    assert set(THRESHOLDS) <= set(result.figures())
    assert result.failures() == [], "\n" + format_result(result, show_misses=True)


# ---------------------------------------------------------------- development-set rows (open vocabulary)

DEV_TEXT = "غزة - قالت وزارة الصحة إن 12 من الأطفال قتلوا في خان يونس."


def open_row(**over):
    text = DEV_TEXT
    row = {"article_id": "d", "category": "killed", "subject": "civilians", "subject_detail": "children",
           "subject_text": "الأطفال", "subject_span": [text.index("الأطفال"), text.index("الأطفال") + 7],
           "value": 12, "low": 12, "high": 12, "qualifier": "exact",
           "attributed_to": "gaza_health_ministry", "source_text": "وزارة الصحة",
           "source_span": [text.index("وزارة"), text.index("وزارة") + len("وزارة الصحة")],
           "source_type": "health_authority",
           "location": "khan_younis", "location_text": "خان يونس",
           "location_span": [text.index("خان"), text.index("خان") + len("خان يونس")],
           "start": text.index("12"), "end": text.index("الأطفال") + 7, "quote": "12 من الأطفال",
           "sentence": text, "note": ""}
    return row | over


def predicted_open(**over):
    g = open_row()
    row = {k: g[k] for k in GOLD_FIELDS} | {"value": 12.0, "attributed_to": "open:وزاره_الصحه",
                                            "source_text": "وزارة الصحة", "source_start": g["source_span"][0],
                                            "source_end": g["source_span"][1], "source_type": "health_authority",
                                            "subject_detail": "children", "location_text": "خان يونس",
                                            "location_start": g["location_span"][0],
                                            "location_end": g["location_span"][1]}
    return row | over


def _write_rows(tmp_path, rows):
    (tmp_path / "g.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return tmp_path


def test_a_valid_open_row_loads_and_bad_open_fields_name_the_line(tmp_path):
    from kzlib.evaluate import GoldError, load_gold

    texts = {"d": DEV_TEXT}
    assert load_gold(_write_rows(tmp_path, [open_row()]), texts)[0]["source_type"] == "health_authority"
    bad_cases = [
        ({"subject_detail": "kids"}, "unknown subject_detail 'kids'"),
        ({"subject_detail": "soldiers"}, "belongs to subject 'security_forces'"),
        ({"source_type": "hospital"}, "unknown source_type 'hospital'"),
        ({"source_span": [0, 3]}, "source_span \\[0, 3\\] holds"),
        ({"source_type": None}, "source fields .* must be all null or all set"),
        ({"location": "Khan Younis"}, "not a snake_case id"),
        ({"location_span": None}, "location fields .* must be all null or all set"),
    ]
    for bad, message in bad_cases:
        with pytest.raises(GoldError, match="g.jsonl:1: .*" + message):
            load_gold(_write_rows(tmp_path, [open_row(**bad)]), texts)


def test_open_sources_are_right_by_overlapping_span_or_equal_id():
    from kzlib.evaluate import field_correct

    g = open_row()
    assert field_correct("source", g, predicted_open()) is True
    elsewhere = predicted_open(source_start=0, source_end=3, attributed_to="somebody_else")
    assert field_correct("source", g, elsewhere) is False
    assert field_correct("source", g, elsewhere | {"attributed_to": "gaza_health_ministry"}) is True
    assert field_correct("no_source", g, predicted_open()) is None         # the gold claim has a source
    unsourced = open_row(attributed_to=None, source_text=None, source_span=None, source_type=None)
    assert field_correct("source", unsourced, predicted_open()) is None
    assert field_correct("no_source", unsourced, predicted_open()) is False
    assert field_correct("no_source", unsourced, predicted_open(attributed_to=None)) is True


def test_open_places_are_right_by_id_or_span_and_null_needs_no_place_text():
    from kzlib.evaluate import field_correct

    g = open_row()
    assert field_correct("location", g, predicted_open(location=None)) is True          # the span overlaps
    assert field_correct("location", g, predicted_open(location="khan_younis", location_start=None,
                                                       location_end=None)) is True
    assert field_correct("location", g, predicted_open(location="gaza", location_start=0, location_end=3)) is False
    nowhere = open_row(location=None, location_text=None, location_span=None)
    assert field_correct("location", nowhere, predicted_open(location=None, location_text=None)) is True
    assert field_correct("location", nowhere, predicted_open(location=None)) is False   # an open place named


def test_dev_figures_and_targets_do_not_gate_unless_the_set_gates(monkeypatch, capsys):
    import kzlib.evaluate as ev

    result = match([open_row(), open_row(category="missing", start=0, end=3, quote="غزة")], [predicted_open()])
    assert result.open
    figures = result.figures()
    assert figures["source_accuracy"] == 1.0 and figures["subject_detail_accuracy"] == 1.0
    assert figures["missing_displaced_recall"] == 0.0
    sets = [ev.GoldSet("dev", ev.Path("dev"), ev.Path("dev"), ev.DEV_TARGETS, gating=False)]
    monkeypatch.setattr(ev, "gold_sets", lambda: sets)
    monkeypatch.setattr(ev, "evaluate", lambda *args, **kwargs: match([open_row()], []))
    assert main() == 0
    out = capsys.readouterr().out
    assert "== dev" in out and "targets (reported, not gating)" in out and "NOT MET" in out
    sets[0] = ev.GoldSet("dev", ev.Path("dev"), ev.Path("dev"), ev.DEV_TARGETS, gating=True)
    assert main() == 1
    with pytest.raises(ev.GoldError, match="no gold set named \\['nope'\\]"):
        main(sets=["nope"])
