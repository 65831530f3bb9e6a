"""The gold set is valid and holds the claims the issue names."""

import json

import pytest

from kzlib.evaluate import GoldError, load_gold


@pytest.fixture(scope="module")
def gold(seed_corpus):
    return load_gold(texts={a.id: a.text for a in seed_corpus.articles})


def _has(gold, article, category, value, **fields):
    return any(
        g["article_id"].startswith(article) and g["category"] == category and g["value"] == value
        and all(g[k] == v for k, v in fields.items())
        for g in gold
    )


@pytest.mark.parametrize("article, category, value, fields", [
    ("000", "killed", 164, {"attributed_to": "local_media"}),
    ("000", "arrested", 6000, {"qualifier": "approx"}),
    ("000", "injured", 1300, {"subject": "security_forces", "qualifier": "at_least"}),
    ("000", "killed", 26, {"subject": "protesters", "attributed_to": "kz_interior_ministry"}),
    ("003", "killed", 26, {"subject": "militants", "attributed_to": "kz_interior_ministry"}),
    ("003", "injured", 18, {"subject": "militants"}),
    ("002", "killed", 7, {"subject": "security_forces"}),
    ("002", "arrested", 100, {"location": "almaty", "qualifier": "at_least"}),
    ("004", "troops", 2500, {"attributed_to": "csto_secretary_general"}),
    ("000", "aircraft", 70, {}),
    ("001", "aircraft", 9, {}),
    ("003", "checkpoints", 70, {}),
    ("001", "attackers", 20000, {"attributed_to": "tokayev"}),
])
def test_landmark_claims_are_in_the_gold_set(gold, article, category, value, fields):
    assert _has(gold, article, category, value, **fields)


def test_no_date_or_duration_is_a_claim(gold):
    quotes = " | ".join(g["quote"] for g in gold)
    for non_claim in ("يناير", "ساعات", "الخامس", "إل-76"):
        assert non_claim not in quotes


def _write(tmp_path, rows):
    (tmp_path / "g.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows), encoding="utf-8")
    return tmp_path


def _row(**over):
    row = {"article_id": "a", "category": "killed", "subject": "people", "value": 3, "low": 3, "high": 3,
           "qualifier": "exact", "attributed_to": None, "location": None, "start": 5, "end": 12,
           "quote": "3 أشخاص", "sentence": "مقتل 3 أشخاص"}
    return row | over


def test_invalid_gold_rows_name_the_file_and_line(tmp_path):
    texts = {"a": "مقتل 3 أشخاص"}
    assert load_gold(_write(tmp_path, [_row()]), texts)[0]["value"] == 3
    with pytest.raises(GoldError, match=r"g.jsonl:2: unknown category 'dead'"):
        load_gold(_write(tmp_path, [_row(), _row(category="dead")]), texts)
    with pytest.raises(GoldError, match="unknown attributed_to id 'nobody'"):
        load_gold(_write(tmp_path, [_row(attributed_to="nobody")]), texts)
    with pytest.raises(GoldError, match="do not hold the quote"):
        load_gold(_write(tmp_path, [_row(start=0)]), texts)
    with pytest.raises(GoldError, match="duplicate claim"):
        load_gold(_write(tmp_path, [_row(), _row()]), texts)
