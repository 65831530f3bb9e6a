"""kzlib.evidence (article pages), kzlib.display (interactive tables) and kzlib.briefing (front page), without
a browser: what they write, escaped; with and without the optional ledger columns newer extractors add."""

from __future__ import annotations

import pandas as pd
import pytest
from bs4 import BeautifulSoup

from kzlib import briefing, display, evidence
from kzlib.corpus import Article
from kzlib.furniture import Span

TEXT = ("وكالة الأنباء\n"
        "قالت وزارة الداخلية إن 26 شخصا قتلوا <svg onload=x> في ألماتي. "
        "وأعلنت السلطات اعتقال نحو 200 شخص & أكثر.\n"
        "المصدر: وكالات")


def _claim(text, quote, category, subject, value, source=None, qualifier="exact", **extra):
    start = text.index(quote)
    sentence_start = max(text.rfind("\n", 0, start), text.rfind(". ", 0, start) + 1) + 1
    full_stop = text.find(".", start)
    sentence_end = full_stop + 1 if full_stop != -1 else len(text)
    row = dict(article_id="a<1>", category=category, subject=subject, value=value, low=value, high=value,
               qualifier=qualifier, attributed_to=source, location=None, start=start, end=start + len(quote),
               quote=quote, sentence=text[sentence_start:sentence_end].strip(), outlet="<b>agency</b>",
               date="2022-01-08")
    row.update(extra)
    return row


@pytest.fixture
def article():
    masthead = Span("masthead", 0, len("وكالة الأنباء"), "وكالة الأنباء")
    footer_start = TEXT.index("المصدر")
    footer = Span("source_line", footer_start, len(TEXT), TEXT[footer_start:])
    return Article(id="a<1>", text=TEXT, source="x.jsonl:line 1", outlet="<b>agency</b>", date="2022-01-08",
                   headline="مقتل 26 <script>alert(1)</script>", furniture=(masthead, footer))


def _claims(optional: bool) -> pd.DataFrame:
    extra = dict(source_text="وزارة الداخلية", subject_text="شخصا", location_text="ألماتي") if optional else {}
    rows = [_claim(TEXT, "26 شخصا", "killed", "people", 26.0, "kz_interior_ministry", **extra),
            _claim(TEXT, "نحو 200 شخص", "arrested", "people", 200.0, None, "approx")]
    frame = pd.DataFrame(rows)
    return frame


def test_page_names_are_safe_file_names():
    assert evidence.page_name("000_824aa14bf3ea2a6b") == "000_824aa14bf3ea2a6b.html"
    odd = evidence.page_name("../etc/passwd")
    assert odd.startswith("a-") and "/" not in odd and odd == evidence.page_name("../etc/passwd")
    assert evidence.claim_href("x:1-5", "../articles/") == "../articles/x.html#claim-1-5"
    assert evidence.claim_href("not a claim") is None
    assert evidence.parse_claim_id("a:b:10-20") == ("a:b", 10, 20)


@pytest.mark.parametrize("optional", [False, True])
def test_article_page_highlights_each_quote_inside_its_sentence_escaped(article, optional):
    claims = _claims(optional)
    page = evidence.article_page(article, claims)
    soup = BeautifulSoup(page, "html.parser")
    assert not soup.find("script") and not soup.find("svg"), "article text must never become markup"
    assert "<script>alert(1)</script>" in soup.h1.get_text()
    assert "<b>agency</b>" in soup.find(class_="kz-meta").get_text()
    text = soup.find(class_="kz-text")
    assert text["dir"] == "rtl"
    assert text.get_text() == TEXT, "the page shows the original text, every character"
    for row in claims.itertuples():
        mark = soup.find(id=f"claim-{row.start}-{row.end}")
        assert mark.name == "mark" and mark.get_text() == row.quote
        assert f"kz-cat-{row.category}" in mark["class"]
        assert "category:" in mark["title"] and "group:" in mark["title"] and "figure:" in mark["title"]
        assert "source:" in mark["title"]
        sentence = [s for s in mark.find_previous_siblings(limit=1) + mark.find_next_siblings(limit=1)
                    if "kz-sentence" in (s.get("class") or [])]
        assert sentence, "the quote sits inside its highlighted sentence"
    killed = soup.find(id=f"claim-{claims.start[0]}-{claims.end[0]}")
    assert ("source as written: وزارة الداخلية" in killed["title"]) is optional
    assert ("place as written: ألماتي" in killed["title"]) is optional
    headers = [th.get_text() for th in soup.find("table", class_="kz-claims").find_all("th")]
    assert ("source as written" in headers) is optional
    dimmed = [s.get_text() for s in soup.find_all(class_="kz-furniture")]
    assert dimmed == ["وكالة الأنباء", TEXT[TEXT.index("المصدر"):]]
    links = {a["href"] for a in soup.find("table", class_="kz-claims").find_all("a")}
    assert links == {f"#claim-{r.start}-{r.end}" for r in claims.itertuples()}


def test_sentence_offsets_from_the_ledger_win_over_searching(article):
    claims = _claims(False)
    # a ledger that caps the sentence it repeats: sentence_start/end still point at the whole sentence
    start = TEXT.index("قالت")
    end = TEXT.index(".", start) + 1
    claims.loc[0, "sentence"] = TEXT[start:start + 10]
    claims["sentence_start"] = [start, None]
    claims["sentence_end"] = [end, None]
    soup = BeautifulSoup(evidence.article_page(article, claims), "html.parser")
    highlighted = "".join(s.get_text() for s in soup.find_all(class_=["kz-sentence", "kz-quote"]))
    assert TEXT[start:end] in highlighted


def test_ledger_only_pages_show_the_sentences_with_the_quotes(tmp_path):
    claims = _claims(True)
    claims.loc[0, "sentence"] = claims.loc[0, "sentence"] + " <script>x()</script>"
    pages = evidence.write_article_pages(tmp_path / "articles", claims, articles=None)
    assert [p.name for p in pages] == [evidence.page_name("a<1>")]
    soup = BeautifulSoup(pages[0].read_text(encoding="utf-8"), "html.parser")
    assert not soup.find("script")
    assert "not part of this report" in soup.get_text()
    marks = soup.find_all("mark")
    assert [m.get_text() for m in marks] == ["26 شخصا", "نحو 200 شخص"]
    assert (tmp_path / "articles" / "evidence.css").is_file()


@pytest.mark.parametrize("optional", [False, True])
def test_table_cells_link_claim_ids_mark_quotes_and_hide_extra_columns(optional):
    from kzlib.tables import reports_table

    claims = _claims(optional)
    reports = display.with_ledger_details(reports_table(claims), claims)
    assert ("source_text" in reports.columns) is optional
    cells, options = display.table_options(reports, ["claim_id", "value", "sentence", "outlet"])
    assert list(cells.columns[:4]) == ["claim_id", "value", "sentence", "outlet"]
    first = BeautifulSoup(cells.loc[0, "claim_id"], "html.parser").a
    assert first["href"].startswith("../articles/") and first["href"].endswith(f"#claim-{claims.start[0]}-{claims.end[0]}")
    assert cells.loc[0, "value"] == "26"
    sentence = BeautifulSoup(cells.loc[0, "sentence"], "html.parser")
    assert sentence.mark.get_text() == "26 شخصا" and not sentence.find("svg")
    assert "&lt;svg onload=x&gt;" in cells.loc[0, "sentence"]
    assert cells.loc[0, "outlet"] == "&lt;b&gt;agency&lt;/b&gt;"
    defs = {tuple(d["targets"]): d for d in options["columnDefs"]}
    hidden = next(d for d in options["columnDefs"] if d.get("visible") is False)["targets"]
    assert hidden == list(range(4, len(cells.columns)))
    rtl = next(d for d in options["columnDefs"] if "kz-wrap" in d.get("className", ""))["targets"]
    assert rtl == [2]                                                   # the sentence column
    assert options["buttons"][0]["extend"] == "colvis" and options["maxBytes"] == 0 and options["deferRender"]
    assert defs  # noqa: the options are well-formed


def test_itables_html_is_offline():
    import itables

    cells, options = display.table_options(pd.DataFrame({"claim_id": ["a:1-2"], "quote": ["قتل"]}))
    page = itables.to_html_datatable(cells, connected=False, **options)
    assert "https://" not in page.split("<tbody>")[0] and "unpkg" not in page
    assert "_itables_" in page  # waits for the bundle init_notebook_mode embeds once per notebook


@pytest.mark.parametrize("optional", [False, True])
def test_briefing_figures_come_from_reconcile_and_link_to_evidence(optional):
    from kzlib.tables import find_conflicts, reconcile

    claims = pd.concat([_claims(optional), pd.DataFrame([
        _claim(TEXT, "26 شخصا", "killed", "people", 30.0, "local_media") | {"article_id": "b", "start": 5, "end": 12,
                                                                            "date": "2022-01-09"}])], ignore_index=True)
    briefs = {b["id"]: b for b in briefing.category_briefs(claims)}
    assert set(briefs) == {"killed", "arrested"}
    killed = briefs["killed"]
    expected = reconcile(claims, "latest_official", group_by=("category",)).set_index("category").loc["killed"]
    assert killed["low"]["text"] == f"{expected.low:,.0f}" and killed["high"]["text"] == f"{expected.high:,.0f}"
    assert killed["reports"] == expected.n_reports == 2 and killed["outlets"] == expected.n_outlets
    assert killed["low"]["href"] == evidence.claim_href(f"a<1>:{claims.start[0]}-{claims.end[0]}")
    assert killed["high"]["href"] == "articles/b.html#claim-5-12"
    assert killed["latest"]["figure"]["text"] == "26" and killed["latest"]["source"][1] != "kz_interior_ministry"
    assert len(killed["conflicts"]) == len(find_conflicts(claims, ("killed",))) == 1
    sentence = killed["conflicts"][0]
    assert {sentence["a"]["figure"]["text"], sentence["b"]["figure"]["text"]} == {"26", "30"}
    assert sentence["reason_en"].startswith("different figures") and "later report" in sentence["reason_en"]
    assert briefs["arrested"]["latest"] is None and briefs["arrested"]["unattributed"] == 1


def test_briefing_shows_missing_and_displaced_when_the_ledger_has_them():
    rows = [_claim(TEXT, "26 شخصا", "missing", "people", 26.0, "kz_interior_ministry"),
            _claim(TEXT, "نحو 200 شخص", "displaced", "people", 200.0)]
    assert [b["id"] for b in briefing.category_briefs(pd.DataFrame(rows))] == ["missing", "displaced"]
    assert briefing.category_briefs(pd.DataFrame(rows).iloc[0:0]) == []


def test_arabic_letters_are_written_as_letters_in_the_table_data_and_decode_the_same():
    import json

    import itables

    rows = [["قتل 3 أشخاص", 'a literal \\u0642 and \\\\u0642 and "\\\\" \\', "ﷲ ٣ <mark>"]]
    doubly = json.dumps(json.dumps(rows))
    compact = display.compact_arabic_escapes(doubly)
    assert json.loads(json.loads(compact)) == rows
    assert "قتل" in compact and len(compact) < len(doubly)
    assert "\\\\\\\\u0642" in compact, "the article's own backslash-u text stays escaped"
    cells, options = display.table_options(pd.DataFrame({"sentence": ["قتل 3 أشخاص"], "quote": ["3 أشخاص"]}))
    page = display.compact_arabic_escapes(itables.to_html_datatable(cells, connected=False, **options))
    assert "قتل" in page and "\\\\u0642" not in page


def test_mention_refs_link_to_the_article_and_long_id_lists_are_counted():
    frame = pd.DataFrame({"statements_refs": ["a:1-5"], "claim_ids": [", ".join(f"a:{i}-{i + 3}" for i in range(25))]})
    cells, _ = display.table_options(frame)
    assert BeautifulSoup(cells.loc[0, "statements_refs"], "html.parser").a["href"] == "../articles/a.html"
    claim_cell = BeautifulSoup(cells.loc[0, "claim_ids"], "html.parser")
    assert len(claim_cell.find_all("a")) == display.MAX_LINKED_IDS
    assert "+15 more in the saved table" in claim_cell.get_text()
