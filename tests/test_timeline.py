"""kzlib.timeline: relative Arabic dates resolved against the publication date (sentences from the seeds)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
import pytest

from kzlib import timeline


def resolve(text, pub="2022-01-09"):
    return {m.expression: m for m in timeline.find_date_mentions(text, pub, "a1")}


def test_today_with_weekday_and_tomorrow_and_day_after():
    found = resolve("أعلنت موسكو، اليوم الأحد، اكتمال نشر القوات. وتعقد القمة غداً، والاجتماع بعد غد لبحث الأزمة.")
    assert (found["اليوم الأحد"].resolved, found["اليوم الأحد"].status) == ("2022-01-09", "resolved")
    assert found["اليوم الأحد"].rule == "relative_weekday"
    assert found["غداً"].resolved == "2022-01-10"
    assert found["بعد غد"].resolved == "2022-01-11"
    assert set(found) == {"اليوم الأحد", "غداً", "بعد غد"}


def test_yesterday_and_last_thursday_against_a_saturday():
    found = resolve("كشفت الداخلية، أمس الجمعة، عن مقتل 7 من أفرادها. واعتقلت ماسيموف يوم الخميس الماضي.", "2022-01-08")
    assert found["أمس الجمعة"].resolved == "2022-01-07"
    thursday = found["يوم الخميس الماضي"]
    assert (thursday.resolved, thursday.rule, thursday.weekday_stated) == ("2022-01-06", "weekday_direction", "Thursday")
    assert thursday.sentence == "واعتقلت ماسيموف يوم الخميس الماضي."


def test_contradicting_weekday_is_flagged_not_fixed():
    found = resolve("أعلنت المنظمة، اليوم الخميس، إرسال قوات حفظ السلام.", "2022-01-07")
    mention = found["اليوم الخميس"]
    assert mention.status == "conflict"
    assert mention.resolved == "2022-01-07"  # the relative word wins; the weekday is reported, not used
    assert "Thursday" in mention.reason and "Friday" in mention.reason


def test_day_of_current_month_night_span_and_explicit_month():
    found = resolve("وفي الخامس من الشهر الجاري، أعلنت الحكومة استقالتها. في ليلة 5 على 6 يناير، عقد توكاييف "
                    "الاجتماع. فتحت الوكالة تحقيقا في 6 يناير الجاري. وفي 2 كانون الثاني بدأت الاحتجاجات.")
    assert (found["الخامس من الشهر الجاري"].resolved, found["الخامس من الشهر الجاري"].rule) == ("2022-01-05", "ordinal_of_month")
    night = found["ليلة 5 على 6 يناير"]
    assert (night.resolved, night.resolved_end, night.rule) == ("2022-01-05", "2022-01-06", "night_span")
    assert found["6 يناير الجاري"].resolved == "2022-01-06" and found["6 يناير الجاري"].status == "resolved"
    assert found["2 كانون الثاني"].resolved == "2022-01-02"


def test_current_month_word_with_another_month_is_a_conflict():
    mention = resolve("فتحت الوكالة تحقيقا في 6 يناير الجاري.", "2022-02-03")["6 يناير الجاري"]
    assert mention.status == "conflict" and "الجاري" in mention.reason


def test_year_is_the_nearest_to_publication():
    assert resolve("بدأت الأزمة في 28 ديسمبر.", "2022-01-06")["28 ديسمبر"].resolved == "2021-12-28"


def test_bare_weekday_past_deadline_future_and_same_day_ambiguous():
    found = resolve("تواصلت أعمال العنف الخميس. يجب أن يكتمل النقل بحلول يوم الجمعة.", "2022-01-06")
    assert found["الخميس"].status == "ambiguous" and found["الخميس"].resolved == "2022-01-06"
    assert found["يوم الجمعة"].resolved == "2022-01-07"
    earlier = resolve("ودعت موسكو الأربعاء إلى الحوار.", "2022-01-07")["الأربعاء"]
    assert (earlier.resolved, earlier.status) == ("2022-01-05", "resolved")


def test_unknown_publication_date_leaves_relative_dates_unresolved_with_reason():
    found = resolve("أعلنت موسكو، اليوم الأحد، اكتمال النشر. وفي 6 يناير 2022 بدأت المهمة.", None)
    assert found["اليوم الأحد"].resolved is None and found["اليوم الأحد"].status == "unresolved"
    assert found["اليوم الأحد"].reason == "article has no publication date"
    assert found["6 يناير 2022"].resolved == "2022-01-06"  # a stated year needs no publication date


def test_anaphoric_day_is_unresolved_and_words_inside_other_words_do_not_match():
    found = resolve("شهدت المدينة في اليوم السابق مواجهات. تحولت الاحتجاجات خلال اليومين الأخيرين لاشتباكات.")
    assert found["اليوم السابق"].status == "unresolved"
    assert list(found) == ["اليوم السابق"]


@dataclass
class FakeArticle:
    id: str
    text: str
    outlet: str
    date: str | None

    def body_spans(self):
        return [(0, len(self.text))]


def test_timeline_frame_and_claim_event_dates():
    text = "وكانت وزارة الداخلية قد كشفت، أمس الجمعة، عن مقتل 7 من أفرادها خلال الاضطرابات."
    frame = timeline.timeline_frame([FakeArticle("002", text, "sputnik", "2022-01-08"), FakeArticle("x", text, "y", None)])
    assert list(frame.columns) == list(timeline.MENTION_COLUMNS)
    assert frame.set_index("article_id").loc["x", "status"] == "unresolved"
    start = text.index("7 من أفرادها")
    claims = pd.DataFrame([dict(article_id="002", category="killed", subject="security_forces", value=7, low=7,
                                high=7, qualifier="exact", attributed_to="kz_interior_ministry", location=None,
                                start=start, end=start + len("7 من أفرادها"), quote="7 من أفرادها", sentence=text)])
    dates = timeline.claim_event_dates(claims, frame)
    assert dates.iloc[0]["event_date"] == "2022-01-07" and "أمس الجمعة" in dates.iloc[0]["date_basis"]
    assert timeline.claim_event_dates(claims.iloc[0:0], frame).empty


def test_empty_corpus_gives_an_empty_frame():
    assert timeline.timeline_frame([]).empty


def test_bad_lexicon_names_the_file(tmp_path):
    bad = tmp_path / "relative_dates.tsv"
    bad.write_text("kind\tword\n", encoding="utf-8")
    with pytest.raises(ValueError, match="relative_dates.tsv"):
        timeline.load_relative_dates(bad)


from datetime import date, timedelta  # noqa: E402

from hypothesis import given, settings, strategies as st  # noqa: E402

WEEKDAYS_AR = ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"]


@settings(max_examples=60, deadline=None)
@given(pub=st.dates(min_value=date(2000, 1, 1), max_value=date(2030, 12, 31)), weekday=st.integers(0, 6))
def test_weekday_rules_always_land_on_the_named_weekday(pub, weekday):
    name = WEEKDAYS_AR[weekday]
    mentions = timeline.find_date_mentions(
        f"وقع ذلك {name} الماضي. وسيعقد الاجتماع {name} المقبل. وقال اليوم {name} إن الوضع مستقر.", pub.isoformat())
    assert [m.rule for m in mentions] == ["weekday_direction", "weekday_direction", "relative_weekday"]
    past, future = (date.fromisoformat(m.resolved) for m in mentions[:2])
    assert past.weekday() == weekday == future.weekday()
    assert pub - timedelta(days=7) <= past < pub < future <= pub + timedelta(days=7)
    today = mentions[2]
    assert today.resolved == pub.isoformat()
    assert (today.status == "conflict") == (pub.weekday() != weekday)


def test_ambiguous_dates_do_not_date_claims_unless_asked():
    text = "وتطورت المظاهرات التي بدأت الأحد إلى أعمال شغب أدت لاعتقال 30 شخصا."
    frame = timeline.timeline_frame([FakeArticle("000", text, "aljazeera", "2022-01-09")])
    assert frame.iloc[0]["status"] == "ambiguous"
    start = text.index("30 شخصا")
    claims = pd.DataFrame([dict(article_id="000", category="arrested", subject="people", value=30, low=30, high=30,
                                qualifier="exact", attributed_to=None, location=None, start=start,
                                end=start + 7, quote="30 شخصا", sentence=text)])
    assert timeline.claim_event_dates(claims, frame).empty
    loose = timeline.claim_event_dates(claims, frame, statuses=("resolved", "ambiguous"))
    assert loose.iloc[0]["event_date"] == "2022-01-09" and "ambiguous" in loose.iloc[0]["date_basis"]
