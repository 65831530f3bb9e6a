"""Gazetteer: canonical ids for actors and places, Arabic spelling variants, clitics, offsets into the original."""

import re

import pytest

from kzlib.gazetteer import PLACE_FILES, Gazetteer, load_gazetteer, read_places, tokenize
from kzlib.tsv import read_tsv
from kzlib.paths import LEXICONS


@pytest.fixture(scope="module")
def gaz():
    return load_gazetteer()


def ids(gaz, text):
    return [e.id for e in gaz.find(text)]


@pytest.mark.parametrize("surface", ["ألماتي", "ألما آتا", "ألما-آتا", "وألماتي", "بألما آتا", "لألماتي"])
def test_almaty_spellings_and_clitics(gaz, surface):
    assert gaz.lookup(surface) == "almaty"


@pytest.mark.parametrize("surface", ["توكاييف", "توكايف", "قاسم جومارت توكاييف", "وتوكاييف"])
def test_tokayev_spellings(gaz, surface):
    assert gaz.lookup(surface) == "tokayev"


@pytest.mark.parametrize("text", [
    "قالت وزارة الداخلية الكازاخستانية إن الوضع مستقر",
    "قالت داخلية كازاخستان إن الوضع مستقر",
    "وكانت وزارة الداخلية في كازاخستان قد كشفت عن ذلك",
    "في كازاخستان، حسب الداخلية",
])
def test_interior_ministry_written_several_ways(gaz, text):
    assert "kz_interior_ministry" in ids(gaz, text)


def test_bare_ministry_needs_its_country_in_the_text(gaz):
    # "الداخلية" alone is Kazakhstan's ministry only in an article about Kazakhstan
    assert "kz_interior_ministry" not in ids(gaz, "قالت الداخلية السورية إن 3 أشخاص قتلوا في حمص")


def test_organization_refers_back_to_csto_only_after_it_is_named(gaz):
    assert ids(gaz, "وقالت المنظمة في بيان إن القوات وصلت") == []
    found = ids(gaz, "أعلنت منظمة معاهدة الأمن الجماعي إرسال قوات. وقالت المنظمة إن القوات وصلت")
    assert found == ["csto", "csto"]


def test_longest_match_wins(gaz):
    # "نور سلطان" is the capital, but inside "نور سلطان نزارباييف" it is the former president's name
    assert ids(gaz, "الرئيس السابق نور سلطان نزارباييف") == ["nazarbayev"]
    assert ids(gaz, "العاصمة نور سلطان") == ["nur_sultan"]
    assert ids(gaz, "أكد الأمين العام لمنظمة معاهدة الأمن الجماعي، ستانيسلاف زاس") == [
        "csto_secretary_general", "csto_secretary_general"]


def test_offsets_point_into_the_original_text_with_diacritics_and_clitics(gaz):
    text = "قالَتْ وزارةُ الدفاعِ الروسيةُ إن 9 طائرات هبطت في مطارِ ألما آتا وبكازاخستان"
    ents = gaz.find(text)
    assert [e.id for e in ents] == ["ru_defence_ministry", "almaty", "kazakhstan"]
    for e in ents:
        assert text[e.start:e.end] == e.surface
    assert ents[0].surface.startswith("وزارةُ")
    assert ents[2].surface == "كازاخستان"          # the clitic وب is not part of the name


def test_info_and_unknown_id(gaz):
    info = gaz.info("csto_secretary_general")
    assert info["type"] == "person" and "Zas" in info["name_en"]
    with pytest.raises(KeyError, match="no_such_actor"):
        gaz.info("no_such_actor")


def test_every_id_is_in_the_controlled_vocabulary(gaz):
    """Actor ids are listed in VOCABULARY.md; place ids are defined by the place files (VOCABULARY.md says so)."""
    vocabulary = (LEXICONS / "VOCABULARY.md").read_text(encoding="utf-8")
    known = set(re.findall(r"`([a-z0-9_]+)`", vocabulary))
    place_ids = {row["id"] for name in PLACE_FILES for row in read_places(name)}
    assert gaz.ids - known - place_ids == set()
    assert "countries.tsv" in vocabulary and "places.tsv" in vocabulary


def test_place_rows_are_consistent():
    """One English name and a snake_case id per place; every `country` and `context` is a known place id."""
    rows = [row for name in PLACE_FILES for row in read_places(name)]
    actor_places = {r["id"] for r in read_tsv(LEXICONS / "actors.tsv") if r["type"] == "place"}
    ids = {r["id"] for r in rows} | actor_places
    names: dict[str, set[str]] = {}
    for r in rows:
        assert re.fullmatch(r"[a-z0-9]+(_[a-z0-9]+)*", r["id"]), r
        assert r["kind"] in {"country", "capital", "city", "town", "province", "region", "district", "camp",
                             "neighbourhood", "island"}, r
        assert not r["country"] or r["country"] in ids, r
        assert not r["context"] or r["context"] in ids, r
        assert tokenize(r["variant"]), r
        names.setdefault(r["id"], set()).add(r["name_en"])
    assert {i: n for i, n in names.items() if len(n) > 1} == {}
    assert len(names) >= 400                  # every country and several hundred curated places


def test_places_beyond_kazakhstan(gaz):
    text = "قتل 5 في مدينة حلب وجرح 3 في الخرطوم ونزح 40 من ريف إدلب إلى تركيا وللعراق"
    assert ids(gaz, text) == ["aleppo", "khartoum", "idlib", "turkey", "iraq"]
    # a place takes prepositions, never an article of its own: "المالي" (financial) is not Mali
    assert ids(gaz, "الوضع المالي للبلاد وللمالي") == []
    assert ids(gaz, "هجوم في مالي") == ["mali"]


def test_context_variant_is_tried_first(gaz):
    assert ids(gaz, "اشتباكات في طرابلس") == ["tripoli"]
    assert ids(gaz, "اشتباكات في طرابلس شمالي لبنان") == ["tripoli_lebanon", "lebanon"]
    assert ids(gaz, "وصل الوفد إلى عمان") == ["oman"]
    assert ids(gaz, "تظاهرة في عمان عاصمة الأردن") == ["amman", "jordan"]


def test_bad_place_file_names_the_file_and_line(tmp_path):
    bad = tmp_path / "places.tsv"
    bad.write_text("id\tname_en\tvariant\tkind\tcountry\tcontext\tnote\naleppo\tAleppo\t\tcity\tsyria\t\t\n",
                   encoding="utf-8")
    with pytest.raises(ValueError, match=r"places.tsv: line 2"):
        read_places(path=bad)


def test_every_row_has_a_valid_type_and_gender():
    for row in read_tsv(LEXICONS / "actors.tsv"):
        assert row["type"] in {"person", "institution", "media", "place", "organization"}, row
        assert row["gender"] in {"m", "f"}, row
        assert tokenize(row["variant"]), row


def test_load_is_cached():
    assert load_gazetteer() is load_gazetteer()


def test_bad_rows_name_the_file_and_line(tmp_path):
    bad = tmp_path / "actors.tsv"
    bad.write_text("id\ttype\tvariant\nalmaty\tplace\tألماتي\nfoo\t\tبار\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"actors.tsv: line 3: empty 'type'"):
        Gazetteer(read_tsv(bad), source=str(bad))


# --- tokenize: the C-level construction against a plain per-word reference --------------------

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from kzlib.normalize import COMBINING_MARKS, normalize  # noqa: E402


def _reference_tokens(text):
    """Letters-and-digits runs of the folded text, each mapped back with the diacritics on its last letter."""
    folded = normalize(text)
    out = []
    for m in re.finditer(r"[^\W_]+", folded.text):
        start, end = folded.to_original(m.start(), m.end())
        out.append((m.group(), start, end))
    return out


_PIECES = st.sampled_from(list("بسمكأإىةو") + ["\u064e", "\u0651", "\u0640", "\u200c", "\u200f", "_", " ", "-", "٣", "7", ".", "\n"])


@settings(max_examples=300)
@given(st.lists(_PIECES, max_size=40).map("".join))
def test_tokens_are_the_folded_word_runs_with_their_original_spans(text):
    assert [tuple(t) for t in tokenize(text)] == _reference_tokens(text)


def test_token_spans_keep_the_diacritics_of_the_last_letter_but_not_a_following_invisible_mark():
    text = "قتلَ\u200c مُحتجٌّ_ب"
    tokens = tokenize(text)
    assert [t.norm for t in tokens] == ["قتل", "محتج", "ب"]
    assert text[tokens[0].start:tokens[0].end] == "قتلَ"
    assert text[tokens[1].start:tokens[1].end] == "مُحتجٌّ"
    assert all(ch not in COMBINING_MARKS for ch in text[tokens[2].start:tokens[2].end][:1])


def test_context_ids_are_those_a_lexicon_of_the_free_variants_alone_finds():
    # Gazetteer.find reuses the matches of all variants to decide which context ids a text names; the
    # reference is a separate lexicon holding only the variants without a context, matched on its own
    from kzlib.corpus import load_corpus
    from kzlib.gazetteer import Lexicon
    from kzlib.paths import MANIFEST

    gaz = load_gazetteer()
    free = Lexicon(e for e in gaz._all.entries if not e.row.get("context"))
    texts = [a.text for a in load_corpus(MANIFEST).articles]
    texts += ["أعلنت المنظمة إرسال قوات", "قالت منظمة معاهدة الأمن الجماعي إن المنظمة أرسلت قوات", "وللمنظمة قوات"]
    for text in texts:
        tokens = tokenize(text)
        starts = gaz._all.starts(tokens)
        expected = {m.entry.label for m in free.find_all(tokens)}
        choices = [gaz._choice_of(tokens[i].norm) for i in starts]
        assert gaz._free_ids(tokens, starts, choices)[0] == expected


def test_find_is_the_first_of_all_matches_at_each_token():
    # find picks the winner at a token without building every match; the reference builds them all
    # (Lexicon.matches_at, longest first) and filters the context variants by the ids the text names
    from kzlib.corpus import load_corpus
    from kzlib.gazetteer import Lexicon
    from kzlib.paths import MANIFEST

    gaz = load_gazetteer()
    free = Lexicon(e for e in gaz._all.entries if not e.row.get("context"))
    texts = [a.text for a in load_corpus(MANIFEST).articles]
    texts += ["قالت وزارة الداخلية الكازاخستانية إن المنظمة أرسلت قوات إلى ألماتي", "وللمنظمة قوات في نور سلطان",
              "أعلنت المنظمة إرسال قوات", "التقى بوتين وتوكاييف في موسكو"]
    found = 0
    for text in texts:
        tokens = tokenize(text)
        present = {m.entry.label for m in free.find_all(tokens)}
        expected, after = [], 0
        for i in range(len(tokens)):
            if i < after:
                continue
            ms = [m for m in gaz._all.matches_at(tokens, i)
                  if not m.entry.row.get("context") or m.entry.row["context"] in present]
            if ms:
                expected.append((ms[0].entry.label, ms[0].first, ms[0].last))
                after = ms[0].last + 1
        entities, firsts, lasts = gaz.find_indexed(text, tokens)
        assert [(e.id, f, last) for e, f, last in zip(entities, firsts, lasts)] == expected
        found += len(expected)
    assert found > 50


def test_first_at_is_the_first_of_matches_at():
    # find_all and the attribution take the first match at a token without building the others
    from kzlib.attribution import cue_lexicons
    from kzlib.claims import _extraction_lexicons
    from kzlib.corpus import load_corpus
    from kzlib.paths import MANIFEST

    lexicons = [load_gazetteer().lexicon, *cue_lexicons(), _extraction_lexicons().categories, _extraction_lexicons().subjects]
    hits = 0
    for article in load_corpus(MANIFEST).articles:
        tokens = tokenize(article.text)
        for lexicon in lexicons:
            for i in range(len(tokens)):
                for stop in (None, min(len(tokens), i + 2)):
                    ms = [m for m in lexicon.matches_at(tokens, i) if stop is None or m.last < stop]
                    assert lexicon.first_at(tokens, i, stop) == (ms[0] if ms else None)
                    hits += bool(ms)
    assert hits > 500


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("قال بت 12_a\u064e\u0651\u0640\u200b\u200f\u0670.")), max_size=40))
def test_tokens_end_after_the_diacritics_of_their_last_letter(text):
    # reference: tokens of the folded text mapped back; a token that ends where a run of combining marks
    # starts takes that run (an invisible mark or tatweel in between stops it)
    import re
    from bisect import bisect_left

    from kzlib.normalize import COMBINING_MARKS, normalize

    n = normalize(text)
    pattern = r"[^\W_]+" if "_" in n.text else r"\w+"
    expected = []
    for m in re.finditer(pattern, n.text):
        expected.append([m.group(), n.offsets[m.start()], n.offsets[m.end() - 1] + 1])
    ends = [t[2] for t in expected]
    for run in re.finditer("[" + "".join(sorted(COMBINING_MARKS)) + "]+", text):
        k = bisect_left(ends, run.start())
        if k < len(ends) and ends[k] == run.start():
            expected[k][2] = run.end()
    assert [tuple(t) for t in tokenize(text)] == [tuple(t) for t in expected]
