"""The analysis functions at corpus scale: the same answers as the per-character regex and the pairwise
search on small inputs, bounded output on repeated wire copy, charts that aggregate instead of drawing one
mark per article or claim."""

from __future__ import annotations

import re

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402

from kzlib import sources, tables, timeline  # noqa: E402
from test_tables import seed_like_claims  # noqa: E402

TERMS = tuple(row["term"] for row in sources.load_framing())


def regex_terms(text: str) -> list[tuple[int, int, str]]:
    """What find_terms returned before it became a word pass: one alternation of every term_regex."""
    ordered = sorted(set(TERMS), key=len, reverse=True)
    pattern = re.compile("|".join(f"(?P<t{i}>{sources.term_regex(t)})" for i, t in enumerate(ordered)))
    return [(m.start(), m.end(), ordered[int(m.lastgroup[1:])]) for m in pattern.finditer(text)]


def test_find_terms_agrees_with_the_term_regexes_on_clitics_spelling_variants_and_phrases():
    text = ("وقال إن قوات حفظ السلام وصلت، وللمحتجين مطالب. ووصف المتظاهرين بـ«الإرهابيين» وقال إن الخلايا "
            "النائمة والخلايا  النائمة تحركت، وإن أعمال  الشغب توقفت، وبالقوات الروسية وللقوات المشتركة "
            "وكمسلحين. ارهابيين ومجرمون؛ عصاباتهم لا تُعد. الخلايا النايمة")
    found = sources.find_terms(text, TERMS)
    assert found == regex_terms(text)
    assert {term for _, _, term in found} >= {"قوات حفظ السلام", "محتجين", "متظاهرين", "إرهابيين", "الخلايا النائمة",
                                              "أعمال الشغب", "القوات الروسية", "القوات المشتركة", "مسلحين", "مجرمون"}
    assert not any(text[s:e] == "عصاباتهم" for s, e, _ in found)  # a suffix is another word
    # a term's ئ matches ي in the text (the regex class [ئيء])
    assert any(text[s:e] == "الخلايا النايمة" for s, e, _ in found)


def test_find_terms_never_starts_inside_a_vocalised_word():
    text = "قالَمسلحين"  # a diacritic is not \\w: the regex could start right after it
    assert [t for *_, t in regex_terms(text)] == ["مسلحين"]
    assert sources.find_terms(text, TERMS) == []
    vocalised = "وَالمُسَلَّحِين"
    assert [(s, e) for s, e, _ in sources.find_terms(vocalised, TERMS)] == [(0, len(vocalised))]


def wire_copies(copies: int) -> pd.DataFrame:
    claims = seed_like_claims()
    one = claims[claims["quote"] == "164 شخصاً"]
    return pd.concat([one.assign(article_id=f"{k:05d}", outlet=f"outlet_{k % 7}") for k in range(copies)],
                     ignore_index=True)


def test_repeated_wire_copy_is_shared_and_its_lists_are_capped():
    shared = sources.shared_claims(wire_copies(500), max_ids=10)
    assert set(shared["match"]) == {"same figure and sentence"}
    assert (shared["overlap"] == 1.0).all()
    first = shared.iloc[0]
    # 500 copies, 72 of them from the first claim's own outlet: 428 others, 10 listed
    assert first["similar_claim_ids"].count(":") == 10 and first["similar_claim_ids"].endswith("(+418 more)")
    assert first["same_figure_claim_ids"].endswith("(+418 more)")
    assert first["shared_with_outlets"] == ", ".join(f"outlet_{k}" for k in range(1, 7))


def test_lsh_path_finds_the_near_duplicates_the_exact_search_finds():
    claims = seed_like_claims()
    reworded = claims[claims["quote"] == "7 من أفرادها"].assign(
        article_id="011", outlet="aljazeera", value=8.0,
        sentence="وكانت وزارة الداخلية في كازاخستان قد كشفت أمس الجمعة عن مقتل 8 من أفرادها خلال الاضطرابات")
    both = pd.concat([claims, reworded], ignore_index=True)
    exact = sources.shared_claims(both)
    approximate = sources.shared_claims(both, exact_limit=0)
    near = exact["match"].str.contains("sentence")
    assert near.any()
    assert (approximate.loc[near, "match"] == exact.loc[near, "match"]).all()
    assert (approximate.loc[near, "similar_claim_ids"] == exact.loc[near, "similar_claim_ids"]).all()


def test_figures_over_time_aggregates_large_panels():
    claims = seed_like_claims()
    rows = claims[claims["category"] == "killed"].iloc[[0]]
    many = pd.concat([rows.assign(article_id=f"{k:04d}", value=float(k + 1), date=f"2022-01-{k % 28 + 1:02d}",
                                  attributed_to=f"source_{k % 15}") for k in range(400)], ignore_index=True)
    fig = tables.plot_figures_over_time(tables.figures_over_time(many))
    ax = fig.axes[0]
    assert not [t for t in ax.texts if "reports" not in t.get_text()]  # no per-report label
    assert len(ax.collections) <= 10 + 1  # 9 sources + other, plus the step line's legend is a Line2D
    plt.close("all")


def test_timeline_chart_counts_per_date_for_many_articles():
    mentions = pd.DataFrame({"article_id": [f"a{i}" for i in range(300)], "outlet": "x",
                             "publication_date": "2022-01-08", "expression": "أمس", "start": 0, "end": 3,
                             "rule": "relative_day", "resolved": [f"2022-01-{i % 9 + 1:02d}" for i in range(300)],
                             "resolved_end": None, "status": "resolved", "reason": "", "weekday_stated": None,
                             "sentence": "أمس", "sentence_start": 0, "sentence_end": 3})
    fig = timeline.plot_timeline(mentions)
    assert len(fig.axes[0].get_yticklabels()) < 30 and len(fig.axes[0].patches) == 9
    plt.close("all")
