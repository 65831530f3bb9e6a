"""kzlib.tables on a hand-built ledger shaped like the seed corpus' casualty claims."""

from __future__ import annotations

import pandas as pd
import pytest

from kzlib import tables

# Articles: (outlet, publication date, text). Sentences are taken from the seed corpus.
SEED_ARTICLES = {
    "000": ("aljazeera", "2022-01-09",
            "وذكرت أن عدد قتلى الاضطرابات بلغ 164 شخصاً، وأن عدد المعتقلين اقترب من 6 آلاف شخص، "
            "وأن أكثر من 1300 عنصر أمن أصيبوا أثناء حماية النظام العام.\n"
            "وفي الخامس من الشهر الجاري، أعلنت الحكومة استقالتها، في حين قُتل 26 محتجا، حسب الداخلية."),
    "001": ("vetogate", "2022-01-07",
            "وكانت وزارة الداخلية الكازاخستانية أعلنت مقتل عناصر من قوات الأمن وإصابة المئات جراء موجة الاضطرابات."),
    "002": ("sputnik", "2022-01-08",
            "وكانت وزارة الداخلية في كازاخستان قد كشفت، أمس الجمعة، عن مقتل 7 من أفرادها خلال الاضطرابات، "
            "فيما نقلت وسائل إعلام محلية أن أكثر من 100 شخص اعتقلوا خلال عملية أمنية في مدينة ألما آتا."),
    "003": ("afp_arabic", "2022-01-07",
            "من جهتها، أعلنت وزارة الداخلية الكازاخستانية الجمعة مصرع 26 “مجرما مسلحا” وإصابة 18 آخرين بجروح."),
}

# (article, category, subject, quote, value, low, high, qualifier, attributed_to, location)
SEED_CLAIMS = [
    ("000", "killed", "people", "164 شخصاً", 164, 164, 164, "exact", "local_media", None),
    ("000", "arrested", "people", "اقترب من 6 آلاف شخص", 6000, None, 6000, "approx", "local_media", None),
    ("000", "injured", "security_forces", "أكثر من 1300 عنصر أمن", 1300, 1300, None, "at_least", "local_media", None),
    ("000", "killed", "protesters", "26 محتجا", 26, 26, 26, "exact", "kz_interior_ministry", None),
    ("001", "injured", "people", "المئات", 200, 200, None, "vague", "kz_interior_ministry", None),
    ("002", "killed", "security_forces", "7 من أفرادها", 7, 7, 7, "exact", "kz_interior_ministry", None),
    ("002", "arrested", "people", "أكثر من 100 شخص", 100, 100, None, "at_least", "local_media", "almaty"),
    ("003", "killed", "militants", "26 “مجرما مسلحا”", 26, 26, 26, "exact", "kz_interior_ministry", None),
    ("003", "injured", "militants", "18 آخرين", 18, 18, 18, "exact", "kz_interior_ministry", None),
]


def sentence_around(text: str, start: int, end: int) -> str:
    left = max(text.rfind("\n", 0, start), text.rfind(".", 0, start)) + 1
    right = min([i for i in (text.find("\n", end), text.find(".", end)) if i != -1] or [len(text)])
    return text[left:right + 1].strip()


def seed_like_claims() -> pd.DataFrame:
    """The ledger the extractor should give on the seed casualty sentences (offsets computed, not typed)."""
    rows = []
    for art, cat, subj, quote, value, low, high, qual, source, place in SEED_CLAIMS:
        outlet, date, text = SEED_ARTICLES[art]
        start = text.index(quote)
        end = start + len(quote)
        assert text[start:end] == quote
        rows.append(dict(article_id=art, category=cat, subject=subj, value=value, low=low, high=high,
                         qualifier=qual, attributed_to=source, location=place, start=start, end=end,
                         quote=quote, sentence=sentence_around(text, start, end), outlet=outlet, date=date))
    return pd.DataFrame(rows)


OFFICIAL = frozenset({"kz_interior_ministry"})


def test_reports_table_keeps_every_report_traceable_to_its_quote():
    reports = tables.reports_table(seed_like_claims(), official_sources=OFFICIAL)
    assert len(reports) == len(SEED_CLAIMS)
    for row in reports.itertuples():
        text = SEED_ARTICLES[row.article_id][2]
        assert text[row.start:row.end] == row.quote
        assert row.claim_id == f"{row.article_id}:{row.start}-{row.end}"
        assert row.quote in row.sentence
    # exact figures are closed, "more than 1300" stays open
    injured = reports.set_index("quote")
    assert pd.isna(injured.loc["أكثر من 1300 عنصر أمن", "high"])
    assert injured.loc["26 محتجا", "high"] == 26
    assert list(reports.columns) == list(tables.REPORT_COLUMNS)


def test_reports_table_rejects_a_table_without_the_ledger_columns():
    with pytest.raises(ValueError, match="quote"):
        tables.reports_table(seed_like_claims().drop(columns=["quote"]))


def test_policies_choose_different_best_figures_for_killed_people_and_arrests():
    claims = seed_like_claims()
    pooled = ("category", "subject")  # place scopes pooled: Almaty's >100 with the country's ~6,000
    conservative = tables.reconcile(claims, "conservative", official_sources=OFFICIAL, group_by=pooled).set_index(list(pooled))
    best = tables.reconcile(claims, "best", official_sources=OFFICIAL, group_by=pooled).set_index(list(pooled))
    latest = tables.reconcile(claims, "latest_official", official_sources=OFFICIAL, group_by=pooled).set_index(list(pooled))

    arrested = ("arrested", "people")
    assert conservative.loc[arrested, "best"] == 100
    assert conservative.loc[arrested, "low"] == 100 and conservative.loc[arrested, "high"] == 6000
    assert best.loc[arrested, "best"] == 3050  # median of two attributed (non-official) reports
    assert "no official report" in best.loc[arrested, "note"]
    assert pd.isna(latest.loc[arrested, "best"]) and "no official report" in latest.loc[arrested, "note"]

    # injured people: only a vague count ("hundreds"), still reconciled, flagged
    assert best.loc[("injured", "people"), "best"] == 200
    assert "only vague counts" in best.loc[("injured", "people"), "note"]
    # open upper bound reported
    assert bool(best.loc[("injured", "security_forces"), "high_open"])
    # every figure traceable: basis ids are a subset of the group's claim ids
    for row in best.itertuples():
        assert set(row.basis_claim_ids.split(", ")) <= set(row.claim_ids.split(", "))


def test_default_reconciliation_keeps_place_scopes_apart():
    scoped = tables.reconcile(seed_like_claims(), "best", official_sources=OFFICIAL).set_index(
        ["category", "subject", "location"])
    assert scoped.loc[("arrested", "people", "almaty"), "best"] == 100
    assert scoped.loc[("arrested", "people", "unspecified"), "best"] == 6000
    assert scoped.loc[("killed", "people", "unspecified"), "n_reports"] == 1


def test_latest_official_takes_the_latest_publication_date():
    claims = seed_like_claims()
    extra = claims[claims["quote"] == "26 محتجا"].copy()
    extra["value"], extra["low"], extra["high"], extra["date"] = 225, 225, 225, "2022-01-15"
    extra["article_id"] = "999"
    latest = tables.reconcile(pd.concat([claims, extra]), "latest_official", official_sources=OFFICIAL)
    row = latest.set_index(["category", "subject"]).loc[("killed", "protesters")]
    assert row["best"] == 225 and row["basis_claim_ids"].startswith("999:")
    assert row["low"] == 26 and row["high"] == 225


def test_unknown_policy_is_an_error():
    with pytest.raises(ValueError, match="unknown policy"):
        tables.reconcile(seed_like_claims(), "average")


def test_conflicts_explain_subject_place_and_figure_differences():
    conflicts = tables.find_conflicts(seed_like_claims())
    killed = conflicts[conflicts["category"] == "killed"]
    # 4 distinct killed figures -> 6 pairs
    assert len(killed) == 6
    pair = killed[(killed["a_subject"] == "militants") & (killed["b_subject"] == "protesters")].iloc[0]
    assert pair["reason_code"] == "subject"  # same figure 26, different subject
    assert "different subject (militants vs protesters)" == pair["reason"]
    total = killed[(killed["a_subject"] == "people") & (killed["b_subject"] == "protesters")].iloc[0]
    assert total["reason_code"] == "subject+figure" and "164 vs 26" in total["reason"]
    assert "2022-01-09" in total["a_dates"]

    arrested = conflicts[conflicts["category"] == "arrested"].iloc[0]
    assert arrested["reason_code"] == "place+figure"
    assert "different place scope" in arrested["reason"] and "almaty" in arrested["reason"]
    assert "6,000" in arrested["reason"]


def test_same_figure_same_subject_across_outlets_is_not_a_conflict():
    claims = seed_like_claims()
    copy = claims[claims["quote"] == "164 شخصاً"].assign(article_id="010", outlet="sputnik")
    conflicts = tables.find_conflicts(pd.concat([claims, copy]))
    killed = conflicts[conflicts["category"] == "killed"]
    assert len(killed) == 6
    row = killed[killed["a_subject"] == "people"].iloc[0]
    assert row["a_outlets"] == "aljazeera, sputnik"


def test_empty_ledger_gives_none_found_not_a_crash():
    empty = seed_like_claims().iloc[0:0]
    reports = tables.reports_table(empty)
    assert reports.empty
    assert tables.none_found_message(reports) == "none found: the ledger holds no casualty claims"
    assert tables.reconcile(empty).empty
    assert tables.find_conflicts(empty).empty
    assert tables.acled_export(empty).empty
    only_killed = tables.reports_table(seed_like_claims()[lambda f: f["category"] == "killed"])
    assert tables.none_found_message(only_killed, "arrested") == "none found: the ledger holds no 'arrested' claims"
    assert tables.none_found_message(only_killed, "killed") is None


def test_figures_over_time_show_the_killed_toll_rising():
    series = tables.figures_over_time(seed_like_claims())
    killed = series[series["category"] == "killed"]
    by_date = killed.groupby("date")["value"].max()
    assert list(by_date.index.strftime("%Y-%m-%d")) == ["2022-01-07", "2022-01-08", "2022-01-09"]
    assert by_date.iloc[-1] == 164 and by_date.is_monotonic_increasing is False  # 26 -> 7 -> 164 (subjects differ)
    assert list(killed["highest_to_date"]) == [26, 26, 164, 164]  # 7 on 8 Jan does not lower the running toll
    assert list(dict.fromkeys(series["category"])) == ["killed", "injured", "arrested"]


def test_acled_export_columns_and_event_dates_from_timeline():
    claims = seed_like_claims()
    export = tables.acled_export(claims)
    assert list(export.columns) == list(tables.ACLED_COLUMNS)
    row = export[export["evidence_quote"] == "7 من أفرادها"].iloc[0]
    assert (row["event_date"], row["date_basis"], row["source"], row["source_outlet"]) == (
        "2022-01-08", "publication", "kz_interior_ministry", "sputnik")
    stated = pd.DataFrame([{"claim_id": row["claim_id"], "event_date": "2022-01-07",
                            "date_basis": "stated: أمس الجمعة"}])
    dated = tables.acled_export(claims, event_dates=stated)
    row = dated[dated["claim_id"] == row["claim_id"]].iloc[0]
    assert row["event_date"] == "2022-01-07" and row["publication_date"] == "2022-01-08"
    assert "place scope not stated" in row["notes"]


def test_vocabulary_labels_cover_every_casualty_category():
    labels = tables.vocabulary_labels()
    for category in tables.CASUALTY_CATEGORIES:
        arabic, english = labels[category]
        assert arabic and english


def test_evidence_ledger_follows_the_documented_schema_with_english_labels():
    ledger = tables.evidence_ledger(seed_like_claims())
    assert list(ledger.columns) == list(tables.ledger_schema()["column"])
    row = ledger[ledger["quote"] == "26 محتجا"].iloc[0]
    assert (row["category_en"], row["subject_en"]) == ("killed", "protesters")
    assert tables.evidence_ledger(seed_like_claims().iloc[0:0]).empty


def test_bad_dates_and_missing_offsets_are_named_errors():
    claims = seed_like_claims()
    claims.loc[0, "date"] = "9 janvier"
    with pytest.raises(ValueError, match="'9 janvier' is not a date"):
        tables.reports_table(claims)
    claims = seed_like_claims()
    claims.loc[2, "start"] = None
    with pytest.raises(ValueError, match=r"without offsets .*'000'"):
        tables.reports_table(claims)


def test_vocabulary_labels_select_by_kind_when_ids_repeat():
    assert tables.vocabulary_labels(kinds=("subject",))["people"] == ("أشخاص", "people")
    assert tables.vocabulary_labels(kinds=("framing_group",))["people"][1] == "naming people"
    assert "killed" not in tables.vocabulary_labels(kinds=("subject",))


def test_conflicts_of_a_large_category_are_summarised_not_listed_in_full():
    claims = seed_like_claims()
    killed = claims[claims["quote"] == "164 شخصاً"]
    many = pd.concat([killed.assign(value=float(v), article_id=f"x{v}") for v in range(1, 41)] + [claims])
    full = tables.find_conflicts(many)
    summary = tables.find_conflicts(many, max_pairs=100)
    killed_full, killed_summary = full[full["category"] == "killed"], summary[summary["category"] == "killed"]
    assert len(killed_full) == 44 * 43 // 2 and set(killed_full["comparison"]) == {"all pairs"}
    # people: 41 figures -> 40 consecutive pairs; 4 subjects -> 6 pairs of their largest figures
    assert len(killed_summary) == 40 + 6
    assert killed_summary["comparison"].iloc[0] == "summary (44 distinct figures)"
    assert summary[summary["category"] == "arrested"]["comparison"].tolist() == ["all pairs"]


def test_articles_of_unknown_outlets_are_kept_apart():
    claims = seed_like_claims()
    claims.loc[claims["article_id"] == "002", "outlet"] = "unknown"
    claims.loc[claims["article_id"] == "003", "outlet"] = None
    reports = tables.reports_table(claims)
    assert {"unknown (002)", "unknown (003)"} <= set(reports["outlet"])
    killed = tables.reconcile(claims).set_index(["category", "subject"])
    assert killed.loc[("killed", "security_forces"), "n_outlets"] == 1


def _open_claims() -> pd.DataFrame:
    """A small ledger with the open fields: fine groups, places as written, missing and displaced counts."""
    text = "قتل 23 مدنياً بينهم 5 أطفال في بلدة بارا، وفقد 40 شخصاً ونزحت 300 أسرة من حي الزرامنة."
    rows = []
    for cat, subj, detail, quote, group, value, place_id, place_text in [
        ("killed", "civilians", "civilians", "23 مدنياً", "مدنياً", 23, None, "بلدة بارا"),
        ("killed", "civilians", "children", "5 أطفال", "أطفال", 5, None, "بلدة بارا"),
        ("missing", "people", "persons", "40 شخصاً", "شخصاً", 40, None, None),
        ("displaced", "civilians", "families", "300 أسرة", "أسرة", 300, "zaramna", "حي الزرامنة"),
    ]:
        start = text.index(quote)
        rows.append(dict(article_id="a1", category=cat, subject=subj, value=value, low=value, high=value,
                         qualifier="exact", attributed_to=None, location=place_id, start=start,
                         end=start + len(quote), quote=quote, sentence=text, subject_detail=detail,
                         subject_text=group, location_text=place_text, outlet="dev_wire", date="2023-05-01"))
    return pd.DataFrame(rows)


def test_missing_and_displaced_are_casualty_rows_of_every_table():
    claims = _open_claims()
    assert {"missing", "displaced"} <= set(tables.reports_table(claims)["category"])
    assert {"missing", "displaced"} <= set(tables.reconcile(claims)["category"])
    export = tables.acled_export(claims)
    displaced = export[export["category"] == "displaced"].iloc[0]
    assert displaced["best"] == 300 and displaced["actor_detail"] == "families"    # families, not persons
    assert list(export.columns) == list(tables.ACLED_COLUMNS)


def test_fine_groups_and_unknown_places_are_their_own_scopes():
    claims = _open_claims()
    reconciled = tables.reconcile(claims).set_index(["category", "subject_detail"])
    # the 5 children are part of the 23 civilians: reconciled apart, never as one figure
    assert reconciled.loc[("killed", "civilians"), "best"] == 23
    assert reconciled.loc[("killed", "children"), "best"] == 5
    # a place the gazetteer does not know is still a place scope, as written
    assert reconciled.loc[("killed", "children"), "location"] == "بلدة بارا"
    conflicts = tables.find_conflicts(claims)
    killed = conflicts[conflicts["category"] == "killed"].iloc[0]
    assert "civilians/children" in killed["reason"] and "subject" in killed["reason_code"]
    export = tables.acled_export(claims)
    row = export[export["actor_detail"] == "children"].iloc[0]
    assert row["location"] == "" and row["location_text"] == "بلدة بارا" and row["actor_text"] == "أطفال"
    assert "not in the gazetteer" in row["notes"]


def test_old_ledgers_without_the_open_fields_still_work():
    claims = seed_like_claims()
    assert "subject_detail" not in claims.columns
    reports = tables.reports_table(claims)
    assert reports["subject_detail"].isna().all() and (reports["place"].fillna("") == reports["location"].fillna("")).all()


# --- the real seed ledger (the extractor's own claims, not hand-built ones) --------------------

def _by_group(frame):
    return {(r.category, r.subject, r.location): r for r in frame.itertuples()}


def test_reconcile_best_on_the_seed_ledger(seed_ledger):
    got = _by_group(tables.reconcile(seed_ledger, "best"))
    nan = float("nan")
    # hand-checked against data/raw: (low, best, high, high_open, n_reports)
    expected = {
        ("killed", "militants", "unspecified"): (26, 26, 26, False, 2),       # "مصرع 26 مجرما مسلحا" (003), twice
        ("killed", "people", "unspecified"): (164, 164, 164, False, 1),       # "بلغ 164 شخصاً" (000)
        ("killed", "protesters", "unspecified"): (26, 26, 26, False, 1),      # "قُتل 26 محتجا" (000)
        ("killed", "security_forces", "unspecified"): (7, 7, 7, False, 1),    # "مقتل 7 من أفرادها" (002)
        ("injured", "militants", "unspecified"): (18, 18, 18, False, 1),      # "وإصابة 18 آخرين بجروح" (003)
        ("injured", "security_forces", "unspecified"): (1300, 1300, 1300, True, 1),   # "أكثر من 1300": open
        ("injured", "unspecified", "unspecified"): (100, 100, 999, False, 1),  # "المئات": a vague count's floor
        ("arrested", "people", "almaty"): (100, 100, 100, True, 2),           # "أكثر من 100" in Almaty, 2 outlets
        ("arrested", "unspecified", "unspecified"): (1000, 1000, 9999, False, 1),    # "الآلاف"
        ("hospitalized", "unspecified", "unspecified"): (10, nan, 999, False, 2),    # see below
        ("affected", "people", "kazakhstan"): (1000, 1000, 1000, True, 1),    # "أكثر من ألف شخص"
    }
    same = lambda a, b: (pd.isna(a) and pd.isna(b)) or a == b      # noqa: E731 (NaN = no best figure)
    for key, figures in expected.items():
        row = got[key]
        assert all(map(same, (row.low, row.best, row.high, row.high_open, row.n_reports), figures)), (key, row)
    assert got[("arrested", "people", "unspecified")].best == 6000      # "اقترب من 6 آلاف" (000)
    assert len(got) == len(expected) + 1
    # the vague policy: "عدة مئات إلى المستشفيات، والعشرات إلى العناية المركزة" (002) are 200-999 and 10-99,
    # ranges that do not overlap: no best figure (the median of their floors, 105, is a number nobody gave)
    hospitalized = got[("hospitalized", "unspecified", "unspecified")]
    assert pd.isna(hospitalized.best) and "do not overlap" in hospitalized.note


def test_vague_counts_whose_ranges_overlap_give_the_floor_they_all_allow():
    rows = [dict(article_id=a, category="injured", subject="people", value=v, low=lo, high=hi, qualifier="vague",
                 attributed_to=None, location=None, outlet=o, date="2022-01-07", quote=q, sentence=q, start=0, end=len(q))
            for a, o, v, lo, hi, q in (("a", "x", 100, 100, 999, "المئات"), ("b", "y", 200, 200, 999, "عدة مئات"))]
    (row,) = tables.reconcile(pd.DataFrame(rows), "best").itertuples()
    assert row.best == 200 and row.low == 100 and row.high == 999


def test_conservative_and_best_differ_only_where_reports_differ_on_the_seeds(seed_ledger):
    best = _by_group(tables.reconcile(seed_ledger, "best"))
    conservative = _by_group(tables.reconcile(seed_ledger, "conservative"))
    assert best.keys() == conservative.keys()
    differ = {k for k in best if not (pd.isna(best[k].best) and pd.isna(conservative[k].best))
              and best[k].best != conservative[k].best}
    # only the hospitalized vague counts: conservative takes the smallest (at least "tens" were hospitalized)
    assert differ == {("hospitalized", "unspecified", "unspecified")}
    assert conservative[("hospitalized", "unspecified", "unspecified")].best == 10
