"""kzlib.sources: cited sources, framing terms and shared claims on seed-like Arabic articles."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pandas as pd

from kzlib import sources
from kzlib.corpus import Article
from kzlib.furniture import Span
from test_tables import seed_like_claims


def make_article(id: str, text: str, outlet: str, date: str | None = None, furniture: tuple = ()) -> Article:
    """A kzlib.corpus.Article as the loader makes it (its body_spans leave the furniture out)."""
    return Article(id=id, text=text, source=f"test:{id}", outlet=outlet, date=date, furniture=furniture)


@dataclass(frozen=True)
class Entity:
    id: str
    type: str
    start: int
    end: int
    surface: str


class FakeGazetteer:
    """Stands in for kzlib.gazetteer: a few surface forms -> ids."""
    FORMS = {"وزارة الدفاع الروسية": ("ru_defence_ministry", "institution"), "الأناضول": ("anadolu", "media"),
             "سبوتنيك": ("sputnik", "media"), "زاس": ("csto_secretary_general", "person"),
             "كازاخستان": ("kazakhstan", "place")}

    def find(self, text):
        return [Entity(i, t, m.start(), m.end(), m.group()) for form, (i, t) in self.FORMS.items()
                for m in re.finditer(form, text)]


ALJAZEERA = ("أعلنت وزارة الدفاع الروسية أن قواتها بدأت المهام في كازاخستان.\n"
             "قوة من التدخل الروسي في كازاخستان (الأناضول)\n"
             "وتطورت المظاهرات إلى أعمال شغب، في حين قُتل 26 محتجا، حسب الداخلية.\n"
             "المصدر : الجزيرة + الأناضول")
SPUTNIK = ("وقال زاس، في تصريحات لسبوتنيك، إن قوات حفظ السلام بدأت المهام.\n"
           "وأكد توكاييف أن ألما آتا تعرضت للهجوم من قبل 20 ألف مسلح، وأن العملية ضد الإرهابيين ستستمر.\n"
           "وكازاخستان دولة كبيرة.")


def articles():
    caption = ALJAZEERA.index("قوة من التدخل")
    caption_end = ALJAZEERA.index("\n", caption)
    footer = ALJAZEERA.index("المصدر")
    return [make_article("000", ALJAZEERA, "aljazeera", "2022-01-09",
                        (Span("caption", caption, caption_end, ALJAZEERA[caption:caption_end]),
                         Span("source_footer", footer, len(ALJAZEERA), ALJAZEERA[footer:]))),
            make_article("004", SPUTNIK, "sputnik", "2022-01-06")]


def test_term_regex_folds_spelling_and_allows_clitics():
    pattern = re.compile(sources.term_regex("إرهابيين"))
    assert pattern.search("ضد الارهابيين")  # alef without hamza, definite article
    assert pattern.search("وللإرهابيين")
    assert not pattern.search("الإرهابيينات")
    assert re.search(sources.term_regex("قوات حفظ السلام"), "قواتُ  حفظِ السلام")  # diacritics, double space


def test_source_mentions_statements_and_credits_with_offsets():
    mentions = sources.source_mentions(articles())
    got = {(r.article_id, r.kind, r.actor) for r in mentions.itertuples()}
    assert ("000", "statement", "ru_defence_ministry") in got
    assert ("000", "credit", "anadolu") in got          # caption + footer: one credit per furniture span
    assert ("004", "statement", "csto_secretary_general") in got
    assert not any(actor == "kazakhstan" for _, _, actor in got)  # places are not sources
    for r in mentions.itertuples():
        text = {"000": ALJAZEERA, "004": SPUTNIK}[r.article_id]
        assert text[r.start:r.end] == r.surface


def test_cited_source_matrix_counts_claims_statements_and_credits():
    mentions = sources.source_mentions(articles())
    matrix = sources.cited_source_matrix(seed_like_claims(), mentions).set_index(["outlet", "source"])
    assert matrix.loc[("aljazeera", "local_media"), "claims"] == 3
    assert matrix.loc[("aljazeera", "kz_interior_ministry"), "claims"] == 1
    assert matrix.loc[("aljazeera", "anadolu"), "credits"] == 2
    assert matrix.loc[("aljazeera", "ru_defence_ministry"), "statements"] == 1
    assert matrix.loc[("aljazeera", "local_media"), "claim_ids"].count("000:") == 3
    pivot = sources.matrix_pivot(matrix.reset_index(), "claims")
    assert pivot.loc["sputnik", "local_media"] == 1 and pivot.loc["sputnik", "kz_interior_ministry"] == 1


def test_empty_inputs_give_empty_tables():
    empty = seed_like_claims().iloc[0:0]
    assert sources.cited_source_matrix(empty).empty
    assert sources.matrix_pivot(sources.cited_source_matrix(empty)).empty
    assert sources.shared_claims(empty).empty
    assert sources.framing_rates(sources.framing_hits([]), sources.outlet_word_counts([])).empty


def test_framing_hits_per_outlet_skip_furniture_and_rate_per_1000_words():
    hits = sources.framing_hits(articles())
    by_outlet = hits.groupby("outlet")["frame"].apply(set).to_dict()
    assert {"protest", "unrest"} <= by_outlet["aljazeera"]
    assert {"peacekeeping", "armed", "terror"} <= by_outlet["sputnik"]
    # "التدخل الروسي" appears only in the caption (furniture) -> not counted
    assert "intervention" not in by_outlet["aljazeera"]
    words = sources.outlet_word_counts(articles())
    rates = sources.framing_rates(hits, words)
    row = rates[(rates["outlet"] == "sputnik") & (rates["term"] == "إرهابيين")].iloc[0]
    sputnik_words = words.set_index("outlet").loc["sputnik", "words"]
    assert row["count"] == 1 and row["per_1000_words"] == round(1000 / sputnik_words, 2)
    article_id, offsets = row["example_ref"].split(":")
    start, end = map(int, offsets.split("-"))
    assert SPUTNIK[start:end] == "الإرهابيين" and row["example"].startswith("وأكد توكاييف")


def test_shared_claims_same_figure_near_duplicate_and_only_one_outlet():
    claims = seed_like_claims()
    copy = claims[claims["quote"] == "164 شخصاً"].assign(article_id="010", outlet="sputnik")
    reworded = claims[claims["quote"] == "7 من أفرادها"].assign(
        article_id="011", outlet="aljazeera", value=8.0,
        sentence="وكانت وزارة الداخلية في كازاخستان قد كشفت أمس الجمعة عن مقتل 8 من أفرادها خلال الاضطرابات")
    shared = sources.shared_claims(pd.concat([claims, copy, reworded])).set_index("claim_id")
    first = claims[claims["quote"] == "164 شخصاً"].iloc[0]
    row = shared.loc[f"000:{first['start']}-{first['end']}"]
    assert row["match"] == "same figure and sentence" and row["shared_with_outlets"] == "sputnik"
    seven = claims[claims["quote"] == "7 من أفرادها"].iloc[0]
    assert shared.loc[f"002:{seven['start']}-{seven['end']}", "match"] == "near-duplicate sentence"
    eighteen = claims[claims["quote"] == "18 آخرين"].iloc[0]
    assert shared.loc[f"003:{eighteen['start']}-{eighteen['end']}", "match"] == "only this outlet"
    # 26 protesters (aljazeera) and 26 militants (afp_arabic): same category + figure
    protesters = claims[claims["quote"] == "26 محتجا"].iloc[0]
    assert shared.loc[f"000:{protesters['start']}-{protesters['end']}", "match"] == "same figure"


def test_actor_names_use_gazetteer_info_and_skip_unknown_ids():
    class Gazetteer(FakeGazetteer):
        def info(self, actor):
            if actor != "anadolu":
                raise KeyError(actor)
            return {"type": "media", "name_ar": "الأناضول", "name_en": "Anadolu Agency"}

    assert sources.actor_names(["anadolu", "nobody", None], Gazetteer()) == {"anadolu": ("الأناضول", "Anadolu Agency")}


def test_statements_are_speakers_not_every_actor_in_the_sentence():
    text = ("وذكرت وكالة “فرانس برس” إن السلطات في كازاخستان اعتقلت ماسيموف رئيس وكالة الأمن الوطني السابق.\n"
            "وكانت وزارة الداخلية في كازاخستان قد كشفت، أمس الجمعة، عن مقتل 7 من أفرادها.")
    mentions = sources.source_mentions([make_article("002", text, "unknown", "2022-01-08")])
    speakers = set(mentions["actor"])
    assert {"afp", "kz_interior_ministry"} <= speakers
    assert "masimov" not in speakers and "kz_national_security_committee" not in speakers
    assert set(mentions["outlet"]) == {"unknown (002)"}
