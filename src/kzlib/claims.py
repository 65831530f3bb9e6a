"""Claims: a count (kzlib.numbers) + what was counted (categories.tsv) + whose (subjects.tsv) + who said it.

Per sentence of the article body (page furniture skipped), each count-kind quantity takes the nearest
category cue in its clause, before it ("مصرع 26", "ألقت القبض على أكثر من 100") or after it
("1300 عنصر أمن أصيبوا"); a cue joined by "و" that introduces the next count ("... وإصابة 18 آخرين")
belongs to that count. The counted noun right after the number gives the subject. Lexicons are
compiled once per process (the same code runs over large corpora).
"""

from __future__ import annotations

import bisect
import gc
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from kzlib.attribution import Attributor, attribute, cue_lexicons, quoted_continuation
from kzlib.gazetteer import Entity, Lexicon, LexiconIndex, Match, load_gazetteer, read_tsv, tokenize
from kzlib.groups import NO_GROUP, Group, SentenceGroups
from kzlib.places import choose as choose_place, dateline, sentence_places
from kzlib.normalize import normalize, normalize_word
from kzlib.numbers import Quantity, may_be_quantity_word, quantities_of
from kzlib.paths import LEXICONS
from kzlib.segment import split_sentences

CLAIM_FIELDS = ("article_id", "category", "subject", "value", "low", "high", "qualifier",
                "attributed_to", "location", "start", "end", "quote", "sentence",
                "subject_detail", "subject_text", "subject_start", "subject_end",
                "location_text", "location_start", "location_end")

MAX_CUE_DISTANCE = 5         # content words allowed between a count and its category cue
NEGATION_WINDOW = 3          # words before a cue in which a negation cancels it
NESTED_WINDOW = 3            # words before a count in which "من بينهم" makes it a nested count
_PERSON_SUBJECTS = {"protesters", "security_forces", "militants", "civilians", "peacekeepers", "foreigners", "people"}
_ACTOR_CATEGORIES = {"troops", "attackers"}
_FIXED_SUBJECT = {"aircraft": "aircraft", "checkpoints": "checkpoints"}
_start_of = itemgetter(1)    # Token.start, C-level for map()
_CLAUSE_PUNCT = re.compile(r"[،,؛;:.!?؟\n]")
_SEMICOLON = re.compile(r"[؛;]")


@dataclass(frozen=True)
class Claim:
    article_id: str
    category: str
    subject: str
    value: float | None
    low: float | None
    high: float | None
    qualifier: str
    attributed_to: str | None
    location: str | None
    start: int
    end: int
    quote: str
    sentence: str
    subject_detail: str | None = None   # fine group id of groups.tsv
    subject_text: str | None = None     # the counted group as written (kzlib.groups)
    subject_start: int | None = None
    subject_end: int | None = None
    location_text: str | None = None    # the place as written, known to the gazetteer or not (kzlib.places)
    location_start: int | None = None
    location_end: int | None = None

    def as_dict(self) -> dict:
        # the fields are plain values: no need for dataclasses.asdict's recursive deep copy (once per claim)
        return {name: getattr(self, name) for name in CLAIM_FIELDS}


@dataclass(frozen=True)
class _Lexicons:
    categories: Lexicon
    subjects: Lexicon
    transparent: frozenset[str]
    index: LexiconIndex      # actors, reporting verbs, source phrases, categories, subjects, number words


@lru_cache(maxsize=1)
def _lexicons() -> _Lexicons:
    cat_rows = read_tsv(LEXICONS / "categories.tsv")
    # subjects.tsv: the special rows (self, inherit, casualty nouns, things); groups.tsv: groups with fine ids
    sub_rows = read_tsv(LEXICONS / "subjects.tsv") + read_tsv(LEXICONS / "groups.tsv")
    # words that neither count as distance nor end a count phrase: "القبض على أكثر من 100"
    transparent = frozenset(normalize_word(w) for w in ("من", "على", "عن", "عدد", "نحو", "بلغ", "إلى"))
    categories, subjects = Lexicon.from_rows(cat_rows, "category"), Lexicon.from_rows(sub_rows, "subject")
    index = LexiconIndex([load_gazetteer().lexicon, *cue_lexicons(), categories, subjects, may_be_quantity_word])
    return _Lexicons(categories, subjects, transparent, index)


@dataclass
class _Count:
    q: object            # numbers.Quantity, offsets into the article text
    first: int           # token range of the quantity
    last: int
    subject: str | None = None
    subject_last: int | None = None   # last token of the counted noun
    category: str | None = None
    group: Group | None = None        # the counted group (kzlib.groups)
    own_group: bool = False           # named by the count's own phrase (not shared from another count)


class _ArticleMemory:
    """What later sentences of an article refer back to: the last count's group ("منهم", "آخرون")."""
    __slots__ = ("previous", "dateline")

    def __init__(self, dateline=None):
        self.previous: Group | None = None
        self.dateline = dateline


def extract_text(text: str, article_id: str = "text") -> list[Claim]:
    """Claims of a bare text (all of it is body)."""
    return _extract(text, article_id, [(0, len(text))], outlet=None)


def extract_claims(article) -> list[Claim]:
    """Claims of a kzlib.corpus.Article, its furniture skipped; offsets into article.text."""
    return _extract(article.text, article.id, article.body_spans(), outlet=getattr(article, "outlet", None))


def _extract(text: str, article_id: str, body_spans, outlet: str | None) -> list[Claim]:
    # One article allocates thousands of small tuples (tokens, matches) that live until it is done and are
    # then freed by reference counting; the cyclic collector would scan them several times per article
    # (about 9% of the time, measured). It is paused for the article and resumed after (as Mercurial's
    # util.nogc does); left alone when the caller has already disabled it.
    if not gc.isenabled():
        return _extract_article(text, article_id, body_spans, outlet)
    gc.disable()
    try:
        return _extract_article(text, article_id, body_spans, outlet)
    finally:
        gc.enable()


def _extract_article(text: str, article_id: str, body_spans, outlet: str | None) -> list[Claim]:
    if not text:
        return []
    lex = _lexicons()
    gaz = load_gazetteer()
    normalized = normalize(text)     # folded once; tokens and numbers share it
    tokens = tokenize(text, normalized)
    starts = list(map(_start_of, tokens))
    # one lookup per word: where actors, cues, categories, subjects may start, and which words may be numbers
    actor_starts, verb_starts, source_starts, cat_starts, sub_starts, number_words = lex.index.starts(tokens)
    # left to right, never overlapping: sentence slices by bisection
    entities, entity_firsts, entity_lasts = gaz.find_indexed(text, tokens, actor_starts)
    entity_starts, entity_ends = [en.start for en in entities], [en.end for en in entities]
    attributor = Attributor(gaz, tokens, entities, starts, (entity_firsts, entity_lasts), (verb_starts, source_starts))
    claims: list[Claim] = []
    previous_cues, previous_end = [], 0
    body_spans = list(body_spans)
    memory = _ArticleMemory(dateline(text, body_spans[0][0], body_spans[0][1]) if body_spans else None)
    for bs, be in body_spans:
        for ss, se in split_sentences(text[bs:be]):
            s, e = bs + ss, bs + se
            first, stop = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
            # every sentence is read for cues: the speaker history runs through the article
            cues = attributor.sentence_cues(first, stop) or quoted_continuation(text, previous_cues, previous_end, s)
            previous_cues, previous_end = cues, e
            k = bisect.bisect_left(number_words, first)
            if k == len(number_words) or number_words[k] >= stop:
                continue        # no word of the sentence may be a number: no claim, not searched
            in_sentence = entities[bisect.bisect_right(entity_ends, s):bisect.bisect_left(entity_starts, e)]
            claims.extend(_sentence_claims(text, normalized, article_id, s, e, tokens, starts, first, stop, in_sentence,
                                          cues, lex, gaz, outlet, cat_starts, sub_starts, memory))
    return claims


def _sentence_claims(text, normalized, article_id, s, e, tokens, starts, first, stop, entities, cues, lex, gaz,
                     outlet, cat_starts=None, sub_starts=None, memory=None) -> list[Claim]:
    """Claims of the sentence text[s:e]; `entities` are those overlapping it."""
    sentence = text[s:e]
    counts = _counts(normalized, s, sentence, tokens, starts, first, stop, entities)
    if not counts:
        return []
    cats = lex.categories.find_all(tokens, first, stop, cat_starts)
    subs = lex.subjects.find_all(tokens, first, stop, sub_starts)
    clause = _clause_ids(text, tokens, starts, first, stop, cats)
    count_tokens = {k for c in counts for k in range(c.first, c.last + 1)}
    memory = _ArticleMemory() if memory is None else memory
    _assign_groups(text, counts, subs, cats, tokens, first, stop, memory)
    known_words = count_tokens | {m.first for m in cats} | {m.first for m in subs}
    places = sentence_places(text, tokens, first, stop,
                             [en for en in entities if en.type == "place" and s <= en.start and en.end <= e],
                             starts, known_words)
    # places do not reach across a clause word (فيما، بينما) or a semicolon
    walls = [m.first for m in cats if m.entry.form == "boundary"]
    for semicolon in _SEMICOLON.finditer(text, s, e):
        walls.append(bisect.bisect_left(starts, semicolon.start(), first, stop))
    out: list[Claim] = []
    previous: _Count | None = None
    for idx, c in enumerate(counts):
        cue = _nearest_cue(c, idx, counts, cats, clause, tokens, lex, count_tokens)
        if cue == "negated":
            previous = c
            continue
        nested = _is_nested(c, cats, first)
        if nested and previous is not None and previous.category:
            c.category = previous.category
        elif cue is not None:
            c.category = cue.entry.label
        elif previous is not None and previous.category and _coordinated(text, tokens, previous, c, cats):
            c.category = previous.category      # "سجلت 6 وفيات، و15 في كسلا": one category for the list
        elif c.subject in _PERSON_SUBJECTS:
            c.category = "other"
        if c.category is None:
            previous = c
            continue
        speaker = attribute(cues, c.q.start, c.q.end)
        if speaker is not None and speaker == outlet:
            speaker = None          # the outlet reporting is never the attribution
        subject = _final_subject(c, speaker, gaz, subs, clause)
        group = c.group or NO_GROUP
        detail = group.detail if subject == group.subject else None
        has_text = group.start is not None and subject not in _FIXED_SUBJECT.values()
        place = choose_place(places, c.first, c.last, counts[idx - 1].last if idx else first - 1,
                             counts[idx + 1].first if idx + 1 < len(counts) else stop, clause, walls,
                             [o.first for o in counts if o is not c])
        if place is None and not places and memory.dateline is not None:
            loc_id, loc_start, loc_end = memory.dateline
        elif place is not None:
            loc_id, loc_start, loc_end = place.id, place.start, place.end
        else:
            loc_id = loc_start = loc_end = None
        end = c.q.end
        if c.subject_last is not None:
            end = max(end, tokens[c.subject_last].end)
        if cue is not None and cue.first > c.last and _gap(c, cue, tokens, lex, count_tokens) == 0:
            end = max(end, tokens[cue.last].end)
        out.append(Claim(
            article_id=article_id, category=c.category, subject=subject,
            value=_num(c.q.value), low=_num(c.q.low), high=_num(c.q.high), qualifier=c.q.qualifier,
            attributed_to=speaker, location=loc_id,
            start=c.q.start, end=end, quote=text[c.q.start:end], sentence=sentence,
            subject_detail=detail, subject_text=text[group.start:group.end] if has_text else None,
            subject_start=group.start if has_text else None, subject_end=group.end if has_text else None,
            location_text=text[loc_start:loc_end] if loc_start is not None else None,
            location_start=loc_start, location_end=loc_end,
        ))
        previous = c
    return out


def _num(x) -> float | None:
    return None if x is None else float(x)


def _counts(normalized, s, sentence, tokens, starts, first, stop, entities) -> list[_Count]:
    """Count-kind quantities of the sentence that are not part of a name ("خبر 24") or a definite reference."""
    if first >= stop:
        return []
    # the caller has checked that some word of the sentence may be a number (may_be_quantity_word)
    quantities = quantities_of(sentence, normalized.slice(s, s + len(sentence)))
    if not quantities:
        return []
    inside = [(en.start, en.end) for en in entities]
    out = []
    for q in quantities:
        if q.kind != "count":
            continue
        qs, qe = s + q.start, s + q.end
        if any(a <= qs and qe <= b for a, b in inside):
            continue
        # tokens overlapping [qs, qe): from the last one starting at or before qs, up to the first starting at qe
        lo = max(first, bisect.bisect_right(starts, qs, first, stop) - 1)
        if tokens[lo].end <= qs:
            lo += 1
        toks = range(lo, bisect.bisect_left(starts, qe, first, stop))
        if not toks:
            continue
        if q.qualifier != "vague" and not any(ch.isdigit() for ch in q.text) and normalize_word(q.text).startswith("ال"):
            continue        # "الدول الثلاث": a definite reference counts nothing new
        out.append(_Count(_shift(q, s), toks[0], toks[-1]))
    return out


def _shift(q: Quantity, offset: int) -> Quantity:
    """The quantity with offsets into the article instead of the sentence."""
    return Quantity(q.start + offset, q.end + offset, q.text, q.value, q.low, q.high, q.qualifier, q.kind)


def _clause_ids(text, tokens, starts, first, stop, cats) -> dict[int, int]:
    """Token index -> clause number; clauses end at punctuation and at clause words ("فيما")."""
    opens = {m.first for m in cats if m.entry.form == "boundary"}    # tokens that open a new clause
    # punctuation between two tokens opens a clause at the token after it (one search per sentence)
    for p in _CLAUSE_PUNCT.finditer(text, tokens[first].end, tokens[stop - 1].start):
        opens.add(bisect.bisect_left(starts, p.start(), first, stop))
    opens.discard(first)
    clause, out = 0, {}
    for k in range(first, stop):
        if k in opens:
            clause += 1
        out[k] = clause
    return out


def _assign_groups(text, counts: list[_Count], subs, cats, tokens, first, stop, memory: _ArticleMemory) -> None:
    """The counted group of every count of the sentence (kzlib.groups): the count's own phrase, else
    "في صفوف Y" later in the clause, else the group of the count it is coordinated with."""
    groups = SentenceGroups(text, tokens, subs, stop)
    nested = [_is_nested(c, cats, first) for c in counts]
    for c, inner in zip(counts, nested):
        g = groups.head(c.first, c.last, memory.previous)
        if g is not None:
            c.group, c.own_group = g, True
            if not inner:       # "بينهم 4 نساء ... وأصيب 23 آخرون": others of the main count, not of the nested one
                memory.previous = g
    for idx, c in enumerate(counts):
        if c.group is None or (c.group.subject == "people" and c.group.start is None):
            # "بمقتل 9 وإصابة 240 في صفوف القوات الأمنية", "تسعة قتلى في صفوف الشرطة"
            limit = next((o.first for o in counts[idx + 1:] if o.own_group), stop)
            c.group = groups.ranks_after(c.last, limit) or c.group
        if c.group is None and idx and counts[idx - 1].group is not None \
                and _coordinated(text, tokens, counts[idx - 1], c, cats):
            c.group = counts[idx - 1].group._replace(head_last=None)
        if c.group is not None:
            c.subject = c.group.subject
            c.subject_last = c.group.head_last if c.own_group else None
            if not nested[idx]:
                memory.previous = c.group


def _coordinated(text, tokens, previous: _Count, c: _Count, cats) -> bool:
    """The count is joined to the one before it by و ("و15"، "وأصيب 12"، "وإصابة 240"), nothing but a
    category cue between them."""
    lo = (previous.subject_last if previous.subject_last is not None else previous.last) + 1
    group_end = previous.group.end if previous.group is not None and previous.group.end is not None else -1
    while lo < c.first and tokens[lo].start < group_end:
        lo += 1             # past the first count's partitive group ("21 فرداً من قوات الأمن وأصيب 500")
    between = range(lo, c.first)
    if text[:c.q.start].rstrip().endswith("و") or tokens[c.first].norm.startswith("و"):
        # "و 15" / "و15": the conjunction right before the number (the words before it belong to the first count)
        return True
    cue_tokens = {k for m in cats for k in range(m.first, m.last + 1)}
    joined = any(m.first == lo and m.prefix.startswith("و") for m in cats)
    return joined and all(k in cue_tokens for k in between)


def _gap(c: _Count, cue: Match, tokens, lex, count_tokens) -> int:
    """Content words between the count phrase and a cue (counted noun, "من", "على" ... not counted)."""
    if cue.last < c.first:
        span = range(cue.last + 1, c.first)
    else:
        span = range((c.subject_last if c.subject_last is not None else c.last) + 1, cue.first)
    return sum(1 for k in span if tokens[k].norm not in lex.transparent and k not in count_tokens)


_EVENT_FORMS = {"noun", "verb", "phrase"}


def _nearest_cue(c: _Count, idx, counts, cats, clause, tokens, lex, count_tokens):
    """The category cue of a count, "negated", or None."""
    best, best_key = None, None
    others = [o for o in counts if o is not c]
    for m in cats:
        if m.entry.form not in _EVENT_FORMS and m.entry.form != "counted_noun":
            continue
        if clause.get(m.first) != clause.get(c.first) and clause.get(m.last) != clause.get(c.last):
            continue
        if m.first <= c.last and m.last >= c.first:
            continue
        after = m.first > c.last
        if m.entry.form == "counted_noun":
            # a counted noun names what is counted only right after the number
            end = c.subject_last if c.subject_last is not None else c.last
            if not (after and (m.first == c.last + 1 or m.first <= end + 1)):
                continue
        # a count between this count and the cue owns the cue
        if after and any(c.last < o.first < m.first for o in others):
            continue
        if not after and any(m.last < o.first and o.last < c.first for o in others):
            continue
        # "... وإصابة 18": a cue joined by و right before another count belongs to that count
        if after and m.prefix.startswith("و") and any(0 <= o.first - m.last - 1 <= 1 for o in others):
            continue
        d = _gap(c, m, tokens, lex, count_tokens)
        if d > MAX_CUE_DISTANCE:
            continue
        # on a tie: events beat the counted noun ("مقتل 5 جنود"), which beats deployment words ("إرسال 3 طائرات");
        # attackers / troops words describe who acts, so the counted thing wins ("هاجموا 3 نقاط تفتيش")
        rank = 2 if m.entry.label in _ACTOR_CATEGORIES and m.entry.form != "counted_noun" else int(m.entry.form == "counted_noun")
        key = (d, rank, after)
        if best_key is None or key < best_key:
            best, best_key = m, key
    if best is not None and _negated(best, c, cats):
        return "negated"
    return best


def _negated(cue: Match, c: _Count, cats) -> bool:
    """"نفت الوزارة مقتل 5": a negation shortly before the cue; not "ما لا يقل عن 50 قتيلا" (the count between)."""
    return any(
        m.entry.form == "negation" and 0 <= cue.first - m.last - 1 < NEGATION_WINDOW and not (m.last < c.first and c.last < cue.first)
        for m in cats
    )


def _is_nested(c: _Count, cats, first) -> bool:
    """"من بينهم 19": a count inside the previous one."""
    return any(m.entry.form == "nested" and 0 <= c.first - m.last - 1 < NESTED_WINDOW for m in cats)


def _final_subject(c: _Count, speaker, gaz, subs, clause) -> str:
    if c.category in _FIXED_SUBJECT:
        return _FIXED_SUBJECT[c.category]
    subject = c.subject or "unspecified"
    if subject == "self":
        subject = (gaz.members(speaker) if speaker else None) or "unspecified"
    if c.category == "troops" and subject in ("people", "unspecified"):
        # "تعداد قوات حفظ السلام ... 2500 شخص": the force named earlier in the sentence
        named = [m.entry.label for m in subs if m.last < c.first and m.entry.label in ("peacekeepers", "security_forces")]
        if named:
            subject = named[-1]
    return subject
