"""kzlib.display: a large table shows its first rows in the page and links the saved table."""

import pandas as pd

from kzlib import display


def _frame(rows: int) -> pd.DataFrame:
    return pd.DataFrame({"claim_id": [f"a{i}:0-5" for i in range(rows)], "value": range(rows),
                         "sentence": ["قتل خمسة أشخاص في الهجوم على القرية"] * rows})


def test_a_small_table_is_embedded_whole():
    page, shown = display.table_html(_frame(30))
    assert shown == 30
    assert "a29:0-5" in page


def test_a_long_table_stops_at_max_rows():
    page, shown = display.table_html(_frame(2_000), max_rows=100)
    assert shown == 100
    assert "a99:0-5" in page and "a100:0-5" not in page


def test_a_wide_table_stops_at_max_bytes():
    page, shown = display.table_html(_frame(2_000), max_rows=2_000, max_bytes=60_000)
    assert 1 < shown < 2_000
    assert len(page.encode("utf-8")) <= 60_000
    full, _ = display.table_html(_frame(shown + 50), max_rows=2_000, max_bytes=10**9)
    assert len(full.encode("utf-8")) > len(page.encode("utf-8"))


def test_the_note_says_how_many_rows_and_links_both_saved_files():
    note = display.truncation_note(500, 44_123, "02_claims_ledger")
    assert "500 of 44,123 rows" in note
    assert 'href="../tables/02_claims_ledger.csv"' in note and 'href="../tables/02_claims_ledger.parquet"' in note
    assert "tables/" in display.truncation_note(5, 9, None)


def test_a_masked_table_shows_the_first_chosen_rows_and_counts_them_all(monkeypatch):
    display.show_table(_frame(3))          # itables' set-up displays its own items once
    shown = []
    monkeypatch.setattr("IPython.display.display", lambda item: shown.append(getattr(item, "data", "")))
    frame = _frame(3_000)
    display.show_table(frame, where=frame["value"] % 3 == 0, max_rows=100, saved="t")
    note, page = shown
    assert "The first 100 of 1,000 rows" in note
    assert "a297:0-5" in page and "a1:0-5" not in page and "a300:0-5" not in page
    shown.clear()
    display.show_table(frame, where=frame["value"] < 10)      # all of them fit: no note
    assert len(shown) == 1 and "a9:0-5" in shown[0] and "a10:0-5" not in shown[0]
