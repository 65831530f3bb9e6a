"""kzlib.tsv.read_tsv: the one reader of the lexicon files."""

import pytest

from kzlib.paths import LEXICONS
from kzlib.tsv import read_tsv


def _write(tmp_path, text):
    path = tmp_path / "lex.tsv"
    path.write_text(text, encoding="utf-8")
    return path


def test_comments_and_blank_lines_are_skipped_and_rows_know_their_line(tmp_path):
    path = _write(tmp_path, "# a comment\nterm\tkind\tnote\n\n# another\nقتل\tverb\t\"as written\"\n  \nجرح\tverb\t\n")
    rows = read_tsv(path)
    assert rows == [{"term": "قتل", "kind": "verb", "note": '"as written"'}, {"term": "جرح", "kind": "verb", "note": ""}]
    assert [r.line for r in rows] == [5, 7]


def test_errors_name_the_physical_line(tmp_path):
    path = _write(tmp_path, "# comment\n\nterm\tkind\n# c\n\nقتل\tverb\tone too many\n")
    with pytest.raises(ValueError, match=r"lex\.tsv: line 6: 3 columns where the header has 2"):
        read_tsv(path)
    path = _write(tmp_path, "term\tkind\tnote\n\nقتل\tverb\n")     # a missing column is not padded
    with pytest.raises(ValueError, match=r"lex\.tsv: line 3: 2 columns where the header has 3"):
        read_tsv(path)
    path = _write(tmp_path, "term\tkind\n# c\n\t verb\n")
    with pytest.raises(ValueError, match=r"lex\.tsv: line 3: empty value in column\(s\) \['term'\]"):
        read_tsv(path, nonempty=("term",))
    path = _write(tmp_path, "# only\n\nterm\tkind\n")
    with pytest.raises(ValueError, match=r"lex\.tsv: line 3: header lacks column\(s\) \['value'\]"):
        read_tsv(path, required=("value",))


def test_lexicon_modules_report_the_line_an_editor_shows(tmp_path):
    from kzlib.furniture import load_rules

    path = tmp_path / "furniture.tsv"
    path.write_text("# rules\nkind\tmatch\tpattern\twhere\tmax_words\tnext_line\tnote\n\n"
                    "caption\tsomewhere\tصورة\tany\t4\tno\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"furniture.tsv: line 4: .*match must be"):
        load_rules(path)


def test_every_shipped_lexicon_reads():
    for path in sorted(LEXICONS.glob("*.tsv")):
        rows = read_tsv(path)
        assert rows, path.name
        assert all(isinstance(v, str) and v == v.strip() for r in rows for v in r.values()), path.name
