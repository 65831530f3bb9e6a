"""Who each outlet cites, how it names things, and which claims it shares with other outlets.

* ``source_mentions`` — actors an article quotes (speakers resolved by ``kzlib.attribution``: قال، أعلنت، حسب،
  نقلت ...) and agencies it credits in its page furniture (source footer "المصدر : الجزيرة + الأناضول",
  picture credits "(الأناضول)").
* ``cited_source_matrix`` — outlet x source counts: ``claims`` (ledger ``attributed_to``), ``statements`` and
  ``credits`` (from ``source_mentions``).
* ``framing_hits`` / ``framing_rates`` — terms of ``lexicons/framing.tsv`` (group, frame, term, English gloss)
  per outlet, per 1,000 words, each with an example sentence and its place (article id + offsets).
* ``shared_claims`` — for each claim, the other outlets carrying the same category + figure, or a
  near-duplicate sentence (token overlap of folded words >= ``threshold``), or "only this outlet".

Lexicon terms are matched on the original text by ``term_regex``: alef / hamza forms, ta marbuta / ha, alef
maqsura / ya fold; diacritics and tatweel are skipped; leading clitics (و ف ب ل ك ال لل) are allowed; offsets
stay those of the original text.
"""

from __future__ import annotations

import bisect
import heapq
import re
from collections import Counter, defaultdict
from functools import lru_cache
from itertools import islice

import pandas as pd

from kzlib.corpus import count_words
from kzlib.normalize import normalize_word
from kzlib.lexicon_files import lexicon_rows

_MARKS = "[\u064B-\u065F\u0670\u0640]*"  # harakat, tanween, superscript alef, tatweel
_FOLDS = {
    "ا": "[اأإآٱ]", "أ": "[اأإآٱ]", "إ": "[اأإآٱ]", "آ": "[اأإآٱ]", "ٱ": "[اأإآٱ]",
    "ة": "[ةه]", "ه": "[ةه]", "ى": "[ىي]", "ي": "[ىي]", "ئ": "[ئيء]", "ؤ": "[ؤوء]",
}


def term_regex(term: str, clitics: bool = True, bounded: bool = True) -> str:
    """Regex source matching ``term`` in original Arabic text despite spelling variants (module docstring)."""
    term = re.sub(_MARKS, "", term.strip())
    if not term:
        raise ValueError("empty lexicon term")
    body_term = term
    prefix = ""
    if clitics:
        if term.startswith("ال"):
            body_term = term[2:]
            prefix = "(?:[وف]?[بك]?ال|[وف]?لل)"
        else:
            prefix = "(?:[وف]?[بلك]?(?:ال)?|[وف]?لل)?"
    parts = []
    for char in body_term:
        if char.isspace():
            parts.append(r"\s+")
        else:
            parts.append(_FOLDS.get(char, re.escape(char)) + _MARKS)
    core = prefix + "".join(parts)
    return rf"(?<![\w]){core}(?![\w])" if bounded else core


# --------------------------------------------------------------------------- lexicons


@lru_cache(maxsize=4)
def load_framing(path: str | None = None) -> tuple[dict, ...]:
    """Rows of ``framing.tsv``: group, frame, term, gloss_en, note."""
    return tuple(lexicon_rows("framing", path))


# A word as ``find_terms`` sees it: word characters with the diacritics written inside it ("وَالحَرب" is one
# word). ``term_regex`` cannot do that: a diacritic is not ``\w``, so a regex match may start right after one.
_WORD = re.compile(r"[\w\u064B-\u065F\u0670]+")
_MARK_CHARS = re.compile("[\u064B-\u065F\u0670\u0640]")
# Clitics ``term_regex`` allows before a term (module docstring): before "ال…" terms one of و ف, then one of
# ب ك, then ال — or و ف then لل; before other terms optionally و ف, ب ل ك, ال, or لل.
_AL_PREFIXES = tuple(c + p + "ال" for c in ("", "و", "ف") for p in ("", "ب", "ك")) + ("لل", "ولل", "فلل")
_PLAIN_PREFIXES = tuple(dict.fromkeys(c + p + a for c in ("", "و", "ف") for p in ("", "ب", "ل", "ك") for a in ("", "ال"))) \
    + ("لل", "ولل", "فلل")
# letters a term spells one way and the text may spell another (``_FOLDS``): the symmetric ones fold on both
# sides, hamza seats are expanded on the term's side only (a term's ئ matches ئ ي ء in the text, not the reverse)
_SEATS = {"ئ": "ئيء", "ؤ": "ؤوء"}


def _seat_variants(word: str) -> list[str]:
    variants = [""]
    for char in word:
        variants = [v + alt for v in variants for alt in _SEATS.get(char, char)]
    return variants


@lru_cache(maxsize=4)
def _term_index(terms: tuple[str, ...]) -> tuple[dict, list[str], int]:
    """Folded word sequence -> index into ``ordered`` (longest term first, as the regex alternation tried
    them), for every clitic prefix a term may carry; and the most words a term has."""
    ordered = sorted(set(terms), key=len, reverse=True)
    index: dict[tuple[str, ...], int] = {}
    longest = 1
    for rank, term in enumerate(ordered):
        keys, words = _term_keys(term)
        longest = max(longest, words)
        for key in keys:
            index.setdefault(key, rank)  # the longer term wins where two terms read alike
    return index, ordered, longest


def _prefixed_forms(first: str) -> list[str]:
    """A term's first word with each clitic prefix it may carry (the article ال gives way to لل and the like)."""
    if first.startswith("ال"):
        return [p + first[2:] for p in _AL_PREFIXES]
    return [p + first for p in _PLAIN_PREFIXES]


def _term_keys(term: str) -> tuple[list[tuple[str, ...]], int]:
    """The folded word sequences a term reads as (every clitic prefix its first word may carry, every hamza
    seat of each word), and its number of words."""
    words = _MARK_CHARS.sub("", term.strip()).split()
    if not words:
        raise ValueError("empty lexicon term")
    keys = [(normalize_word(v),) for f in _prefixed_forms(words[0]) for v in _seat_variants(f)]
    for word in words[1:]:
        alternatives = [normalize_word(v) for v in _seat_variants(word)]
        keys = [k + (a,) for k in keys for a in alternatives]
    return keys, len(words)


def find_terms(text: str, terms: tuple[str, ...]) -> list[tuple[int, int, str]]:
    """Non-overlapping (start, end, lexicon term) matches, longest term first at each place.

    One pass over the words of ``text``: at each word, the folded word sequences of up to the longest term's
    length (words separated by whitespace only) are looked up in a dictionary of the folded terms with every
    clitic prefix ``term_regex`` allows. It finds what ``term_regex`` finds, except that a match never starts
    inside a vocalised word (the regex could start right after a diacritic) and a term's ي also matches a
    text's ئ (hamza seats fold one way in the regex).
    """
    index, ordered, longest = _term_index(tuple(terms))
    words = [(m.start(), m.end(), normalize_word(m.group())) for m in _WORD.finditer(text)]
    hits = []
    i, count = 0, len(words)
    while i < count:
        best, best_stop, key = None, i, ()
        for j in range(i, min(count, i + longest)):
            if j > i and not text[words[j - 1][1]:words[j][0]].isspace():
                break
            key = key + (words[j][2],)
            rank = index.get(key)
            if rank is not None and (best is None or rank < best):
                best, best_stop = rank, j
        if best is None:
            i += 1
            continue
        hits.append((words[i][0], words[best_stop][1], ordered[best]))
        i = best_stop + 1
    return hits


# --------------------------------------------------------------------------- sentences and articles


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """Sentence spans of ``text`` (``kzlib.segment.split_sentences``: the project's one sentence rule)."""
    from kzlib.segment import split_sentences

    return split_sentences(text)


def _body(article) -> list[tuple[int, int]]:
    return article.body_spans() if hasattr(article, "body_spans") else [(0, len(article.text))]


def _outlet(article) -> str:
    from kzlib.tables import outlet_of

    return outlet_of(getattr(article, "outlet", None), article.id)


def _articles(articles):
    return list(getattr(articles, "articles", articles))


def _sentence_at(sentences, starts, offset) -> tuple[int, int]:
    """The sentence holding ``offset`` (sentences are sorted and do not overlap), else None."""
    k = bisect.bisect_right(starts, offset) - 1
    if k >= 0 and sentences[k][0] <= offset < sentences[k][1]:
        return sentences[k]
    return None


def _inside(spans, start, end) -> bool:
    return any(s <= start and end <= e for s, e in spans)


# --------------------------------------------------------------------------- cited sources


def source_mentions(articles, gazetteer=None) -> pd.DataFrame:
    """Actors quoted (``kind`` = statement) or credited (``kind`` = credit) per article, with their place.

    Statements are the speakers ``kzlib.attribution`` resolves in each body sentence (reporting verbs,
    "according to" phrases, subject-less continuations, quotations introduced by a colon): ``start``/``end``
    are the offsets of the cue word, ``surface`` the cue. Credits are actors the gazetteer finds in page
    furniture that credits a source (source footer, picture caption).
    """
    if gazetteer is None:
        from kzlib.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    return pd.DataFrame([row for article in _articles(articles) for row in article_source_mentions(article, gazetteer)],
                        columns=list(SOURCE_MENTION_COLUMNS))


SOURCE_MENTION_COLUMNS = ("article_id", "outlet", "kind", "actor", "actor_type", "surface", "start", "end",
                          "sentence", "source_text", "source_type")


def article_source_mentions(article, gazetteer) -> list[dict]:
    """The rows of ``source_mentions`` for one article (``SOURCE_MENTION_COLUMNS``)."""
    from kzlib.attribution import find_cues
    from kzlib.claims import find_entities, read_sentences
    from kzlib.doc import Doc

    doc = Doc(article.text, article.id, _body(article))
    read_sentences(doc)
    find_entities(doc, gazetteer)
    find_cues(doc, gazetteer)
    # a speaker counts once per sentence (several cues may name it: "قال ... وأضاف"): the first row stays
    rows, seen = [], set()
    for row in _statement_rows(article, doc, gazetteer) + _credit_rows(article, gazetteer):
        key = (row["kind"], row["actor"], row["sentence"])
        if key not in seen:
            seen.add(key)
            rows.append(row)
    return rows


def _statement_rows(article, doc, gazetteer) -> list[dict]:
    """A row per reporting cue whose speaker is not the article's own outlet."""
    text, rows = article.text, []
    for sentence in doc.sentences:
        for cue in doc.in_sentence("cues", sentence):
            speaker, mention = cue.attrs["speaker"], cue.attrs["mention"]
            if speaker and speaker != getattr(article, "outlet", None):
                rows.append(dict(article_id=article.id, outlet=_outlet(article), kind="statement",
                                 actor=speaker, actor_type=_actor_type(gazetteer, speaker),
                                 surface=text[cue.start:cue.end], start=cue.start, end=cue.end,
                                 sentence=text[sentence.start:sentence.end],
                                 source_text=text[mention.start:mention.end], source_type=mention.attrs["type"]))
    return rows


def _credit_rows(article, gazetteer) -> list[dict]:
    """A row per actor (not a place) the gazetteer finds in furniture that credits a source."""
    from kzlib.attribution import actor_source_types

    rows = []
    for span in getattr(article, "furniture", ()):
        if span.kind not in CREDIT_FURNITURE:
            continue
        for entity in gazetteer.find(span.text):
            if entity.type != "place":
                rows.append(dict(article_id=article.id, outlet=_outlet(article), kind="credit", actor=entity.id,
                                 actor_type=entity.type, surface=entity.surface, start=span.start + entity.start,
                                 end=span.start + entity.end, sentence=span.text, source_text=entity.surface,
                                 source_type=actor_source_types().get(entity.id, "other")))
    return rows

CREDIT_FURNITURE = ("source_footer", "caption", "credit", "byline")


def _actor_type(gazetteer, actor: str) -> str:
    """The gazetteer's type of an actor; "open" for a source it does not know (an id built from the phrase)."""
    try:
        return gazetteer.info(actor).get("type", "")
    except KeyError:
        return "open" if actor.startswith("src:") else ""


def cited_source_matrix(claims: pd.DataFrame, mentions: pd.DataFrame | None = None) -> pd.DataFrame:
    """Long table outlet x source: ``claims`` attributed, ``statements`` quoted, ``credits`` given, plus ids.

    ``claim_ids`` / ``mention_refs`` (article:start-end) let a reader find every counted item.
    """
    parts, names = _claim_counts(claims) if len(claims) else ([], [])
    if mentions is not None and len(mentions):
        mention_parts, mention_names = _mention_counts(mentions)
        parts, names = parts + mention_parts, names + mention_names
    columns = ["outlet", "source", "source_text", "source_type", "claims", "statements", "credits", "claim_ids",
               "statements_refs", "credits_refs"]
    if not parts:
        return pd.DataFrame(columns=columns + ["total"])
    merged = _merged_counts(parts, columns)
    labels = _source_labels(names)
    merged["source_text"] = merged["source"].map(lambda s: labels.get(s, ("", ""))[0])
    merged["source_type"] = merged["source"].map(lambda s: labels.get(s, ("", ""))[1])
    return merged.loc[:, columns + ["total"]].sort_values(["outlet", "total"], ascending=[True, False]).reset_index(drop=True)


def _claim_counts(claims: pd.DataFrame) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Attributed claims per outlet x source (with their ids), and the ways each source is written."""
    from kzlib.tables import with_claim_ids

    attributed = with_claim_ids(claims)
    attributed = attributed[attributed["attributed_to"].notna()]
    if not len(attributed):
        return [], []
    counts = (attributed.groupby(["outlet", "attributed_to"]).agg(claims=("claim_id", "size"),
                                                                  claim_ids=("claim_id", ", ".join))
              .reset_index().rename(columns={"attributed_to": "source"}))
    names = attributed.rename(columns={"attributed_to": "source"})[["source", "source_text", "source_type"]]
    return [counts], [names]


def _mention_counts(mentions: pd.DataFrame) -> tuple[list[pd.DataFrame], list[pd.DataFrame]]:
    """Statements and credits per outlet x source (with their article:start-end refs), and the ways each
    source is written."""
    # the columns counted only: filtering every column (the sentences) of a million mentions doubled them
    refs = pd.DataFrame({"outlet": mentions["outlet"], "actor": mentions["actor"], "kind": mentions["kind"],
                         "ref": mentions["article_id"] + ":" + mentions["start"].astype(str) + "-"
                         + mentions["end"].astype(str)})
    parts, names = [], []
    for kind, column in (("statement", "statements"), ("credit", "credits")):
        sub = refs[refs["kind"] == kind]
        if len(sub):
            parts.append(sub.groupby(["outlet", "actor"]).agg(**{column: ("ref", "size"),
                                                                f"{column}_refs": ("ref", ", ".join)})
                         .reset_index().rename(columns={"actor": "source"}))
    if "source_text" in mentions.columns:
        names.append(pd.DataFrame({"source": mentions["actor"], "source_text": mentions["source_text"],
                                   "source_type": mentions["source_type"]}))
    return parts, names


def _merged_counts(parts: list[pd.DataFrame], columns: list[str]) -> pd.DataFrame:
    """The count tables joined on outlet x source: absent counts 0, absent id lists "", and the total."""
    merged = parts[0]
    for part in parts[1:]:
        merged = merged.merge(part, on=["outlet", "source"], how="outer")
    for column in columns:
        if column not in merged:
            merged[column] = 0 if column in ("claims", "statements", "credits") else ""
    for column in ("claims", "statements", "credits"):
        merged[column] = merged[column].fillna(0).astype(int)
    for column in ("claim_ids", "statements_refs", "credits_refs"):
        merged[column] = merged[column].fillna("")
    merged["total"] = merged["claims"] + merged["statements"] + merged["credits"]
    return merged


def _source_labels(names: list[pd.DataFrame]) -> dict[str, tuple[str, str]]:
    """Source id -> (the way it is most often written, its type): one label per id, however many mentions."""
    if not names:
        return {}
    frame = pd.concat(names, ignore_index=True).dropna(subset=["source_text"])
    frame = frame[frame["source_text"].astype(str).str.strip() != ""]
    out = {}
    for source, group in frame.groupby("source", sort=False):
        counts = group["source_text"].value_counts()
        written = counts[counts == counts.max()].index
        out[source] = (sorted(written, key=len)[0], group["source_type"].mode().iloc[0] if group["source_type"].notna().any() else "")
    return out


def source_names(matrix: pd.DataFrame) -> dict[str, tuple[str, str]]:
    """Source id -> (Arabic as written, English: its source_type) for chart labels of the sources the
    gazetteer does not know (``src:`` ids); merge over ``actor_names``, which knows the others."""
    if matrix.empty or "source_text" not in matrix.columns:
        return {}
    rows = matrix.drop_duplicates("source")
    return {s: (t, kind or "source") for s, t, kind in zip(rows["source"], rows["source_text"], rows["source_type"])
            if isinstance(s, str) and s.startswith("src:") and t}


def matrix_pivot(matrix: pd.DataFrame, measure: str = "total") -> pd.DataFrame:
    """Outlet rows x source columns of one measure (zeros where an outlet never cites a source)."""
    if matrix.empty:
        return pd.DataFrame()
    pivot = matrix.pivot_table(index="outlet", columns="source", values=measure, aggfunc="sum", fill_value=0)
    order = pivot.sum().sort_values(ascending=False).index
    return pivot.loc[:, order]


def plot_source_heatmap(pivot: pd.DataFrame, names: dict[str, tuple[str, str]] | None = None,
                        title: tuple[str, str] = ("المصادر المستشهد بها حسب الوسيلة", "cited sources per outlet"),
                        top: int = 30):
    """Heatmap of an outlet x source pivot drawn with sources as rows (there are many more sources than
    outlets), the ``top`` most cited first; ``names`` maps ids to (arabic, english) for bilingual labels."""
    import matplotlib.pyplot as plt

    from kzlib.charts import bilingual, use_style

    use_style()
    if pivot.empty:
        raise ValueError("nothing to plot: no outlet cites any source")
    names = names or {}
    table = pivot.T.iloc[:top]  # pivot columns are already ordered by total citations
    if table.shape[1] > top:  # many outlets (e.g. one "unknown (<id>)" per article): the most citing ones
        table = table.loc[:, table.sum().sort_values(ascending=False, kind="stable").index[:top]]
    fig, ax = plt.subplots(figsize=(1.6 * table.shape[1] + 5, 0.38 * table.shape[0] + 2.5))
    image = ax.imshow(table.values, cmap="Blues", aspect="auto")
    ax.set_yticks(range(table.shape[0]))
    ax.set_yticklabels([_label(names, s, bilingual) for s in table.index], fontsize=8)
    ax.set_xticks(range(table.shape[1]))
    ax.set_xticklabels([_label(names, o, bilingual) for o in table.columns], rotation=30, ha="right", fontsize=8)
    peak = table.values.max()
    for (i, j), value in pd.DataFrame(table.values).stack().items():
        if value:
            ax.text(j, i, int(value), ha="center", va="center", fontsize=8,
                    color="white" if value > peak / 2 else "black")
    ax.set_title(bilingual(*title))
    ax.grid(False)
    fig.colorbar(image, ax=ax, shrink=0.5)
    fig.tight_layout()
    return fig


def _label(names: dict, key: str, bilingual) -> str:
    """Bilingual label of an id when its names are known, else the id itself (not "id (id)")."""
    return bilingual(*names[key]) if key in names else key


def actor_names(ids, gazetteer=None) -> dict[str, tuple[str, str]]:
    """Actor id -> (Arabic name, English name) via ``gazetteer.info``, for chart labels; unknown ids are left out."""
    if gazetteer is None:
        from kzlib.gazetteer import load_gazetteer

        gazetteer = load_gazetteer()
    names = {}
    for actor in dict.fromkeys(i for i in ids if isinstance(i, str) and i):
        name = _actor_name(gazetteer, actor)
        if name is not None:
            names[actor] = name
    return names


def _actor_name(gazetteer, actor: str) -> tuple[str, str] | None:
    """(Arabic name, English name) of an actor, the id standing in for a missing one; None when the gazetteer
    names it in neither language."""
    try:
        info = gazetteer.info(actor) or {}
    except KeyError:
        return None
    if not (info.get("name_ar") or info.get("name_en")):
        return None
    return info.get("name_ar") or actor, info.get("name_en") or actor

# --------------------------------------------------------------------------- framing


FRAMING_HIT_COLUMNS = ("outlet", "article_id", "group", "frame", "term", "gloss_en", "surface", "start", "end",
                       "sentence")


def framing_hits(articles, lexicon: tuple[dict, ...] | None = None) -> pd.DataFrame:
    """Every framing term in article bodies: outlet, article_id, group, frame, term, gloss_en, place, sentence."""
    by_term = framing_terms(lexicon)
    return pd.DataFrame([row for article in _articles(articles) for row in article_framing_hits(article, by_term)],
                        columns=list(FRAMING_HIT_COLUMNS))


def framing_terms(lexicon: tuple[dict, ...] | None = None) -> dict[str, dict]:
    """The framing lexicon (default ``lexicons/framing.tsv``) by term, as ``article_framing_hits`` takes it."""
    return {row["term"]: row for row in (lexicon or load_framing())}


def article_framing_hits(article, by_term: dict[str, dict]) -> list[dict]:
    """The rows of ``framing_hits`` for one article (``FRAMING_HIT_COLUMNS``)."""
    body = _body(article)
    sentences = sentence_spans(article.text)
    sentence_starts = [s for s, _ in sentences]
    rows = []
    for start, end, term in find_terms(article.text, tuple(by_term)):
        if not _inside(body, start, end):
            continue
        s_start, s_end = _sentence_at(sentences, sentence_starts, start) or (start, end)
        entry = by_term[term]
        rows.append(dict(outlet=_outlet(article), article_id=article.id,
                         group=entry["group"], frame=entry["frame"], term=term, gloss_en=entry["gloss_en"],
                         surface=article.text[start:end], start=start, end=end,
                         sentence=article.text[s_start:s_end]))
    return rows


def outlet_word_counts(articles) -> pd.DataFrame:
    """Words of article bodies per outlet (the denominator of per-1,000-word rates): from Articles, or from an
    articles table with ``id``, ``outlet`` and ``words`` (``kzlib.text_tables``' "articles")."""
    if isinstance(articles, pd.DataFrame):
        from kzlib.tables import outlet_of

        frame = pd.DataFrame({"outlet": [outlet_of(o, i) for o, i in zip(articles["outlet"], articles["id"])],
                              "article_id": articles["id"], "words": articles["words"]})
    else:
        rows = [dict(outlet=_outlet(a), article_id=a.id,
                     words=sum(count_words(a.text[s:e]) for s, e in _body(a))) for a in _articles(articles)]
        frame = pd.DataFrame(rows, columns=["outlet", "article_id", "words"])
    return frame.groupby("outlet").agg(articles=("article_id", "size"), words=("words", "sum")).reset_index()


def framing_rates(hits: pd.DataFrame, words: pd.DataFrame, level: str = "term") -> pd.DataFrame:
    """Count and rate per 1,000 words per outlet and ``level`` ("term" or "frame"), with an example."""
    if level not in ("term", "frame"):
        raise ValueError(f"framing_rates: level must be 'term' or 'frame', not {level!r}")
    keys = ["group", "frame", "term", "gloss_en"] if level == "term" else ["group", "frame"]
    columns = ["outlet", *keys, "count", "words", "per_1000_words", "example", "example_ref"]
    if hits.empty:
        return pd.DataFrame(columns=columns)
    hits = hits.assign(ref=hits["article_id"] + ":" + hits["start"].astype(str) + "-" + hits["end"].astype(str))
    rates = hits.groupby(["outlet", *keys]).agg(count=("ref", "size"), example=("sentence", "first"),
                                               example_ref=("ref", "first")).reset_index()
    rates = rates.merge(words[["outlet", "words"]], on="outlet", how="left")
    rates["per_1000_words"] = (1000 * rates["count"] / rates["words"]).round(2)
    return rates.loc[:, columns].sort_values(["group", "outlet", "count"], ascending=[True, True, False]).reset_index(drop=True)


def plot_framing(rates: pd.DataFrame, group: str, names: dict[str, tuple[str, str]] | None = None, top: int = 30):
    """Bars: per-1,000-word rate of each frame of ``group`` per outlet (the ``top`` outlets by rate)."""
    import matplotlib.pyplot as plt

    from kzlib.charts import bilingual, use_style

    use_style()
    rows = rates[rates["group"] == group]
    if rows.empty:
        raise ValueError(f"no framing terms of group {group!r} found")
    pivot = rows.pivot_table(index="outlet", columns="frame", values="per_1000_words", aggfunc="sum", fill_value=0)
    if len(pivot) > top:  # one bar group per outlet: the outlets using the group's terms most
        pivot = pivot.loc[pivot.sum(axis=1).sort_values(ascending=False, kind="stable").index[:top]]
    names = names or {}
    fig, ax = plt.subplots(figsize=(9, 0.6 * len(pivot) + 2.5))
    pivot.plot.barh(ax=ax)
    ax.set_yticklabels([_label(names, o, bilingual) for o in pivot.index])
    ax.set_ylabel(bilingual("الوسيلة", "outlet"))
    ax.set_xlabel(bilingual("لكل ألف كلمة", "per 1,000 words"))
    from kzlib.tables import vocabulary_labels

    groups, frames_named = vocabulary_labels(kinds=("framing_group",)), vocabulary_labels(kinds=("frame",))
    group_ar, group_en = groups.get(group, (group, group))
    ax.set_title(bilingual(f"مصطلحات التأطير: {group_ar}", f"framing terms: {group_en}"))
    handles, frames = ax.get_legend_handles_labels()
    ax.legend(handles, [_label(frames_named, f, bilingual) for f in frames], fontsize=8)
    fig.tight_layout()
    return fig


# --------------------------------------------------------------------------- shared claims


def _tokens(sentence: str) -> frozenset[str]:
    return frozenset(t for t in re.findall(r"\w+", normalize_word(sentence)) if len(t) > 1)


def _overlap(a: frozenset, b: frozenset) -> float:
    return len(a & b) / max(1, min(len(a), len(b)))


def _rare_token_pairs(sets: list[frozenset], weights: list[int], common_share: float):
    """Pairs (a, b), a <= b, of distinct token sets sharing a word that occurs in at most ``common_share`` of
    the claims (``weights``: claims per set), each pair once — the candidates of the exact search."""
    from collections import defaultdict

    postings, claims_with = defaultdict(list), defaultdict(int)
    for k, tokens in enumerate(sets):
        for token in tokens:
            postings[token].append(k)
            claims_with[token] += weights[k]
    cap = max(2, int(common_share * sum(weights)))
    for a, tokens in enumerate(sets):
        partners = {b for token in tokens if claims_with[token] <= cap for b in postings[token] if b >= a}
        yield from ((a, b) for b in partners)


def _lsh_pairs(sets: list[frozenset], top: int, num_perm: int = 64):
    """Candidate pairs (a, b), a <= b, of distinct token sets: for each set, the ``top`` sets most alike by
    MinHash LSH Forest (datasketch; Jaccard, approximate), and the set itself. Bounded work per set, so a
    cluster of thousands of near-identical sentences costs n * top comparisons, not n²."""
    from datasketch import MinHash, MinHashLSHForest

    signatures = MinHash.bulk([[t.encode("utf-8") for t in tokens] for tokens in sets], num_perm=num_perm)
    forest = MinHashLSHForest(num_perm=num_perm)
    for k, signature in enumerate(signatures):
        forest.add(k, signature)
    forest.index()
    for a, signature in enumerate(signatures):
        yield (a, a)
        yield from ((min(a, b), max(a, b)) for b in forest.query(signature, top + 1) if b != a)


def _first_ids(members: list[int], outlets: list[str], outlet: str, limit: int) -> list[int]:
    """The first ``limit`` of ``members`` (claim positions, ascending) from outlets other than ``outlet``."""
    return list(islice((j for j in members if outlets[j] != outlet), limit))


def _id_list(chosen: list[int], total: int, ids: list[str]) -> str:
    listed = ", ".join(ids[j] for j in chosen)
    return listed + (f", … (+{total - len(chosen)} more)" if total > len(chosen) else "")


def shared_claims(claims: pd.DataFrame, threshold: float = 0.5, common_share: float = 0.2, *,
                  max_ids: int = 10, exact_limit: int = 2000, lsh_top: int = 50) -> pd.DataFrame:
    """For each claim: outlets sharing its category + figure, near-duplicate sentences elsewhere, or neither.

    ``match``: "same figure and sentence", "same figure", "near-duplicate sentence" or "only this outlet".
    ``overlap`` is the best token overlap |A∩B| / min(|A|,|B|) with a same-category claim of another outlet.

    Sentences are compared as sets of folded words, each distinct set once (wire copy repeated a thousand
    times is one set): claims of other outlets with the very same set are near-duplicates (overlap 1).
    Between distinct sets, a category with at most ``exact_limit`` of them is searched exactly: candidate
    pairs share a word that occurs in at most ``common_share`` of the category's claims, and ``overlap`` is
    the best over all candidates. Above that, each set is compared with the ``lsh_top`` sets most alike by
    MinHash LSH Forest (``datasketch``, approximate Jaccard): the work per sentence is bounded, the lists and
    "+N more" counts are then those of the near-duplicates found among them, a short sentence contained in
    a long one may be missed, and ``overlap`` is the best among them. Overlaps are computed exactly.
    Lists name at most ``max_ids`` claims (outlets), then "… (+N more)": wire copy carried by thousands of
    articles would otherwise make the table grow with the square of the corpus.
    """
    from kzlib.tables import with_claim_ids

    if not len(claims):
        return pd.DataFrame(columns=_SHARED_COLUMNS)
    frame = with_claim_ids(claims).reset_index(drop=True)
    memo: dict[str, frozenset] = {}
    tokens = [memo[s] if s in memo else memo.setdefault(s, _tokens(s)) for s in frame["sentence"]]
    outlets, ids = frame["outlet"].tolist(), frame["claim_id"].tolist()
    categories, values = frame["category"].tolist(), frame["value"].tolist()
    same_ids, same_outlets = _same_figure_lists(categories, values, outlets, ids, max_ids)
    near_ids, near_outlets, best = _near_duplicate_lists(categories, tokens, outlets, ids, threshold=threshold,
                                                         common_share=common_share, max_ids=max_ids,
                                                         exact_limit=exact_limit, lsh_top=lsh_top)
    shared_with = _shared_outlet_lists(same_outlets, near_outlets, outlets, max_ids)
    # column by column: a row object per claim over every ledger column cost seconds and a GB at 100k articles
    return pd.DataFrame({
        "claim_id": ids, "outlet": outlets, "category": categories, "subject": frame["subject"].tolist(),
        "value": values, "quote": frame["quote"].tolist(),
        "match": [_MATCH_KINDS[bool(same), bool(near)] for same, near in zip(same_ids, near_ids)],
        "shared_with_outlets": shared_with, "same_figure_claim_ids": same_ids, "similar_claim_ids": near_ids,
        "overlap": [round(b, 2) for b in best], "sentence": frame["sentence"].tolist()}, columns=_SHARED_COLUMNS)


_SHARED_COLUMNS = ["claim_id", "outlet", "category", "subject", "value", "quote", "match", "shared_with_outlets",
                   "same_figure_claim_ids", "similar_claim_ids", "overlap", "sentence"]
# (shares its figure with another outlet, has a near-duplicate sentence in another outlet) -> match
_MATCH_KINDS = {(True, True): "same figure and sentence", (True, False): "same figure",
                (False, True): "near-duplicate sentence", (False, False): "only this outlet"}
_NO_OUTLETS: frozenset = frozenset()


def _same_figure_lists(categories: list, values: list, outlets: list[str], ids: list[str],
                       max_ids: int) -> tuple[list[str], list[frozenset]]:
    """Per claim: the claims of other outlets with its category and figure (listed), and the outlets of its
    figure. Claims of one (category, figure) share their lists, less their own outlet's."""
    same_ids, same_outlets = [""] * len(outlets), [_NO_OUTLETS] * len(outlets)
    figures = defaultdict(list)
    for i, (category, value) in enumerate(zip(categories, values)):
        if value == value:  # NaN is no figure: it matches nothing
            figures[(category, value)].append(i)
    for members in figures.values():
        per_outlet = Counter(outlets[j] for j in members)
        present = frozenset(per_outlet)  # one object per figure: own outlet left out when listed
        cache = {}
        for i in members:
            own = outlets[i]
            if own not in cache:
                cache[own] = _id_list(_first_ids(members, outlets, own, max_ids), len(members) - per_outlet[own], ids)
            same_ids[i], same_outlets[i] = cache[own], present
    return same_ids, same_outlets


def _near_duplicate_lists(categories: list, tokens: list[frozenset], outlets: list[str], ids: list[str], *,
                          threshold: float, common_share: float, max_ids: int, exact_limit: int,
                          lsh_top: int) -> tuple[list[str], list[frozenset], list[float]]:
    """Per claim: the claims of other outlets with a near-duplicate sentence in its category (listed), the
    outlets reached, and the best overlap; sentences are compared per category, between distinct word sets."""
    near_ids, near_outlets, best = [""] * len(outlets), [_NO_OUTLETS] * len(outlets), [0.0] * len(outlets)
    by_category = defaultdict(lambda: defaultdict(list))
    for i, (category, words) in enumerate(zip(categories, tokens)):
        by_category[category][words].append(i)
    for groups in by_category.values():
        sets, members = list(groups), list(groups.values())
        pairs = _candidate_set_pairs(sets, members, common_share, exact_limit, lsh_top)
        found = _category_near_duplicates(sets, members, pairs, outlets, ids, threshold, max_ids)
        for i, top, listed, reached in found:
            best[i], near_ids[i], near_outlets[i] = top, listed, reached
    return near_ids, near_outlets, best


def _candidate_set_pairs(sets: list[frozenset], members: list[list[int]], common_share: float, exact_limit: int,
                         lsh_top: int) -> set[tuple[int, int]]:
    """Pairs of word sets worth comparing: those sharing a rare word (and each set with itself) in a category
    of at most `exact_limit` sets, else the `lsh_top` most alike by MinHash LSH Forest."""
    if len(sets) <= exact_limit:
        pairs = set(_rare_token_pairs(sets, [len(m) for m in members], common_share))
        pairs.update((k, k) for k in range(len(sets)))
        return pairs
    return set(_lsh_pairs(sets, lsh_top))


def _linked_sets(sets: list[frozenset], pairs: set[tuple[int, int]]) -> dict[int, list[tuple[float, int]]]:
    """Word set -> [(overlap, other set)] over the candidate pairs, both ways."""
    linked = defaultdict(list)
    for a, b in pairs:
        shared = _overlap(sets[a], sets[b])
        linked[a].append((shared, b))
        if a != b:
            linked[b].append((shared, a))
    return linked


def _category_near_duplicates(sets, members, pairs, outlets, ids, threshold, max_ids):
    """(claim, best overlap, listed near-duplicate claims, outlets reached) for each claim of a category
    with a candidate partner in another outlet."""
    counts = [Counter(outlets[j] for j in m) for m in members]      # per set: outlet -> its claims
    set_outlets = [set(c) for c in counts]
    single = _single_outlets(set_outlets)
    reached_by = {}
    for a, partners in _linked_sets(sets, pairs).items():
        for outlet in set_outlets[a]:
            found = _partners_elsewhere(partners, single, outlet, threshold)
            if found is None:
                continue
            top, close = found
            total = sum(len(members[b]) - counts[b][outlet] for b in close)
            listed = _id_list(_first_of_other_outlets(members, close, outlets, outlet, max_ids), total, ids)
            reached = _reached_outlets(close, set_outlets, reached_by)
            for i in members[a]:
                if outlets[i] == outlet:
                    yield i, top, listed, reached


def _reached_outlets(close: list[int], set_outlets: list[set[str]], reached_by: dict) -> frozenset:
    """The outlets of the sets `close`, own outlet included (left out when listed): one object per set of
    partners, kept in `reached_by`."""
    key = tuple(close)
    if key not in reached_by:
        reached_by[key] = frozenset().union(*(set_outlets[b] for b in close))
    return reached_by[key]


def _single_outlets(set_outlets: list[set[str]]) -> list[str | None]:
    """Per word set: its one outlet, or None when several outlets carry it."""
    return [next(iter(o)) if len(o) == 1 else None for o in set_outlets]


def _partners_elsewhere(partners: list[tuple[float, int]], single: list[str | None], outlet: str,
                        threshold: float) -> tuple[float, list[int]] | None:
    """Of a set's partners, those not carried by `outlet` alone: (best overlap, the partners at or above
    `threshold`); None when there are none."""
    others = [(shared, b) for shared, b in partners if single[b] != outlet]
    if not others:
        return None
    return max(shared for shared, _ in others), [b for shared, b in others if shared >= threshold]


def _first_of_other_outlets(members, close: list[int], outlets: list[str], outlet: str, limit: int) -> list[int]:
    """The first `limit` claims (by position) of the sets `close` from outlets other than `outlet`."""
    return list(islice((j for j in heapq.merge(*(members[b] for b in close)) if outlets[j] != outlet), limit))


def _shared_outlet_lists(same_outlets: list[frozenset], near_outlets: list[frozenset], outlets: list[str],
                         max_ids: int) -> list[str]:
    """Per claim: the other outlets sharing its figure or its sentence, at most `max_ids`, then "+N more"."""
    unions: dict = {}  # claims of one figure and one near-duplicate unit share their outlet list
    lists = []
    for i, own in enumerate(outlets):
        key = (id(same_outlets[i]), id(near_outlets[i]))
        if key not in unions:
            unions[key] = sorted(same_outlets[i] | near_outlets[i])
        union = unions[key]
        chosen = list(islice((o for o in union if o != own), max_ids))
        total = len(union) - (own in same_outlets[i] or own in near_outlets[i])
        lists.append(", ".join(chosen) + (f", … (+{total - len(chosen)} more)" if total > len(chosen) else ""))
    return lists
