"""Dates in Arabic news resolved against the article's publication date.

Every mention is kept with its evidence sentence, the rule used and a status:

* ``resolved``   — one date (``resolved``; ``resolved_end`` for spans such as "ليلة 5 على 6 يناير");
* ``ambiguous``  — resolved by a stated convention that the text does not pin down (a bare weekday equal to the
  publication weekday: today or a week earlier? — the rule picks today, the reason says so);
* ``conflict``   — the text contradicts the publication date (``اليوم الأحد`` in an article dated a Saturday,
  ``6 يناير الجاري`` in a February article). The date from the relative word is kept and flagged, never fixed;
* ``unresolved`` — no date can be computed (no publication date; "اليوم السابق" is relative to another event).

Rules, tried in this order at each place, longest match first (``RULES``):

==================== ====================================== ==========================================================
rule                 example                                resolution
==================== ====================================== ==========================================================
night_span           ليلة 5 على 6 يناير                     5 Jan (end 6 Jan); year as for day_month
day_month            في 6 يناير الجاري / 5 كانون الثاني 2022 stated day and month; year stated, else the year that
                                                            puts the date nearest the publication date; الجاري must
                                                            equal the publication month (else conflict)
ordinal_of_month     الخامس من الشهر الجاري / الماضي        day N of the publication month (or the month before/after)
relative_weekday     اليوم الأحد / أمس الجمعة / غداً السبت    publication date + offset; weekday checked (conflict)
weekday_direction    الخميس الماضي / الأحد المقبل            the nearest such weekday strictly before / after
relative_day         اليوم / أمس / غداً / بعد غد / أول أمس    publication date + offset
anaphoric            اليوم السابق / اليوم التالي            unresolved: relative to another event
weekday              الجمعة / يوم الخميس / مساء الخميس       the nearest such weekday on or before the publication date
                                                            (news reports past events); same weekday → ambiguous
==================== ====================================== ==========================================================

Word lists (weekdays, Gregorian, Levantine and Maghrebi month names, relative words, ordinals) live in
``lexicons/relative_dates.tsv``.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import pandas as pd

from kzlib.lexicon_files import lexicon_rows
from kzlib.sources import _sentence_at, sentence_spans, term_regex

RULES = ("night_span", "day_month", "ordinal_of_month", "relative_weekday", "weekday_direction",
         "relative_day", "anaphoric", "weekday")
WEEKDAY_NAMES_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MENTION_COLUMNS = ("article_id", "outlet", "publication_date", "expression", "start", "end", "rule", "resolved",
                   "resolved_end", "status", "reason", "weekday_stated", "sentence", "sentence_start", "sentence_end")


@dataclass(frozen=True)
class DateMention:
    article_id: str
    expression: str              # verbatim text[start:end]
    start: int
    end: int
    rule: str
    resolved: str | None         # ISO date
    resolved_end: str | None     # ISO date for spans, else None
    status: str                  # resolved | ambiguous | conflict | unresolved
    reason: str
    weekday_stated: str | None   # English weekday name when the text names one
    sentence: str
    sentence_start: int
    sentence_end: int
    outlet: str = "unknown"
    publication_date: str | None = None


# --------------------------------------------------------------------------- lexicon -> patterns


@dataclass(eq=False)  # hashable by identity: compiled patterns are cached per loaded lexicon
class DateLexicon:
    entries: dict                 # kind -> {term: value}

    def alternation(self, kind: str, group: str) -> str:
        terms = sorted(self.entries.get(kind, {}), key=len, reverse=True)
        if not terms:
            raise ValueError(f"relative_dates.tsv has no {kind!r} rows")
        return f"(?P<{group}>" + "|".join(term_regex(t, clitics=False, bounded=False) for t in terms) + ")"

    def value(self, kind: str, surface: str):
        return _lexicon_value(self, kind, surface)


@lru_cache(maxsize=4096)  # a corpus repeats the same few hundred surfaces: resolve each once
def _lexicon_value(lex: DateLexicon, kind: str, surface: str):
    for term, value in lex.entries[kind].items():
        if re.fullmatch(term_regex(term, clitics=False, bounded=False), surface):
            return value
    raise KeyError(f"{surface!r} is not a {kind} in relative_dates.tsv")


def load_relative_dates(path: str | Path | None = None) -> DateLexicon:
    return _load(str(path) if path else None)


@lru_cache(maxsize=4)
def _load(path: str | None) -> DateLexicon:
    entries: dict = {}
    for row in lexicon_rows("relative_dates", path):
        kind, term, value = row["kind"], row["term"], row["value"]
        entries.setdefault(kind, {})[term] = int(value) if value.lstrip("-").isdigit() else None
    return DateLexicon(entries)


@lru_cache(maxsize=4)
def _patterns(lex: DateLexicon) -> list[tuple[str, re.Pattern]]:
    num = r"(?P<{}>[0-9٠-٩]{{1,2}})"
    year = r"(?:\s+(?:عام\s+|سنة\s+)?(?P<year>[0-9٠-٩]{4}))?"
    month = lex.alternation("month", "month")
    direction = lex.alternation("direction", "direction")
    weekday = lex.alternation("weekday", "weekday")
    relday = lex.alternation("relative_day", "relday")
    ordinal = lex.alternation("ordinal_day", "ordinal")
    daypart = lex.alternation("day_part", "daypart")
    monthword = lex.alternation("month_word", "monthword")
    anaphoric = lex.alternation("anaphoric", "anaphoric")
    pre, post = r"(?<![\w])(?P<pre>في\s+|[وفب])?", r"(?![\w])"
    raw = [
        ("night_span", rf"{pre}ليلة\s+{num.format('day')}\s*(?:على|إلى|الى|-|–|/)\s*{num.format('day2')}\s+{month}{year}{post}"),
        ("day_month", rf"{pre}(?:{weekday}\s+)?(?:{num.format('day')}|{ordinal}\s+من)\s+{month}(?:\s+{direction})?{year}{post}"),
        ("ordinal_of_month", rf"{pre}{ordinal}\s+من\s+{monthword}(?:\s+{direction})?{post}"),
        ("anaphoric", rf"{pre}{anaphoric}{post}"),
        ("relative_weekday", rf"{pre}{relday}\s+{weekday}{post}"),
        ("weekday_direction", rf"{pre}(?:{daypart}\s+)?{weekday}\s+{direction}{post}"),
        ("relative_day", rf"{pre}{relday}{post}"),
        ("weekday", rf"{pre}(?:{daypart}\s+)?{weekday}{post}"),
    ]
    return [(rule, re.compile(pattern)) for rule, pattern in raw]


# --------------------------------------------------------------------------- resolution


def find_date_mentions(text: str, publication_date: str | None, article_id: str = "text",
                       outlet: str = "unknown", spans: list[tuple[int, int]] | None = None,
                       lexicon: DateLexicon | None = None) -> list[DateMention]:
    """Every date expression in ``text`` (inside ``spans`` when given), resolved against ``publication_date``."""
    lex = lexicon or load_relative_dates()
    pub = _parse_iso(publication_date)
    found = _date_matches(text, lex, spans)
    mentions = []
    sentences = sentence_spans(text)
    sentence_starts = [s for s, _ in sentences]
    for start, end, rule, match in sorted(found, key=lambda f: f[0]):
        future = rule == "weekday" and _has_future_cue(text[max(0, start - 15):start], lex)
        resolved, resolved_end, status, reason, weekday = _resolve(rule, match, pub, lex, future)
        s_start, s_end = _sentence_at(sentences, sentence_starts, start) or (start, end)
        mentions.append(DateMention(article_id, text[start:end], start, end, rule, resolved, resolved_end, status,
                                    reason, weekday, text[s_start:s_end], s_start, s_end, outlet,
                                    pub.isoformat() if pub else None))
    return mentions


def _date_matches(text: str, lex: DateLexicon,
                  spans: list[tuple[int, int]] | None) -> list[tuple[int, int, str, re.Match]]:
    """(start, end, rule, match) of each date expression, rules tried in order (RULES): a place an earlier
    rule took is not matched again; outside `spans` (when given) nothing is matched."""
    taken: list[tuple[int, int]] = []
    found = []
    for rule, pattern in _patterns(lex):
        for match in pattern.finditer(text):
            start, end = _strip_prefix(match)
            if _overlaps_any(start, end, taken) or (spans is not None and not _inside_any(start, end, spans)):
                continue
            taken.append((start, end))
            found.append((start, end, rule, match))
    return found


def _overlaps_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s < end and start < e for s, e in spans)


def _inside_any(start: int, end: int, spans: list[tuple[int, int]]) -> bool:
    return any(s <= start and end <= e for s, e in spans)


def _strip_prefix(match: re.Match) -> tuple[int, int]:
    """Drop a leading conjunction / "في " so that the expression starts at the date word itself."""
    return (match.end("pre") if match.group("pre") else match.start()), match.end()


def _has_future_cue(before: str, lex: DateLexicon) -> bool:
    """A deadline word right before a bare weekday ("بحلول يوم الجمعة") points forward, not back."""
    return any(cue.search(before) for cue in _future_cues(lex))


@lru_cache(maxsize=4)
def _future_cues(lex: DateLexicon) -> tuple[re.Pattern, ...]:
    return tuple(re.compile(term_regex(c) + r"\s*(?:\S+\s+)?$") for c in lex.entries.get("future_cue", {}))


# what _resolve returns: (resolved ISO date, resolved_end, status, reason, English weekday stated)
Resolution = tuple[str | None, str | None, str, str, str | None]


def _resolve(rule: str, m: re.Match, pub: date | None, lex: DateLexicon, future: bool = False) -> Resolution:
    groups = m.groupdict()
    weekday, weekday_en = _stated_weekday(groups, lex)
    if rule == "anaphoric":
        return None, None, "unresolved", "relative to another event in the text, not to the publication date", None
    stated_year = int(groups["year"]) if groups.get("year") else None
    if pub is None and not (rule in ("day_month", "night_span") and stated_year):
        return None, None, "unresolved", "article has no publication date", weekday_en
    if rule in ("day_month", "night_span"):
        return _resolve_day_month(rule, groups, pub, lex, weekday, stated_year)
    if rule == "ordinal_of_month":
        return _resolve_ordinal_of_month(groups, pub, lex)
    if rule in ("relative_weekday", "relative_day"):
        return _resolve_relative_day(groups, pub, lex, weekday)
    if rule == "weekday_direction":
        return _resolve_weekday_direction(groups, pub, lex, weekday)
    return _resolve_bare_weekday(groups, pub, lex, weekday, future)


def _stated_weekday(groups: dict, lex: DateLexicon) -> tuple[int | None, str | None]:
    """The weekday the expression names (0 = Monday) and its English name; (None, None) when it names none."""
    if not groups.get("weekday"):
        return None, None
    weekday = lex.value("weekday", groups["weekday"])
    return weekday, _weekday_en(weekday)


def _weekday_en(weekday: int | None) -> str | None:
    return WEEKDAY_NAMES_EN[weekday] if weekday is not None else None


def _resolve_day_month(rule: str, groups: dict, pub: date | None, lex: DateLexicon, weekday: int | None,
                       stated_year: int | None) -> Resolution:
    """A stated day and month ("في 6 يناير الجاري"; "ليلة 5 على 6 يناير" a span of two days)."""
    weekday_en = _weekday_en(weekday)
    day = int(groups["day"]) if groups.get("day") else lex.value("ordinal_day", groups["ordinal"])
    month = lex.value("month", groups["month"])
    direction = lex.value("direction", groups["direction"]) if groups.get("direction") else None
    try:
        when = _nearest_year(day, month, stated_year, pub)
        until = _nearest_year(int(groups["day2"]), month, stated_year, pub) if rule == "night_span" else None
    except ValueError as error:
        return None, None, "unresolved", f"no such date: {error}", weekday_en
    status, reasons = _day_month_status(when, month, direction, pub, weekday)
    if stated_year is None:
        reasons.insert(0, f"year {when.year} taken as the one nearest the publication date")
    if rule == "night_span":
        reasons.append("night spanning two dates: resolved to the first, resolved_end the second")
    return when.isoformat(), until.isoformat() if until else None, status, "; ".join(reasons), weekday_en


def _day_month_status(when: date, month: int, direction: int | None, pub: date | None,
                      weekday: int | None) -> tuple[str, list[str]]:
    """"conflict" when الجاري (direction 0) names another month than the publication's, or the stated weekday
    is not the date's; with the reasons."""
    reasons, status = [], "resolved"
    if direction == 0 and pub and (when.year, when.month) != (pub.year, pub.month):
        status = "conflict"
        reasons.append(f"'الجاري' means the publication month ({pub:%Y-%m}) but the text names month {month}")
    if weekday is not None and when.weekday() != weekday:
        status = "conflict"
        reasons.append(f"text says {WEEKDAY_NAMES_EN[weekday]} but {when.isoformat()} is a "
                       f"{WEEKDAY_NAMES_EN[when.weekday()]}")
    return status, reasons


def _resolve_ordinal_of_month(groups: dict, pub: date, lex: DateLexicon) -> Resolution:
    """Day N of the publication month, or of the month before / after ("الخامس من الشهر الماضي")."""
    day = lex.value("ordinal_day", groups["ordinal"])
    shift = lex.value("direction", groups["direction"]) if groups.get("direction") else 0
    year, month = divmod(pub.year * 12 + (pub.month - 1) + shift, 12)
    try:
        when = date(year, month + 1, day)
    except ValueError as error:
        return None, None, "unresolved", f"no such date: {error}", None
    return when.isoformat(), None, "resolved", f"day {day} of month {when:%Y-%m} (publication {pub.isoformat()})", None


def _resolve_relative_day(groups: dict, pub: date, lex: DateLexicon, weekday: int | None) -> Resolution:
    """The publication date plus an offset ("أمس", "اليوم الأحد"); a stated weekday that is not the date's is
    a conflict, kept and not corrected."""
    weekday_en = _weekday_en(weekday)
    offset = lex.value("relative_day", groups["relday"])
    when = pub + timedelta(days=offset)
    if weekday is not None and when.weekday() != weekday:
        return (when.isoformat(), None, "conflict",
                f"text says {weekday_en} but {when.isoformat()} (publication {offset:+d} days) is a "
                f"{WEEKDAY_NAMES_EN[when.weekday()]}: publication date or text is wrong; not corrected", weekday_en)
    return when.isoformat(), None, "resolved", f"publication date {offset:+d} days", weekday_en


def _resolve_weekday_direction(groups: dict, pub: date, lex: DateLexicon, weekday: int) -> Resolution:
    """"الخميس الماضي" / "الأحد المقبل": the nearest such weekday strictly before / after publication."""
    weekday_en = _weekday_en(weekday)
    direction = lex.value("direction", groups["direction"])
    if direction == 0:
        delta = (weekday - pub.weekday()) % 7
        return ((pub + timedelta(days=delta)).isoformat(), None, "ambiguous",
                "weekday of the current week: taken as the next such day on or after publication", weekday_en)
    if direction < 0:
        delta = (pub.weekday() - weekday) % 7 or 7
        return (pub - timedelta(days=delta)).isoformat(), None, "resolved", "nearest such weekday before publication", weekday_en
    delta = (weekday - pub.weekday()) % 7 or 7
    return (pub + timedelta(days=delta)).isoformat(), None, "resolved", "nearest such weekday after publication", weekday_en


def _resolve_bare_weekday(groups: dict, pub: date, lex: DateLexicon, weekday: int, future: bool) -> Resolution:
    """A bare weekday: the nearest such day on or before publication (news reports past events), on or after
    it after a deadline word; the publication's own weekday is ambiguous."""
    weekday_en = _weekday_en(weekday)
    if future:
        delta = (weekday - pub.weekday()) % 7
        status = "ambiguous" if delta == 0 else "resolved"
        return ((pub + timedelta(days=delta)).isoformat(), None, status,
                "deadline word before the weekday: nearest such weekday on or after publication", weekday_en)
    delta = (pub.weekday() - weekday) % 7
    when = pub - timedelta(days=delta)
    if delta == 0:
        return (when.isoformat(), None, "ambiguous",
                "same weekday as the publication date: taken as the publication day (could be a week earlier)", weekday_en)
    reason = "nearest such weekday on or before publication (news reports past events)"
    if _is_night(groups, lex):
        reason += "; 'ليلة' may mean the night before the named day"
    return when.isoformat(), None, "resolved", reason, weekday_en


def _is_night(groups: dict, lex: DateLexicon) -> bool:
    """The weekday is preceded by ليلة (night), not another part of the day."""
    return bool(groups.get("daypart") and lex.entries["day_part"]
                and re.fullmatch(term_regex("ليلة", clitics=False, bounded=False), groups["daypart"]))


def _nearest_year(day: int, month: int, year: int | None, pub: date | None) -> date:
    if year is not None:
        return date(year, month, day)
    candidates = []
    for y in (pub.year - 1, pub.year, pub.year + 1):
        try:
            candidates.append(date(y, month, day))
        except ValueError:
            continue
    if not candidates:
        raise ValueError(f"day {day} of month {month}")
    return min(candidates, key=lambda d: abs((d - pub).days))


def _parse_iso(value) -> date | None:
    if value is None or value is pd.NaT or (isinstance(value, float) and pd.isna(value)) or str(value).strip() == "":
        return None
    return pd.Timestamp(value).date()


# --------------------------------------------------------------------------- corpus level


def article_mentions(article, lexicon: DateLexicon | None = None) -> list[DateMention]:
    """Date mentions in an Article's body (page furniture excluded)."""
    spans = article.body_spans() if hasattr(article, "body_spans") else None
    from kzlib.tables import outlet_of

    return find_date_mentions(article.text, article.date, article.id, outlet_of(getattr(article, "outlet", None), article.id),
                              spans=spans, lexicon=lexicon)


def timeline_frame(articles) -> pd.DataFrame:
    """All date mentions of an iterable of Articles (or a Corpus), one row each (``MENTION_COLUMNS``)."""
    articles = getattr(articles, "articles", articles)
    rows = [asdict(m) for article in articles for m in article_mentions(article)]
    frame = pd.DataFrame(rows, columns=[f for f in DateMention.__dataclass_fields__])
    return frame.loc[:, list(MENTION_COLUMNS)]


#: The columns of the date mentions ``claim_event_dates`` reads.
EVENT_DATE_COLUMNS = ("article_id", "start", "sentence_start", "sentence_end", "resolved", "expression", "rule",
                      "status")


def claim_event_dates(claims: pd.DataFrame, mentions: pd.DataFrame,
                      statuses: tuple[str, ...] = ("resolved",)) -> pd.DataFrame:
    """For each claim whose sentence states a resolved date, that date (the nearest mention in the sentence).

    Only mentions of ``statuses`` count: an ambiguous bare weekday ("بدأت الأحد" in a Sunday article: today or
    a week earlier?) or a contradicted one would date the claim wrongly. Returns ``claim_id``, ``event_date``,
    ``date_basis`` ("stated: <expression> (<rule>, <status>)"), ready for ``kzlib.tables.acled_export``.
    """
    from kzlib.tables import with_claim_ids

    columns = ["claim_id", "event_date", "date_basis"]
    usable = mentions[mentions["status"].isin(statuses)] if len(mentions) else mentions
    if not len(claims) or not len(usable):
        return pd.DataFrame(columns=columns)
    # one join of claims with the mentions of their article, then the nearest mention inside the sentence
    frame = with_claim_ids(claims)
    left = pd.DataFrame({"claim_id": frame["claim_id"].to_numpy(), "article_id": frame["article_id"].to_numpy(),
                         "claim_start": frame["start"].to_numpy(), "_claim": range(len(frame))})
    right = usable.loc[:, list(EVENT_DATE_COLUMNS)].assign(_mention=range(len(usable)))
    pairs = left.merge(right, on="article_id", how="inner")
    pairs = pairs[(pairs["sentence_start"] <= pairs["claim_start"]) & (pairs["claim_start"] < pairs["sentence_end"])]
    if pairs.empty:
        return pd.DataFrame(columns=columns)
    pairs = pairs.assign(_distance=(pairs["start"] - pairs["claim_start"]).abs())
    # nearest first; equally near: the earlier mention in the frame (as idxmin did)
    nearest = pairs.sort_values(["_claim", "_distance", "_mention"], kind="stable").drop_duplicates("_claim")
    return pd.DataFrame({
        "claim_id": nearest["claim_id"].to_numpy(),
        "event_date": nearest["resolved"].to_numpy(),
        "date_basis": ("stated: " + nearest["expression"] + " (" + nearest["rule"] + ", " + nearest["status"] + ")").to_numpy(),
    }, columns=columns)


def plot_timeline(mentions: pd.DataFrame, max_articles: int = 40):
    """Resolved dates per article (one row each, earliest publication on top), publication date marked.

    One point per article and date, labelled with the distinct expressions; colour = the most serious status
    among them (conflict > ambiguous > resolved), size = number of mentions. Above ``max_articles`` articles
    with resolved dates, one row per article cannot be read: the chart then counts mentions per resolved date,
    stacked by status (``plot_timeline_counts``).
    """
    import matplotlib.dates as mdates
    import matplotlib.pyplot as plt

    from kzlib.charts import bilingual, use_style

    use_style()
    dated = mentions[mentions["resolved"].notna()].copy()
    if dated.empty:
        raise ValueError("no resolved dates to plot")
    if dated["article_id"].nunique() > max_articles:
        return plot_timeline_counts(dated)
    dated["resolved"] = pd.to_datetime(dated["resolved"])
    points = _timeline_points(dated)
    order = points.sort_values(["publication_date", "article_id"], na_position="last")["article_id"]
    articles = list(dict.fromkeys(order))
    fig, ax = plt.subplots(figsize=(11, 1.1 * len(articles) + 2.5))
    for y, article_id in enumerate(articles):
        _draw_article_row(ax, y, points[points["article_id"] == article_id])
    ax.set_yticks(range(len(articles)))
    outlet_of = dict(zip(points["article_id"], points["outlet"]))
    # an unknown outlet already carries the article id: "unknown (<id>)"
    ax.set_yticklabels([outlet_of[a] if outlet_of[a].endswith(f"({a})") else f"{outlet_of[a]} ({a})" for a in articles])
    ax.set_ylim(len(articles) - 0.4, -0.6)  # earliest publication on top
    for status, colour in _STATUS_COLOURS.items():
        ax.scatter([], [], color=colour, label=status)
    ax.scatter([], [], marker="|", s=200, color="black", label=bilingual("تاريخ النشر", "publication date"))
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    ax.margins(x=0.08)
    ax.xaxis.set_major_locator(mdates.DayLocator())
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%Y-%m-%d"))
    ax.set_xlabel(bilingual("التاريخ المستنتج", "resolved date"))
    ax.set_title(bilingual("التواريخ المذكورة في المقالات", "dates mentioned in the articles"))
    ax.grid(True, axis="x", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig


_SEVERITY = {"resolved": 0, "ambiguous": 1, "conflict": 2}      # a point takes its most serious status
_STATUS_COLOURS = {"resolved": "tab:blue", "ambiguous": "tab:orange", "conflict": "tab:red"}


def _timeline_points(dated: pd.DataFrame) -> pd.DataFrame:
    """One row per article and resolved date: outlet, publication date, mentions, most serious status
    (severity) and the distinct expressions (label)."""
    dated["severity"] = dated["status"].map(_SEVERITY).fillna(0)
    return dated.groupby(["article_id", "resolved"]).agg(
        outlet=("outlet", "first"), publication_date=("publication_date", "first"), mentions=("start", "size"),
        severity=("severity", "max"), label=("expression", lambda e: "، ".join(dict.fromkeys(e)))).reset_index()


def _draw_article_row(ax, y: int, rows: pd.DataFrame) -> None:
    """An article's row: its publication date as a bar, each resolved date a point labelled with its words."""
    from kzlib.charts import prepare_label

    status_of = {v: k for k, v in _SEVERITY.items()}
    pub = rows["publication_date"].iloc[0]
    if pub:
        ax.scatter([pd.Timestamp(pub)], [y], marker="|", s=500, color="black", zorder=2)
    for i, r in enumerate(rows.sort_values("resolved").itertuples()):
        ax.scatter([r.resolved], [y], s=40 + 25 * r.mentions, color=_STATUS_COLOURS[status_of[int(r.severity)]],
                   zorder=3)
        ax.annotate(prepare_label(r.label), (r.resolved, y), textcoords="offset points",
                    xytext=(0, 10 if i % 2 == 0 else -16), fontsize=7, ha="center")


def plot_timeline_counts(dated: pd.DataFrame, top_days: int = 60):
    """Date mentions per resolved date, stacked by status; dates beyond the ``top_days`` busiest are left
    out (the title says how many mentions that drops)."""
    import matplotlib.pyplot as plt

    from kzlib.charts import bilingual, use_style

    use_style()
    colours = _STATUS_COLOURS
    counts = dated.groupby(["resolved", "status"]).size().unstack("status", fill_value=0)
    counts = counts.reindex(columns=[s for s in colours if s in counts.columns])
    busiest = counts.sum(axis=1).nlargest(top_days).index
    shown = counts.loc[sorted(busiest)]
    left_out = int(counts.values.sum() - shown.values.sum())
    fig, ax = plt.subplots(figsize=(11, 4.5))
    shown.plot.bar(stacked=True, ax=ax, color=[colours[s] for s in shown.columns], width=0.8)
    ax.set_xlabel(bilingual("التاريخ المستنتج", "resolved date"))
    ax.set_ylabel(bilingual("إشارات", "mentions"))
    note = f"{dated['article_id'].nunique():,} articles, {len(dated):,} mentions"
    if left_out:
        note += f"; {left_out:,} on dates beyond the {top_days} busiest not shown"
    ax.set_title(bilingual("التواريخ المذكورة في المقالات", f"dates mentioned in the articles ({note})"))
    ax.grid(True, axis="y", alpha=0.3)
    fig.autofmt_xdate()
    fig.tight_layout()
    return fig
