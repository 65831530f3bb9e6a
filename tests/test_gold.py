"""The gold set is valid and holds the claims the issue names (no extractor involved)."""

import json

import pytest

from kzlib.evaluate import GOLD_FIELDS, GoldError, load_gold, load_vocabulary
from kzlib.paths import ANNOTATIONS


@pytest.fixture(scope="module")
def texts(seed_corpus):
    return {a.id: a.text for a in seed_corpus.articles}


@pytest.fixture(scope="module")
def gold(texts):
    return load_gold(texts=texts)


def _find(gold, article, category, value, **fields):
    return [
        g for g in gold
        if g["article_id"].startswith(article) and g["category"] == category and g["value"] == value
        and all(g[k] == v for k, v in fields.items())
    ]


@pytest.mark.parametrize("article, category, value, fields", [
    ("000", "killed", 164, {"subject": "people", "attributed_to": "local_media"}),
    ("000", "arrested", 6000, {"qualifier": "approx", "attributed_to": "local_media"}),
    ("000", "injured", 1300, {"subject": "security_forces", "qualifier": "at_least", "low": 1300}),
    ("000", "killed", 26, {"subject": "protesters", "attributed_to": "kz_interior_ministry"}),
    ("000", "arrested", 1000, {"qualifier": "vague", "low": 1000, "high": 9999}),
    ("000", "aircraft", 70, {"subject": "aircraft", "attributed_to": "ru_defence_ministry"}),
    ("001", "aircraft", 9, {"location": "almaty", "attributed_to": "ru_defence_ministry"}),
    ("001", "injured", 100, {"qualifier": "vague", "attributed_to": "kz_interior_ministry"}),
    ("002", "killed", 7, {"subject": "security_forces", "attributed_to": "kz_interior_ministry"}),
    ("002", "arrested", 100, {"location": "almaty", "qualifier": "at_least", "attributed_to": "local_media"}),
    ("002", "arrested", 100, {"location": "almaty", "qualifier": "at_least", "attributed_to": "khabar_24"}),
    ("002", "affected", 1000, {"qualifier": "at_least", "attributed_to": "kz_state_tv"}),
    ("002", "hospitalized", 200, {"qualifier": "vague", "high": 999}),
    ("002", "hospitalized", 10, {"qualifier": "vague", "high": 99}),
    ("003", "killed", 26, {"subject": "militants", "attributed_to": "kz_interior_ministry"}),
    ("003", "injured", 18, {"subject": "militants", "attributed_to": "kz_interior_ministry"}),
    ("003", "checkpoints", 70, {"subject": "checkpoints", "quote": "سبعين نقطة تفتيش"}),
    ("004", "troops", 2500, {"subject": "peacekeepers", "attributed_to": "csto_secretary_general"}),
])
def test_landmark_claims_are_in_the_gold_set(gold, article, category, value, fields):
    assert len(_find(gold, article, category, value, **fields)) == 1, (article, category, value, fields)


def test_repeated_figures_are_claimed_again(gold):
    # Tokayev's 20,000 in reported and in direct speech; the 26 militants in the sub-heading and the body.
    assert len(_find(gold, "001", "attackers", 20000, subject="militants", attributed_to="tokayev",
                     location="almaty")) == 2
    heading, body = sorted(_find(gold, "003", "killed", 26), key=lambda g: g["start"])
    assert heading["sentence"] == "مصرع 26 “مجرما مسلحا”" and heading["attributed_to"] is None
    assert body["attributed_to"] == "kz_interior_ministry"


def test_every_article_is_annotated_and_rows_are_in_text_order(gold, texts):
    assert {g["article_id"] for g in gold} == set(texts)
    for article in texts:
        starts = [g["start"] for g in gold if g["article_id"] == article]
        assert starts == sorted(starts), article


def test_rows_have_exactly_the_claim_fields_plus_note():
    for n, line in enumerate((ANNOTATIONS / "gold.jsonl").read_text(encoding="utf-8").splitlines(), 1):
        assert list(json.loads(line)) == list(GOLD_FIELDS) + ["note"], f"gold.jsonl:{n}"


def test_no_date_duration_model_or_definite_count_is_a_claim(gold):
    quotes = " | ".join(g["quote"] for g in gold)
    for non_claim in ("يناير", "ساعات", "الخامس", "إل-76", "الثلاث", "الخمس", "خبر 24", "أول", "عناصر"):
        assert non_claim not in quotes


def test_vocabulary_is_read_from_vocabulary_md():
    vocabulary = load_vocabulary()
    assert "hospitalized" in vocabulary.categories and "other" in vocabulary.categories
    assert "unspecified" in vocabulary.subjects and "vague" in vocabulary.qualifiers
    assert {"local_media", "csto_secretary_general", "tokayev"} <= vocabulary.actors
    assert "almaty" in vocabulary.places and "almaty" not in vocabulary.actors


def _write(tmp_path, rows):
    (tmp_path / "g.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return tmp_path


def _row(**over):
    row = {"article_id": "a", "category": "killed", "subject": "people", "value": 3, "low": 3, "high": 3,
           "qualifier": "exact", "attributed_to": None, "location": None, "start": 5, "end": 12,
           "quote": "3 أشخاص", "sentence": "مقتل 3 أشخاص", "note": ""}
    return row | over


@pytest.mark.parametrize("bad, message", [
    ({"category": "dead"}, r"g.jsonl:2: unknown category 'dead'"),
    ({"subject": "police"}, "g.jsonl:2: unknown subject 'police'"),
    ({"attributed_to": "nobody"}, "unknown attributed_to id 'nobody'"),
    ({"attributed_to": "almaty"}, "unknown attributed_to id 'almaty'"),         # a place is not an actor
    ({"location": "tokayev"}, "unknown location id 'tokayev'"),
    ({"start": 0, "end": 7}, "0:7 hold 'مقتل 3 ', not the quote"),
    ({"article_id": "b"}, "unknown article_id 'b'"),
    ({"qualifier": "at_least"}, "do not follow the 'at_least' convention"),   # at_least: high must be null
    ({"value": "3"}, "must be numbers or null"),
    ({"sentence": "مقتل 3 أشخاص أمس"}, "sentence is not the text around"),
    ({"quote": "4 أشخاص"}, "does not contain the quote"),
    ({"extra": 1}, r"unknown fields \['extra'\]"),
])
def test_invalid_gold_rows_name_the_file_and_line(tmp_path, bad, message):
    texts = {"a": "مقتل 3 أشخاص"}
    assert load_gold(_write(tmp_path, [_row()]), texts)[0]["value"] == 3
    with pytest.raises(GoldError, match=message):
        load_gold(_write(tmp_path, [_row(), _row(**bad)]), texts)


def test_missing_field_duplicate_and_non_json_rows_are_errors(tmp_path):
    texts = {"a": "مقتل 3 أشخاص"}
    without_note = {k: v for k, v in _row().items() if k != "note"}
    with pytest.raises(GoldError, match=r"g.jsonl:1: missing fields \['note'\]"):
        load_gold(_write(tmp_path, [without_note]), texts)
    with pytest.raises(GoldError, match=r"g.jsonl:2: duplicate claim .* \(first at .*g.jsonl:1\)"):
        load_gold(_write(tmp_path, [_row(), _row()]), texts)
    (tmp_path / "g.jsonl").write_text('{"article_id": \n', encoding="utf-8")
    with pytest.raises(GoldError, match="g.jsonl:1: not JSON"):
        load_gold(tmp_path, texts)


def test_an_empty_gold_folder_is_an_error(tmp_path):
    with pytest.raises(GoldError, match="no gold annotations"):
        load_gold(tmp_path)
