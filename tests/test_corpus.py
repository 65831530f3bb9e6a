"""Corpus loading: the manifest against the raw files, every accepted input form, and every bad input."""

import csv
import hashlib
import json
import logging
import shutil
from pathlib import Path

import pytest

from kzlib.corpus import Article, Corpus, CorpusError, Skip, count_words, derive_headline, iter_articles, load_corpus
from kzlib.furniture import find_furniture
from kzlib.paths import DATA, MANIFEST, RAW, ROOT

SEEDS = ROOT.parent / "shared" / "seeds"
ARTICLE = "قالت وزارة الداخلية الكازاخستانية إن 26 محتجا قتلوا في ألماتي.\n"


def manifest_rows():
    with open(MANIFEST, encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


# --- the manifest and the raw files --------------------------------------------------------------

def test_raw_files_hash_to_the_manifest():
    rows = manifest_rows()
    assert len(rows) == len(list(RAW.glob("*.txt"))) == 5
    for row in rows:
        data = (DATA / row["file"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == row["sha256"], row["file"]
        assert len(data.decode("utf-8")) == int(row["chars"])


@pytest.mark.skipif(not SEEDS.is_dir(), reason=f"{SEEDS} not present (only beside the original checkout)")
def test_raw_files_are_byte_identical_to_the_shared_seeds():
    for path in sorted(RAW.glob("*.txt")):
        assert path.read_bytes() == (SEEDS / path.name).read_bytes(), path.name
    assert sorted(p.name for p in SEEDS.glob("*.txt")) == sorted(p.name for p in RAW.glob("*.txt"))


def test_manifest_columns_and_labelled_values():
    rows = manifest_rows()
    for row in rows:
        assert row["outlet_basis"] in ("stated", "inferred", "unknown")
        assert row["date_basis"] in ("stated", "inferred", "unknown")
        assert row["content_source_basis"] in ("stated", "inferred", "unknown")
        assert row["outlet_evidence"] and row["date_evidence"] and row["headline_basis"]
        if row["outlet_basis"] == "unknown":
            assert row["outlet"] == "unknown"
        if row["date"]:
            assert row["date"].startswith("2022-01-")
    by_id = {r["id"][:3]: r for r in rows}
    assert "المصدر : الجزيرة + الأناضول" in by_id["000"]["outlet_evidence"]
    assert "عصام كامل" in by_id["001"]["outlet_evidence"]
    assert by_id["004"]["content_source"] == "sputnik" and by_id["004"]["outlet"] == "unknown"


def test_manifest_dates_follow_the_weekday_named_in_the_text():
    import datetime

    weekday_words = {"الأحد": 6, "الإثنين": 0, "الاثنين": 0, "الثلاثاء": 1, "الأربعاء": 2, "الخميس": 3, "الجمعة": 4,
                     "السبت": 5}
    for row in manifest_rows():
        text = (DATA / row["file"]).read_text(encoding="utf-8")
        named = [w for w in weekday_words if f"اليوم {w}" in text]
        if row["id"].startswith(("000", "001", "002")):
            assert named, row["id"]
            weekday = datetime.date.fromisoformat(row["date"]).weekday()
            assert weekday == weekday_words[named[0]], (row["id"], named)


def test_seed_manifest_loads_with_metadata(seed_corpus):
    assert seed_corpus.summary() == "loaded 5 articles, skipped 0"
    by = {a.id[:3]: a for a in seed_corpus.articles}
    assert by["000"].outlet == "aljazeera" and by["000"].date == "2022-01-09"
    assert by["001"].outlet == "vetogate" and by["001"].headline.startswith("تصريح صادم")
    assert by["002"].headline is None and by["002"].meta["headline_basis"].startswith("none")
    assert by["003"].headline == "توكاييف يعلن استعادة النظام الدستوري في كازاخستان ويوجه خطاباً إلى الأمة"
    assert by["004"].meta["content_source"] == "sputnik"
    for article in seed_corpus.articles:
        assert article.source == f"data/raw/{article.id}.txt"
        assert article.text == (RAW / f"{article.id}.txt").read_text(encoding="utf-8")   # untouched
        assert article.sha256 == hashlib.sha256((RAW / f"{article.id}.txt").read_bytes()).hexdigest()
        assert article.meta["date_basis"] == "inferred"


def test_bare_folder_gives_unknown_metadata_and_derived_headlines():
    corpus = load_corpus(RAW)
    assert [a.id for a in corpus.articles] == sorted(p.stem for p in RAW.glob("*.txt"))
    for article in corpus.articles:
        assert article.outlet == "unknown" and article.date is None
        assert article.meta["headline_basis"].startswith("derived")
    by = {a.id[:3]: a for a in corpus.articles}
    assert by["001"].headline == "تصريح صادم من واشنطن بشأن التدخل الروسي في كازاخستان"   # after the masthead
    assert by["002"].headline is None and "sentence" in by["002"].meta["headline_basis"]


def test_iter_articles_streams_the_same_articles_as_load_corpus():
    streamed = list(iter_articles(MANIFEST))
    loaded = load_corpus(MANIFEST)
    assert [a.id for a in streamed] == [a.id for a in loaded.articles]
    assert [a.furniture for a in streamed] == [a.furniture for a in loaded.articles]


def test_articles_frame(seed_corpus):
    frame = seed_corpus.articles_frame()
    assert list(frame["id"]) == [a.id for a in seed_corpus.articles]
    assert {"id", "outlet", "date", "headline", "source", "chars", "words", "sentences", "furniture", "text"} <= set(frame.columns)
    row = frame.set_index("id").loc["001_286c5a85d9cb9fcb"]
    assert row["furniture"] == "masthead, caption, caption, navigation"
    assert row["chars"] == 3687 and 400 < row["words"] < 700 and row["sentences"] >= 15
    assert frame.attrs["sentence_splitter"]


def test_count_words_is_arabic_aware():
    assert count_words("وبموازاة ذلك، قالت داخلية كازاخستان إن 70 طائرة هبطت.") == 9
    assert count_words("طراز “إل-76” محملة") == 3
    assert count_words(" … ، . ") == 0


def test_derive_headline():
    text = "رئيس التحرير\nعصام كامل\n\nعنوان قصير عن الأحداث\n\nنص الخبر هنا."
    assert derive_headline(text, find_furniture(text))[0] == "عنوان قصير عن الأحداث"
    headline, basis = derive_headline("أعلنت الوزارة اليوم مقتل 5 أشخاص.\nوأضافت أن التحقيق جار.")
    assert headline is None and "sentence" in basis
    assert derive_headline("مصرع 26 “مجرما مسلحا”\nنص.")[0] == "مصرع 26 “مجرما مسلحا”"


# --- other input forms -------------------------------------------------------------------------------

def test_single_txt_keeps_crlf_and_records_a_removed_bom(write_file):
    path = write_file("a.txt", b"\xef\xbb\xbf" + "عنوان الخبر\r\n\r\nقتل 5 أشخاص.\r\nالمصدر: رويترز\r\n".encode())
    (article,) = load_corpus(path).articles
    assert article.text == "عنوان الخبر\r\n\r\nقتل 5 أشخاص.\r\nالمصدر: رويترز\r\n"
    assert article.meta["bom_removed"] is True
    assert article.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert [(s.kind, s.text) for s in article.furniture] == [("source_footer", "المصدر: رويترز")]
    assert article.headline == "عنوان الخبر"


def test_jsonl_with_metadata_and_extra_fields(write_file):
    records = [{"id": "a1", "text": ARTICLE, "outlet": "rt", "date": "2022-01-08T10:00:00Z", "url": "https://x"},
               {"text": "أصيب 3 أشخاص.", "headline": "عنوان"}]
    path = write_file("c.jsonl", "\n".join(json.dumps(r, ensure_ascii=False) for r in records) + "\n\n")
    first, second = load_corpus(path).articles
    assert (first.id, first.outlet, first.date, first.meta["url"]) == ("a1", "rt", "2022-01-08", "https://x")
    assert first.source.endswith("c.jsonl:line 1")
    assert second.id == "c:2" and second.headline == "عنوان" and second.outlet == "unknown"


def test_csv_corpus_and_a_date_that_is_not_iso(write_file):
    path = write_file("c.csv", f'id,text,outlet,date,section\nx,"{ARTICLE}",aljazeera,9 يناير,world\n')
    (article,) = load_corpus(path).articles
    assert article.text == ARTICLE and article.meta["section"] == "world"
    assert article.date is None and article.meta["date_raw"] == "9 يناير"


def test_parquet_corpus(tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    pq.write_table(pa.table({"id": ["p1", "p2"], "text": [ARTICLE, "  "], "outlet": ["anadolu", None]}), tmp_path / "c.parquet")
    corpus = load_corpus(tmp_path / "c.parquet")
    assert [a.id for a in corpus.articles] == ["p1"] and corpus.articles[0].outlet == "anadolu"
    assert corpus.skipped[0].source.endswith("c.parquet:row 2") and "empty" in corpus.skipped[0].reason


# --- bad input ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("name, content, reason", [
    ("bad.txt", "قتل 5".encode() + b"\xff\xfe tail", "undecodable byte 0xff at byte offset 8 (line 1;"),
    ("empty.txt", b"", "empty article"),
    ("blank.txt", " \n\u00a0\n".encode(), "empty article (whitespace only)"),
    ("binary.txt", b"PK\x03\x04\x00\x00 data", "NUL byte at byte offset 4"),
    ("page.txt", "<html><body><p>قتل 5 أشخاص</p></body></html>".encode(), "HTML markup '<html>' at line 1"),
    ("notes.md", "ملاحظات".encode(), "unsupported file type '.md'"),
])
def test_bad_file_becomes_a_skip_naming_file_and_place(write_file, name, content, reason):
    write_file("good.txt", ARTICLE)
    bad = write_file(name, content)
    corpus = load_corpus(bad.parent)
    assert [a.id for a in corpus.articles] == ["good"]
    (skip,) = corpus.skipped
    assert skip.source.endswith(name) and reason in skip.reason
    assert corpus.summary() == "loaded 1 articles, skipped 1"
    with pytest.raises(CorpusError, match=name):
        load_corpus(bad.parent, strict=True)


def test_jsonl_bad_lines_name_file_and_line(write_file):
    path = write_file("c.jsonl", "\n".join([
        json.dumps({"id": "ok", "text": ARTICLE}, ensure_ascii=False),
        '{"id": "broken", "text": "مقتل 5 أشخاص',
        json.dumps({"id": "notext", "outlet": "x"}),
        json.dumps(["not", "an", "object"]),
        json.dumps({"id": "n", "text": 5}),
    ]) + "\n")
    corpus = load_corpus(path)
    assert [a.id for a in corpus.articles] == ["ok"]
    got = [(s.source.rsplit(":", 1)[1], s.reason.split(":")[0]) for s in corpus.skipped]
    assert got == [("line 2", "not JSON"), ("line 3", "no 'text' field"), ("line 4", "not a JSON object but list"),
                   ("line 5", "'text' is int, not a string")]
    with pytest.raises(CorpusError, match=r"c\.jsonl:line 2: not JSON"):
        load_corpus(path, strict=True)


def test_csv_without_text_column_is_a_skip_naming_the_file(write_file):
    path = write_file("c.csv", "id,body\n1,قتل 5 أشخاص\n")
    corpus = load_corpus(path)
    assert corpus.articles == [] and [(s.source.rsplit("/", 1)[-1], s.reason[:16]) for s in corpus.skipped] == [
        ("c.csv", "no 'text' column")]
    with pytest.raises(CorpusError, match=r"c\.csv: no 'text' column"):
        load_corpus(path, strict=True)


def test_missing_path_is_an_error(tmp_path):
    with pytest.raises(CorpusError, match="nope.txt: no such file"):
        load_corpus(tmp_path / "nope.txt")


def _copy_seed_corpus(tmp_path) -> Path:
    shutil.copytree(RAW, tmp_path / "raw")
    shutil.copy(MANIFEST, tmp_path / "corpus.csv")
    return tmp_path / "corpus.csv"


def _rewrite_manifest(manifest: Path, change) -> None:
    with open(manifest, encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        fields, rows = reader.fieldnames, list(reader)
    rows = change(rows)
    with open(manifest, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def test_copied_manifest_loads_the_same_articles(tmp_path):
    corpus = load_corpus(_copy_seed_corpus(tmp_path))
    assert corpus.summary() == "loaded 5 articles, skipped 0"
    assert [a.outlet for a in corpus.articles] == [r["outlet"] for r in manifest_rows()]


def test_folder_holding_a_manifest_is_read_through_it(tmp_path):
    manifest = _copy_seed_corpus(tmp_path)
    for path in (tmp_path / "raw").glob("*.txt"):      # manifest beside its files
        shutil.move(path, tmp_path / path.name)
    (tmp_path / "raw").rmdir()        # an empty subfolder left behind would be listed as a skip
    _rewrite_manifest(manifest, lambda rows: [dict(r, file=r["file"].removeprefix("raw/")) for r in rows])
    corpus = load_corpus(tmp_path)
    assert corpus.summary() == "loaded 5 articles, skipped 0"
    assert corpus.articles[0].outlet == "aljazeera"


def test_edited_raw_file_is_a_checksum_error(tmp_path):
    manifest = _copy_seed_corpus(tmp_path)
    target = tmp_path / "raw" / "002_1a04892aaa3352f3.txt"
    target.write_bytes(target.read_bytes().replace("7 من أفرادها".encode(), "8 من أفرادها".encode()))
    with pytest.raises(CorpusError, match=r"002_1a04892aaa3352f3\.txt: sha256 .* does not match the manifest"):
        load_corpus(manifest)


def test_manifest_row_whose_file_is_missing_is_an_error(tmp_path):
    manifest = _copy_seed_corpus(tmp_path)
    (tmp_path / "raw" / "003_8810d80a09cc04a1.txt").unlink()
    with pytest.raises(CorpusError, match=r"corpus\.csv: line 5: file 'raw/003_8810d80a09cc04a1\.txt' .* is missing"):
        list(iter_articles(manifest))


def test_duplicate_manifest_id_is_an_error(tmp_path):
    manifest = _copy_seed_corpus(tmp_path)
    _rewrite_manifest(manifest, lambda rows: rows + [dict(rows[0], file="raw/001_286c5a85d9cb9fcb.txt")])
    with pytest.raises(CorpusError, match=r"line 7: duplicate id '000_824aa14bf3ea2a6b' \(also on line 2\)"):
        load_corpus(manifest)


def test_duplicate_ids_across_records_are_an_error(write_file):
    path = write_file("c.jsonl", "\n".join(json.dumps({"id": "same", "text": ARTICLE}, ensure_ascii=False) for _ in range(2)))
    with pytest.raises(CorpusError, match=r"c\.jsonl:line 2: duplicate id 'same'"):
        load_corpus(path)


def test_file_not_listed_in_the_manifest_is_a_skip(tmp_path, caplog):
    manifest = _copy_seed_corpus(tmp_path)
    (tmp_path / "raw" / "005_new.txt").write_text(ARTICLE, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="kzlib.corpus"):
        corpus = load_corpus(manifest)
    assert corpus.summary() == "loaded 5 articles, skipped 1"
    assert corpus.skipped[0].source.endswith("005_new.txt") and "not listed in the manifest" in corpus.skipped[0].reason
    assert "loaded 5 articles, skipped 1" in caplog.text
    with pytest.raises(CorpusError, match="005_new.txt: not listed"):
        load_corpus(manifest, strict=True)


def test_changed_char_count_in_manifest_is_an_error(tmp_path):
    manifest = _copy_seed_corpus(tmp_path)
    _rewrite_manifest(manifest, lambda rows: [dict(r, chars="1", sha256="") if r["id"].startswith("004") else r for r in rows])
    with pytest.raises(CorpusError, match=r"line 6: .*004_6000a56a302bf043\.txt has 2399 characters, the manifest says 1"):
        load_corpus(manifest)


def test_article_constructed_directly_has_whole_text_as_body():
    article = Article(id="x", text=ARTICLE, source="test")
    assert article.body_spans() == [(0, len(ARTICLE))] and article.furniture == ()
    assert Corpus([article], [Skip("y", "empty article")], "mem").summary() == "loaded 1 articles, skipped 1"
