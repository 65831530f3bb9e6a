"""Claims: a count (kzlib.numbers) + what was counted (categories.tsv) + whose (subjects.tsv) + who said it.

Per sentence of the article body (page furniture skipped), each count-kind quantity takes the nearest
category cue in its clause, before it ("مصرع 26", "ألقت القبض على أكثر من 100") or after it
("1300 عنصر أمن أصيبوا"); a cue joined by "و" that introduces the next count ("... وإصابة 18 آخرين")
belongs to that count. The counted noun right after the number gives the subject. Lexicons are
compiled once per process (the same code runs over large corpora).
"""

from __future__ import annotations

import bisect
import dataclasses
import gc
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from kzlib.attribution import Attributor, attribute, cue_lexicons, quoted_continuation
from kzlib.gazetteer import Entity, Lexicon, LexiconIndex, Match, load_gazetteer, read_tsv, tokenize
from kzlib.normalize import normalize, normalize_word
from kzlib.numbers import Quantity, may_be_quantity_word, quantities_of
from kzlib.paths import LEXICONS
from kzlib.segment import split_sentences

CLAIM_FIELDS = ("article_id", "category", "subject", "value", "low", "high", "qualifier",
                "attributed_to", "location", "start", "end", "quote", "sentence", "sentence_start", "sentence_end")

# A claim repeats its sentence so that a reader sees the evidence; a sentence longer than this (a scraped
# table, a transcript without full stops) is cut to this many characters around the quote, with "…" where it
# was cut. The whole sentence is text[sentence_start:sentence_end]; `sentence` is cut exactly when
# len(sentence) != sentence_end - sentence_start.
SENTENCE_MAX_CHARS = 1000
ELLIPSIS = "…"

MAX_CUE_DISTANCE = 5         # content words allowed between a count and its category cue
NEGATION_WINDOW = 3          # words before a cue in which a negation cancels it
NESTED_WINDOW = 3            # words before a count in which "من بينهم" makes it a nested count
_PERSON_SUBJECTS = {"protesters", "security_forces", "militants", "civilians", "peacekeepers", "foreigners", "people"}
_ACTOR_CATEGORIES = {"troops", "attackers"}
_FIXED_SUBJECT = {"aircraft": "aircraft", "checkpoints": "checkpoints"}
_start_of = itemgetter(1)    # Token.start, C-level for map()
_CLAUSE_PUNCT = re.compile(r"[،,؛;:.!?؟\n]")


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
    sentence_start: int = -1      # offsets of the whole sentence in the article text
    sentence_end: int = -1

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
    sub_rows = read_tsv(LEXICONS / "subjects.tsv")
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


def extract_text(text: str, article_id: str = "text") -> list[Claim]:
    """Claims of a bare text (all of it is body)."""
    return _extract(text, article_id, [(0, len(text))], outlet=None)


def extract_claims(article) -> list[Claim]:
    """Claims of a kzlib.corpus.Article, its furniture skipped; offsets into article.text."""
    return _extract(article.text, article.id, article.body_spans(), outlet=getattr(article, "outlet", None))


BLOCK_CHARS = 1_000_000     # an article longer than this is read in blocks of whole lines (memory, see _blocks)


def _extract(text: str, article_id: str, body_spans, outlet: str | None) -> list[Claim]:
    # One article allocates thousands of small tuples (tokens, matches) that live until it is done and are
    # then freed by reference counting; the cyclic collector would scan them several times per article
    # (about 9% of the time, measured). It is paused for the article and resumed after (as Mercurial's
    # util.nogc does); left alone when the caller has already disabled it.
    if not gc.isenabled():
        return _extract_blocks(text, article_id, body_spans, outlet)
    gc.disable()
    try:
        return _extract_blocks(text, article_id, body_spans, outlet)
    finally:
        gc.enable()


class _Carry:
    """What runs from one block of an article to the next: the speaker history and the last cues."""

    def __init__(self):
        self.history: list = []
        self.previous_cues: list = []
        self.previous_end = 0           # offset into the whole article
        self.tail = ""                  # the previous block from 2 characters before its last sentence's end
        self.named: set[str] = set()    # ids the whole article names (gazetteer context variants)


def _extract_blocks(text: str, article_id: str, body_spans, outlet: str | None) -> list[Claim]:
    """Claims of an article, block by block: the tokens, names and folded text of a block are built and
    dropped before the next (a 50 MB article held as tokens took 45× its size). Blocks end at line breaks,
    which always end a sentence, and the speaker history runs on: the claims are those of one pass."""
    body_spans = list(body_spans)
    if not body_spans or body_spans[-1][1] - body_spans[0][0] <= BLOCK_CHARS:
        return _extract_article(text, article_id, body_spans, outlet)
    carry, claims = _Carry(), []
    blocks = list(_blocks(text, body_spans, BLOCK_CHARS))
    gaz = load_gazetteer()
    for block_start, block_end, _ in blocks:     # a first pass: the names the whole article holds
        block = text[block_start:block_end]
        carry.named |= gaz.named_ids(tokenize(block, normalize(block)))
    for block_start, block_end, spans in blocks:
        local = _extract_article(text[block_start:block_end], article_id, spans, outlet, carry, block_start)
        claims.extend(dataclasses.replace(c, start=c.start + block_start, end=c.end + block_start,
                                          sentence_start=c.sentence_start + block_start,
                                          sentence_end=c.sentence_end + block_start) for c in local)
    return claims


def _blocks(text: str, body_spans, limit: int):
    """(block start, block end, body spans relative to the block): consecutive stretches of the body of at
    most `limit` characters, cut only after a line break (a longer line is a block of its own)."""
    pieces = []
    for bs, be in body_spans:
        while be - bs > limit:
            cut = text.rfind("\n", bs, bs + limit)
            if cut < 0:
                cut = text.find("\n", bs + limit, be)
                if cut < 0:
                    break
            pieces.append((bs, cut + 1))
            bs = cut + 1
        if be > bs:
            pieces.append((bs, be))
    block: list[tuple[int, int]] = []
    for piece in pieces:
        if block and piece[1] - block[0][0] > limit:
            yield block[0][0], block[-1][1], [(a - block[0][0], b - block[0][0]) for a, b in block]
            block = []
        block.append(piece)
    if block:
        yield block[0][0], block[-1][1], [(a - block[0][0], b - block[0][0]) for a, b in block]


def _extract_article(text: str, article_id: str, body_spans, outlet: str | None, carry: _Carry | None = None,
                     base: int = 0) -> list[Claim]:
    """Claims of `text` (an article, or a block of one starting at offset `base` of the article)."""
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
    entities, entity_firsts, entity_lasts = gaz.find_indexed(text, tokens, actor_starts,
                                                             named=carry.named if carry is not None else None)
    entity_starts, entity_ends = [en.start for en in entities], [en.end for en in entities]
    attributor = Attributor(gaz, tokens, entities, starts, (entity_firsts, entity_lasts), (verb_starts, source_starts))
    claims: list[Claim] = []
    previous_cues, previous_end = [], 0
    if carry is not None:
        attributor.history = carry.history      # the same list: the history runs through the blocks
        previous_cues, previous_end = carry.previous_cues, carry.previous_end - base
    for bs, be in body_spans:
        for ss, se in split_sentences(text[bs:be]):
            s, e = bs + ss, bs + se
            first, stop = bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)
            # every sentence is read for cues: the speaker history runs through the article
            cues = attributor.sentence_cues(first, stop)
            if not cues:
                if previous_end < 0:     # the previous sentence is in the previous block
                    cues = _continuation_across(carry, previous_cues, text, s)
                else:
                    cues = quoted_continuation(text, previous_cues, previous_end, s)
            previous_cues, previous_end = cues, e
            k = bisect.bisect_left(number_words, first)
            if k == len(number_words) or number_words[k] >= stop:
                continue        # no word of the sentence may be a number: no claim, not searched
            in_sentence = entities[bisect.bisect_right(entity_ends, s):bisect.bisect_left(entity_starts, e)]
            claims.extend(_sentence_claims(text, normalized, article_id, s, e, tokens, starts, first, stop, in_sentence,
                                          cues, lex, gaz, outlet, cat_starts, sub_starts))
    if carry is not None:
        carry.previous_cues, carry.previous_end = previous_cues, previous_end + base
        carry.tail = text[max(0, previous_end - 2):]      # what quoted_continuation reads across the cut
    return claims


def _continuation_across(carry: _Carry, previous_cues, text: str, s: int):
    """quoted_continuation for the first sentence of a block: what lies between the previous sentence (in
    the previous block) and this one is the previous block's tail followed by this block's start."""
    joined = carry.tail + text[:s + 1]
    cues = quoted_continuation(joined, previous_cues, 2, len(carry.tail) + s)
    return [c._replace(start=s, end=s) for c in cues]


def _sentence_claims(text, normalized, article_id, s, e, tokens, starts, first, stop, entities, cues, lex, gaz,
                     outlet, cat_starts=None, sub_starts=None) -> list[Claim]:
    """Claims of the sentence text[s:e]; `entities` are those overlapping it.

    Every per-count search below looks a count's cues, subjects and places up in indexes built once per
    sentence, so a sentence with n words and many counts costs O(n log n), not O(n²) (issue 15: one
    unpunctuated megabyte)."""
    sentence = text[s:e]
    counts = _counts(normalized, s, sentence, tokens, starts, first, stop, entities)
    if not counts:
        return []
    cats = lex.categories.find_all(tokens, first, stop, cat_starts)
    subs = lex.subjects.find_all(tokens, first, stop, sub_starts)
    clause = _clause_ids(text, tokens, starts, first, stop, cats)
    count_tokens = {k for c in counts for k in range(c.first, c.last + 1)}
    index = _SentenceIndex(counts, cats, subs, tokens, first, stop, lex, count_tokens)
    places = [en for en in entities if en.type == "place" and s <= en.start and en.end <= e]
    place_index = _places_by_clause(text, places, tokens, starts, first, stop, clause)
    cue_window = _cue_windows(cues)
    out: list[Claim] = []
    previous: _Count | None = None
    for idx, c in enumerate(counts):
        _assign_subject(c, index, tokens, stop, lex, previous)
        cue = _nearest_cue(c, idx, counts, cats, clause, tokens, lex, count_tokens, index)
        if cue == "negated":
            previous = c
            continue
        nested = _is_nested(c, index)
        if nested and previous is not None and previous.category:
            c.category = previous.category
        elif cue is not None:
            c.category = cue.entry.label
        elif c.subject in _PERSON_SUBJECTS:
            c.category = "other"
        if c.category is None:
            previous = c
            continue
        speaker = attribute(cue_window(c.q.start, c.q.end), c.q.start, c.q.end)
        if speaker is not None and speaker == outlet:
            speaker = None          # the outlet reporting is never the attribution
        subject = _final_subject(c, speaker, gaz, index)
        end = c.q.end
        if c.subject_last is not None:
            end = max(end, tokens[c.subject_last].end)
        if cue is not None and cue.first > c.last and _gap(c, cue, tokens, lex, count_tokens, index) == 0:
            end = max(end, tokens[cue.last].end)
        out.append(Claim(
            article_id=article_id, category=c.category, subject=subject,
            value=_num(c.q.value), low=_num(c.q.low), high=_num(c.q.high), qualifier=c.q.qualifier,
            attributed_to=speaker, location=_nearest_place(place_index, c, clause),
            start=c.q.start, end=end, quote=text[c.q.start:end],
            sentence=sentence if e - s <= SENTENCE_MAX_CHARS else sentence_excerpt(text, s, e, c.q.start, end),
            sentence_start=s, sentence_end=e,
        ))
        previous = c
    return out


def _cue_windows(cues):
    """A function (claim_start, claim_end) -> the cues kzlib.attribution.attribute needs to see for that
    claim: the last cue ending before it, the first starting after it and any in between. attribute scans
    its whole list; a long sentence holds many cues and many claims. Cues in text order (they are: one per
    reporting word, left to right) allow the window; otherwise every cue is passed."""
    starts, ends = [c.start for c in cues], [c.end for c in cues]
    if len(cues) < 8 or starts != sorted(starts) or ends != sorted(ends):
        return lambda start, end: cues

    def window(start: int, end: int):
        before = bisect.bisect_right(ends, start)     # cues[:before] end at or before the claim's start
        after = bisect.bisect_left(starts, end)       # cues[after:] start at or after its end
        return cues[max(0, before - 1):after + 1]
    return window


def sentence_excerpt(text: str, s: int, e: int, quote_start: int, quote_end: int,
                     limit: int = SENTENCE_MAX_CHARS) -> str:
    """text[s:e] cut to at most `limit` characters (ellipses included) around [quote_start, quote_end)."""
    if e - s <= limit:
        return text[s:e]
    room = max(limit - 2 - (quote_end - quote_start), 0)      # two ellipses at most
    lo = max(s, quote_start - room // 2)
    hi = min(e, max(quote_end, lo + limit - 2))
    lo = max(s, min(lo, hi - (limit - 2)))
    return (ELLIPSIS if lo > s else "") + text[lo:hi] + (ELLIPSIS if hi < e else "")


class _SentenceIndex:
    """Lookups over one sentence's counts and matches, built once: the nearest other counts, cues by
    their first token, negation / nested words by their last token, subject words by their first token,
    and the number of content words before each token (so a gap is a subtraction)."""

    def __init__(self, counts, cats, subs, tokens, first, stop, lex, count_tokens):
        self.firsts = sorted(c.first for c in counts)
        self.first_set = set(self.firsts)
        by_last = sorted(counts, key=lambda c: c.last)
        self.lasts = [c.last for c in by_last]
        self.max_first_upto = []            # max(first) over the counts whose last is <= lasts[i]
        best = -1
        for c in by_last:
            best = max(best, c.first)
            self.max_first_upto.append(best)
        self.cats = cats
        self.cat_firsts = [m.first for m in cats]
        self.cat_span = max((m.last - m.first for m in cats), default=0)
        self.negations_by_last: dict[int, list] = {}
        self.nested_lasts: set[int] = set()
        for m in cats:
            if m.entry.form == "negation":
                self.negations_by_last.setdefault(m.last, []).append(m)
            elif m.entry.form == "nested":
                self.nested_lasts.add(m.last)
        self.sub_at: dict[int, Match] = {}
        for m in subs:
            self.sub_at.setdefault(m.first, m)
        # (last token, label) of the forces named in the sentence, for "تعداد قوات حفظ السلام ... 2500 شخص"
        self.forces = [(m.last, m.entry.label) for m in subs if m.entry.label in ("peacekeepers", "security_forces")]
        self.force_lasts = [last for last, _ in self.forces]
        self.first = first
        content, running = [0], 0
        transparent = lex.transparent
        for k in range(first, stop):
            running += tokens[k].norm not in transparent and k not in count_tokens
            content.append(running)
        self.content = content

    def content_words(self, lo: int, hi: int) -> int:
        """Content words among tokens[lo:hi]."""
        if hi <= lo:
            return 0
        return self.content[hi - self.first] - self.content[lo - self.first]

    def next_first_after(self, last: int) -> int | None:
        """The first token of the nearest count starting after token `last`."""
        i = bisect.bisect_right(self.firsts, last)
        return self.firsts[i] if i < len(self.firsts) else None

    def latest_first_before(self, first: int) -> int | None:
        """The largest first token among the counts that end before token `first`."""
        i = bisect.bisect_left(self.lasts, first)
        return self.max_first_upto[i - 1] if i else None


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
    # entities come left to right, never overlapping: the one that may hold a quantity is the last one
    # starting at or before it (bisection, not a scan of every entity per quantity)
    inside_starts, inside_ends = [en.start for en in entities], [en.end for en in entities]
    out = []
    for q in quantities:
        if q.kind != "count":
            continue
        qs, qe = s + q.start, s + q.end
        holder = bisect.bisect_right(inside_starts, qs) - 1
        if holder >= 0 and qe <= inside_ends[holder]:
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


def _assign_subject(c: _Count, index: "_SentenceIndex", tokens, stop, lex, previous) -> None:
    """The counted noun right after the number, optionally after "من" ("7 من أفرادها")."""
    k = c.last + 1
    if k < stop and tokens[k].norm in lex.transparent and tokens[k].norm == normalize_word("من"):
        k += 1
    m = index.sub_at.get(k)
    if m is None:
        return
    label = m.entry.label
    if label == "inherit":
        label = previous.subject if previous is not None else "unspecified"
    c.subject, c.subject_last = label, m.last
    # "26 مجرما مسلحا": several subject words in a row form one counted phrase
    nxt = index.sub_at.get(m.last + 1)
    if nxt is not None and nxt.entry.label == m.entry.label:
        c.subject_last = nxt.last


def _gap(c: _Count, cue: Match, tokens, lex, count_tokens, index: "_SentenceIndex | None" = None) -> int:
    """Content words between the count phrase and a cue (counted noun, "من", "على" ... not counted)."""
    if cue.last < c.first:
        lo, hi = cue.last + 1, c.first
    else:
        lo, hi = (c.subject_last if c.subject_last is not None else c.last) + 1, cue.first
    if index is not None:
        return index.content_words(lo, hi)
    return sum(1 for k in range(lo, hi) if tokens[k].norm not in lex.transparent and k not in count_tokens)


_EVENT_FORMS = {"noun", "verb", "phrase"}


def _nearest_cue(c: _Count, idx, counts, cats, clause, tokens, lex, count_tokens, index: "_SentenceIndex"):
    """The category cue of a count, "negated", or None.

    Only the cues between the nearest other counts can be this count's (a count between a count and a cue
    owns the cue), so only those are visited: found by bisection in `index`."""
    best, best_key = None, None
    next_first = index.next_first_after(c.last)       # no cue after this count's next one is its
    barrier = index.latest_first_before(c.first)       # no cue before the previous count's start is its
    lo = 0 if barrier is None else bisect.bisect_left(index.cat_firsts, barrier - index.cat_span)
    hi = len(cats) if next_first is None else bisect.bisect_right(index.cat_firsts, next_first)
    for m in cats[lo:hi]:
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
        if after and next_first is not None and next_first < m.first:
            continue
        if not after and barrier is not None and barrier > m.last:
            continue
        # "... وإصابة 18": a cue joined by و right before another count belongs to that count
        if after and m.prefix.startswith("و") and (m.last + 1 in index.first_set or m.last + 2 in index.first_set):
            continue
        d = _gap(c, m, tokens, lex, count_tokens, index)
        if d > MAX_CUE_DISTANCE:
            continue
        # on a tie: events beat the counted noun ("مقتل 5 جنود"), which beats deployment words ("إرسال 3 طائرات");
        # attackers / troops words describe who acts, so the counted thing wins ("هاجموا 3 نقاط تفتيش")
        rank = 2 if m.entry.label in _ACTOR_CATEGORIES and m.entry.form != "counted_noun" else int(m.entry.form == "counted_noun")
        key = (d, rank, after)
        if best_key is None or key < best_key:
            best, best_key = m, key
    if best is not None and _negated(best, c, index):
        return "negated"
    return best


def _negated(cue: Match, c: _Count, index: "_SentenceIndex") -> bool:
    """"نفت الوزارة مقتل 5": a negation shortly before the cue; not "ما لا يقل عن 50 قتيلا" (the count between)."""
    return any(
        not (m.last < c.first and c.last < cue.first)
        for last in range(cue.first - NEGATION_WINDOW, cue.first)
        for m in index.negations_by_last.get(last, ())
    )


def _is_nested(c: _Count, index: "_SentenceIndex") -> bool:
    """"من بينهم 19": a count inside the previous one."""
    return any(last in index.nested_lasts for last in range(c.first - NESTED_WINDOW, c.first))


def _final_subject(c: _Count, speaker, gaz, index: "_SentenceIndex") -> str:
    if c.category in _FIXED_SUBJECT:
        return _FIXED_SUBJECT[c.category]
    subject = c.subject or "unspecified"
    if subject == "self":
        subject = (gaz.members(speaker) if speaker else None) or "unspecified"
    if c.category == "troops" and subject in ("people", "unspecified"):
        # "تعداد قوات حفظ السلام ... 2500 شخص": the force named earlier in the sentence
        named = bisect.bisect_left(index.force_lasts, c.first)     # the forces named before the count
        if named:
            subject = index.forces[named - 1][1]
    return subject


def _places_by_clause(text: str, entities: list[Entity], tokens, starts, first, stop, clause) -> dict:
    """clause -> ([token of each place], [place id]) in text order: the places after "في" (or ب-) that may
    be where a count of that clause happened."""
    loc_words = _locative_words()
    by_clause: dict[int, tuple[list[int], list[str]]] = {}
    lo, hi = tokens[first].start, tokens[stop - 1].end
    for en in entities:
        if en.type != "place" or en.start < lo or en.end > hi:
            continue
        k = bisect.bisect_right(starts, en.start, first, stop) - 1
        tok = tokens[k]
        prefix_b = tok.start < en.start and normalize_word(text[tok.start:en.start]).endswith("ب")
        before = [tokens[j].norm for j in range(max(first, k - 2), k)]
        if not (prefix_b or any(w in loc_words for w in before)):
            continue
        ks, ids = by_clause.setdefault(clause.get(k), ([], []))
        ks.append(k)
        ids.append(en.id)
    return by_clause


def _nearest_place(by_clause: dict, c: _Count, clause) -> str | None:
    """The place of the count's clause nearest to it (in tokens; the earlier one on a tie)."""
    hit = by_clause.get(clause.get(c.first))
    if not hit:
        return None
    ks, ids = hit
    i = bisect.bisect_left(ks, c.first)
    right = i if i < len(ks) else None
    left = bisect.bisect_left(ks, ks[i - 1]) if i > 0 else None     # the first place at that token
    if left is None:
        return ids[right]
    if right is None or c.first - ks[left] <= ks[right] - c.first:
        return ids[left]
    return ids[right]


@lru_cache(maxsize=1)
def _locative_words() -> frozenset[str]:
    return frozenset(normalize_word(r["term"]) for r in read_tsv(LEXICONS / "categories.tsv") if r["form"] == "locative")
