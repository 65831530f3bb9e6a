"""The lexicon registry (kzlib.lexicon_files): every shipped word list is registered, reads, and is checked."""

import pytest

from kzlib.lexicon_files import LEXICON_FILES, check_lexicons, lexicon_path, lexicon_rows
from kzlib.paths import LEXICONS


def test_every_shipped_lexicon_is_registered_and_every_registered_file_exists():
    shipped = {p.name for p in LEXICONS.glob("*.tsv")}
    registered = {spec.file for spec in LEXICON_FILES.values()}
    assert shipped - registered == set(), "a .tsv in lexicons/ that no code reads through the registry"
    assert registered - shipped == set()


def test_every_registered_lexicon_reads_with_rows():
    counts = check_lexicons()
    assert set(counts) == set(LEXICON_FILES)
    assert {name for name, n in counts.items() if n == 0} == set()


def test_each_call_gives_fresh_rows_with_their_line_numbers():
    first, second = lexicon_rows("categories"), lexicon_rows("categories")
    assert first == second and first[0] is not second[0]
    first[0]["term"] = "changed"
    assert lexicon_rows("categories")[0]["term"] != "changed"
    lines = lexicon_path("categories").read_text(encoding="utf-8").splitlines()
    row = second[5]
    assert lines[row.line - 1].split("\t")[0].strip() == row["term"]


def test_an_analysts_file_is_checked_against_the_registered_columns(tmp_path):
    own = tmp_path / "my_framing.tsv"
    own.write_text("group\tframe\tterm\tgloss_en\tnote\nprotesters\tcrime\tمخربين\tvandals\t\n", encoding="utf-8")
    assert [r["term"] for r in lexicon_rows("framing", own)] == ["مخربين"]
    own.write_text("# mine\ngroup\tframe\tterm\tnote\nprotesters\tcrime\tمخربين\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"my_framing.tsv: line 2: header lacks column\(s\) \['gloss_en'\]"):
        lexicon_rows("framing", own)
    own.write_text("group\tframe\tterm\tgloss_en\tnote\n\nprotesters\t\tمخربين\tvandals\t\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"my_framing.tsv: line 3: empty value in column\(s\) \['frame'\]"):
        lexicon_rows("framing", own)


def test_an_unknown_lexicon_name_lists_the_known_ones():
    with pytest.raises(KeyError, match="no lexicon named 'framings'.*'framing'"):
        lexicon_rows("framings")
