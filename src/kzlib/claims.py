"""Claims: a count (kzlib.numbers) + what was counted (categories.tsv) + whose (subjects.tsv) + who said it.

Per sentence of the article body (page furniture skipped), each count-kind quantity takes the nearest
category cue in its clause, before it ("مصرع 26", "ألقت القبض على أكثر من 100") or after it
("1300 عنصر أمن أصيبوا"); a cue joined by "و" that introduces the next count ("... وإصابة 18 آخرين")
belongs to that count. The counted noun right after the number gives the subject. Lexicons are
compiled once per process (the same code runs over large corpora).

The work is a list of steps over one annotated document (kzlib.doc.Doc): each reads the layers it needs
and adds one (PIPELINE below); `claims_of(doc)` turns the layers into Claims.
"""

from __future__ import annotations

import bisect
import dataclasses
import re
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter
from typing import NamedTuple

from kzlib.attribution import attribute, category_lexicon, cue_lexicons, find_cues
from kzlib.doc import Doc, Sentence, Span, run
from kzlib.gazetteer import Lexicon, LexiconIndex, load_gazetteer, tokenize
from kzlib.groups import DUAL_ENDINGS, Group, SentenceGroups, dual_clitic
from kzlib.places import (NATIONWIDE, anaphor_tokens, choose as choose_place, dateline, learned_names, listed_places,
                          sentence_places)
from kzlib.normalize import normalize, normalize_word
from kzlib.numbers import Quantity, may_be_quantity_word, quantities_of
from kzlib.lexicon_files import lexicon_rows
from kzlib.segment import split_sentences
from kzlib.speakers import head_lexicon

CLAIM_FIELDS = ("article_id", "category", "subject", "value", "low", "high", "qualifier",
                "attributed_to", "source_text", "source_start", "source_end", "source_type",
                "location", "start", "end", "quote", "sentence", "sentence_start", "sentence_end",
                "subject_detail", "subject_text", "subject_start", "subject_end",
                "location_text", "location_start", "location_end")

# A claim repeats its sentence so that a reader sees the evidence; a sentence longer than this (a scraped
# table, a transcript without full stops) is cut to this many characters around the quote, with "…" where it
# was cut. The whole sentence is text[sentence_start:sentence_end]; `sentence` is cut exactly when
# len(sentence) != sentence_end - sentence_start.
SENTENCE_MAX_CHARS = 1000
ELLIPSIS = "…"

MAX_CUE_DISTANCE = 5         # content words allowed between a count and its category cue
TOLL_DISTANCE = 12           # ... when a toll verb links "عدد/حصيلة + category word" to the count after it
NEGATION_WINDOW = 3          # words before a cue in which a negation cancels it
PARTITIVE_PENALTY = 2       # distance added to a category word inside the count's partitive ("من الموقوفين")
NESTED_WINDOW = 3            # words before a count in which "من بينهم" makes it a nested count
_PERSON_SUBJECTS = {"protesters", "security_forces", "militants", "civilians", "peacekeepers", "foreigners", "people"}
_ACTOR_CATEGORIES = {"troops", "attackers"}
_FIXED_SUBJECT = {"aircraft": "aircraft", "checkpoints": "checkpoints"}
# a comma or point between digits ("1,300", "6.9") is part of a number, not the end of a clause (the lookahead
# first: the regex engine then skips the other characters at once instead of trying each branch on them)
_CLAUSE_PUNCT = re.compile(r"(?=[،؛;:!?؟\n,.])(?:[،؛;:!?؟\n]|(?<!\d)[,.]|[,.](?!\d))")
_SEMICOLON = re.compile(r"[؛;]")
_OF = normalize_word("من")


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
    source_text: str | None      # the speaker as written, at the mention attributed_to was resolved to
    source_start: int | None     # its offsets in the original text
    source_end: int | None
    source_type: str | None      # VOCABULARY.md source types (ministry, police, medical_source ...)
    location: str | None
    start: int
    end: int
    quote: str
    sentence: str
    sentence_start: int = -1      # offsets of the whole sentence in the article text
    sentence_end: int = -1
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
class _ExtractionLexicons:
    categories: Lexicon
    subjects: Lexicon
    transparent: frozenset[str]
    index: LexiconIndex      # actors, reporting verbs, source phrases, categories, subjects, number words, speaker heads


@lru_cache(maxsize=1)
def _extraction_lexicons() -> _ExtractionLexicons:
    # subjects.tsv: the special rows (self, inherit, casualty nouns, things); groups.tsv: groups with fine ids
    sub_rows = lexicon_rows("subjects") + lexicon_rows("groups")
    # words that neither count as distance nor end a count phrase: "القبض على أكثر من 100"
    transparent = frozenset(normalize_word(w) for w in ("من", "على", "عن", "عدد", "نحو", "بلغ", "إلى"))
    categories, subjects = category_lexicon(), Lexicon.from_rows(sub_rows, "subject")
    index = LexiconIndex([load_gazetteer().lexicon, *cue_lexicons(), categories, subjects, may_be_quantity_word,
                          head_lexicon()])
    return _ExtractionLexicons(categories, subjects, transparent, index)


def extract_text(text: str, article_id: str = "text") -> list[Claim]:
    """Claims of a bare text (all of it is body)."""
    return _extract_blocks(text, article_id, [(0, len(text))], None)


def extract_claims(article) -> list[Claim]:
    """Claims of a kzlib.corpus.Article, its furniture skipped; offsets into article.text."""
    return _extract_blocks(article.text, article.id, article.body_spans(), getattr(article, "outlet", None))


BLOCK_CHARS = 1_000_000     # an article longer than this is read in blocks of whole lines (memory, see _blocks)
_OFFSET_FIELDS = ("start", "end", "sentence_start", "sentence_end", "source_start", "source_end",
                  "subject_start", "subject_end", "location_start", "location_end")
_named_elsewhere: ContextVar[frozenset[str] | None] = ContextVar("named_elsewhere", default=None)
_not_opening: ContextVar[bool] = ContextVar("not_opening", default=False)    # a block after the first


def _extract_blocks(text: str, article_id: str, body_spans, outlet: str | None) -> list[Claim]:
    """Claims of an article; one longer than BLOCK_CHARS block by block: the document of a block (tokens,
    names, folded text) is built and dropped before the next (a 50 MB article held as tokens took 45× its
    size). Blocks end at line breaks, which always end a sentence; the names the whole article holds are
    found first (gazetteer context variants). Each block is read with the block before it as context (its
    claims are dropped: they are that block's), so a speaker, a group or a quote carries over one block
    boundary; what lies further back (more than BLOCK_CHARS before) is not seen."""
    body_spans = list(body_spans)
    if not body_spans or body_spans[-1][1] - body_spans[0][0] <= BLOCK_CHARS:
        return _extract(text, article_id, body_spans, outlet)
    blocks = list(_blocks(text, body_spans, BLOCK_CHARS))
    claims: list[Claim] = []
    token = _named_elsewhere.set(_article_names(text, blocks))
    try:
        for k in range(len(blocks)):
            claims.extend(_block_claims(text, article_id, blocks, k, outlet))
    finally:
        _named_elsewhere.reset(token)
    return claims


def _article_names(text: str, blocks) -> frozenset[str]:
    """A first pass: the gazetteer names the whole article holds."""
    gaz, named = load_gazetteer(), set()
    for block_start, block_end, _ in blocks:
        block = text[block_start:block_end]
        named |= gaz.named_ids(tokenize(block, normalize(block)))
    return frozenset(named)


def _block_claims(text: str, article_id: str, blocks, k: int, outlet: str | None) -> list[Claim]:
    """The claims of block k, read with block k - 1 before it as context; offsets into the article."""
    block_start, block_end, spans = blocks[k]
    doc_start = blocks[k - 1][0] if k else block_start
    context = [(a + blocks[k - 1][0] - doc_start, b + blocks[k - 1][0] - doc_start) for a, b in blocks[k - 1][2]] if k else []
    own = [(a + block_start - doc_start, b + block_start - doc_start) for a, b in spans]
    dateline_token = _not_opening.set(k > 0)       # a dateline opens the article, not a block
    try:
        local = _extract(text[doc_start:block_end], article_id, context + own, outlet)
    finally:
        _not_opening.reset(dateline_token)
    return [_shifted(c, doc_start) for c in local if c.start >= block_start - doc_start]


def _shifted(claim: Claim, offset: int) -> Claim:
    """The claim with every offset moved by `offset`."""
    return dataclasses.replace(claim, **{f: getattr(claim, f) + offset for f in _OFFSET_FIELDS
                                         if getattr(claim, f) is not None})


def _blocks(text: str, body_spans, limit: int):
    """(block start, block end, body spans relative to the block): consecutive stretches of the body of at
    most `limit` characters, cut only after a line break (a longer line is a block of its own)."""
    block: list[tuple[int, int]] = []
    for piece in _line_pieces(text, body_spans, limit):
        if block and piece[1] - block[0][0] > limit:
            yield block[0][0], block[-1][1], [(a - block[0][0], b - block[0][0]) for a, b in block]
            block = []
        block.append(piece)
    if block:
        yield block[0][0], block[-1][1], [(a - block[0][0], b - block[0][0]) for a, b in block]


def _line_pieces(text: str, body_spans, limit: int) -> list[tuple[int, int]]:
    """The body spans cut after line breaks into pieces of at most `limit` characters where a line allows."""
    pieces = []
    for bs, be in body_spans:
        while be - bs > limit:
            cut = _line_cut(text, bs, be, limit)
            if cut < 0:
                break
            pieces.append((bs, cut + 1))
            bs = cut + 1
        if be > bs:
            pieces.append((bs, be))
    return pieces


def _line_cut(text: str, bs: int, be: int, limit: int) -> int:
    """The last line break within `limit` characters of bs, else the first one after; -1 when none."""
    cut = text.rfind("\n", bs, bs + limit)
    return cut if cut >= 0 else text.find("\n", bs + limit, be)


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


def _extract(text: str, article_id: str, body_spans, outlet: str | None) -> list[Claim]:
    return claims_of(run(Doc(text, article_id, body_spans, outlet), PIPELINE))


# --- the steps: each reads layers of the document and adds one ----------------------------------

def read_sentences(doc: Doc) -> None:
    """doc.sentences: the sentences of the body spans, with their token ranges; a sentence longer than
    ANALYSIS_MAX_CHARS is read as pieces (see analysis_pieces)."""
    starts, text, sentences = doc.token_starts, doc.text, doc.sentences
    if not text:
        return
    for bs, be in doc.body_spans:
        for ss, se in split_sentences(text[bs:be]):
            s, e = bs + ss, bs + se
            if e - s <= ANALYSIS_MAX_CHARS:       # nearly every sentence: read whole
                first = bisect.bisect_left(starts, s)
                sentences.append(Sentence(s, e, first, bisect.bisect_left(starts, e, first)))
                continue
            for ps, pe in analysis_pieces(text, s, e):
                # a claim's sentence_start/sentence_end stay those of the whole sentence
                doc.memo.setdefault("whole_sentence", {})[len(sentences)] = (s, e)
                sentences.append(Sentence(ps, pe, bisect.bisect_left(starts, ps), bisect.bisect_left(starts, pe)))


# The rules compare every count of a sentence with the words and counts around it, so one sentence of n words
# costs more than n. News sentences stay far below this (the longest of the seeds, the dev set and 10,000
# synthetic articles: 313, 256 and 712 characters); a scraped table or a transcript without full stops does
# not, and is read in pieces of at most this many characters, cut after a clause mark (، ؛ , ; :) or else at a
# space, so that extraction time grows linearly with such text (benchmarks/bench_robustness.py). A piece is
# read as a sentence of its own (a count and a cue on two sides of a cut are not joined); the claim still
# names the whole sentence (sentence_start/sentence_end, and `sentence` cut around the quote from it).
ANALYSIS_MAX_CHARS = 1000
_CLAUSE_MARKS = "،؛,;:"


def analysis_pieces(text: str, s: int, e: int, limit: int = ANALYSIS_MAX_CHARS) -> list[tuple[int, int]]:
    """[(s, e)] for a sentence up to `limit` characters; else consecutive pieces of at most `limit`."""
    pieces = []
    while e - s > limit:
        window = text[s + limit // 2:s + limit]
        cut = max(window.rfind(mark) for mark in _CLAUSE_MARKS)
        if cut < 0:
            cut = window.rfind(" ")
        cut = s + limit // 2 + cut + 1 if cut >= 0 else s + limit
        pieces.append((s, cut))
        s = cut
    pieces.append((s, e))
    return pieces


_CANDIDATES = ("actors", "verbs", "sources", "categories", "subjects", "numbers", "heads")


def index_words(doc: Doc) -> None:
    """doc.candidates: one lookup per word gives where actors, cues, categories, subjects may start and
    which words may be numbers (the later steps visit only those tokens)."""
    doc.candidates.update(zip(_CANDIDATES, _extraction_lexicons().index.starts(doc.tokens, doc.words)))


def find_entities(doc: Doc, gazetteer=None) -> None:
    """Layer "entities": gazetteer actors and places (label = id, attrs type), left to right, never overlapping."""
    gaz = load_gazetteer() if gazetteer is None else gazetteer
    starts = doc.candidates.get("actors") if gazetteer is None else None
    doc.add("entities", [Span(start, end, first, last, id, {"type": type})
                         for id, type, start, end, first, last in gaz.mentions(doc.text, doc.tokens, starts, named=_named_elsewhere.get())])


def find_numbers(doc: Doc) -> None:
    """Layer "numbers": count-kind quantities (label = qualifier, attrs quantity, sentence), in sentences
    where some word may be a number (the others are not searched)."""
    number_words, duals = doc.candidates["numbers"], _dual_words(doc)
    firsts = list(map(_first, doc.sentences))
    numbered, dualled = _sentences_holding(doc, firsts, number_words), _sentences_holding(doc, firsts, duals)
    out: list[Span] = []
    # the other sentences hold no word that may be a number: no claim, not searched (a few words of an
    # article may be numbers: the sentence of each is found by bisection, not every sentence searched)
    for k in sorted(numbered | dualled):
        out += _sentence_numbers(doc, k, doc.sentences[k], k in numbered, duals if k in dualled else [])
    doc.add("numbers", out)


_first = itemgetter(2)       # Sentence.first and Span.first (both the third field), C-level for map()


def _sentences_holding(doc: Doc, firsts: list[int], indexes: list[int]) -> set[int]:
    """Numbers of the sentences (whose first tokens are `firsts`) holding one of the token indexes."""
    held = set()
    for t in indexes:
        k = bisect.bisect_right(firsts, t) - 1
        if k >= 0 and t < doc.sentences[k].stop:
            held.add(k)
    return held


def _sentence_numbers(doc: Doc, k: int, sentence: Sentence, numbered: bool, duals: list[int]) -> list[Span]:
    """The "numbers" spans of sentence k: its counts (when some word may be a number) and its duals."""
    s, e = sentence.start, sentence.end
    entities = doc.layer("entities")
    # entities overlapping the sentence: a number inside a name ("خبر 24") is not a count
    lo = bisect.bisect_right(entities, s, key=_span_end)
    inside = [(en.start, en.end) for en in entities[lo:bisect.bisect_left(entities, e, lo, key=_span_start)]]
    found = [Span(q.start, q.end, qfirst, qlast, q.qualifier, {"quantity": q, "sentence": k})
             for q, qfirst, qlast in (_counts(doc, sentence, inside) if numbered else ())]
    if duals:
        taken = {t for n in found for t in range(n.first, n.last + 1)}
        d = bisect.bisect_left(duals, sentence.first)
        for t in duals[d:bisect.bisect_left(duals, sentence.stop, d)]:
            span = _dual_count(doc, t, sentence.stop, inside, taken, k)
            if span is not None:
                found.append(span)
        found.sort(key=_span_start)
    return found


_TWO = frozenset(normalize_word(w) for w in ("اثنان", "اثنين", "اثنتان", "اثنتين"))


def _dual_words(doc: Doc) -> list[int]:
    """Tokens that may be a dual of a counted noun ("جنديين", "طفلان"), among the words where a group or
    category entry may start (groups.dual_clitic)."""
    tokens = doc.tokens
    ending = {t for starts in (doc.candidates.get("subjects", ()), doc.candidates.get("categories", ()))
              for t in starts if tokens[t].norm.endswith(DUAL_ENDINGS)}
    return sorted(t for t in ending if dual_clitic(tokens[t].norm) >= 0)


def _dual_count(doc: Doc, t: int, stop: int, inside, taken: set[int], sentence: int) -> Span | None:
    """A dual noun as a count of two ("مقتل طفلين" -> 2), the noun its own counted phrase; not inside a name
    ("طالبان"), not when a numeral follows ("قاصرين اثنين": the numeral is the count)."""
    tok = doc.tokens[t]
    if t in taken or t + 1 < stop and doc.tokens[t + 1].norm in _TWO:
        return None
    start = tok.start + dual_clitic(tok.norm) if tok.end - tok.start == len(tok.norm) else tok.start
    if any(a <= start and tok.end <= b for a, b in inside):
        return None
    q = Quantity(start, tok.end, doc.text[start:tok.end], 2.0, 2.0, 2.0, "exact", "count")
    return Span(start, tok.end, t, t, "exact", {"quantity": q, "sentence": sentence, "dual": True})


def _count_sentences(doc: Doc) -> list[tuple[Sentence, list[int]]]:
    """(sentence, indexes of its counts in "numbers") for every sentence holding a count, in order
    (worked out once per document: several steps visit these sentences)."""
    memo = doc.memo.get("count_sentences")
    if memo is not None and memo[0] is doc.spans.get("numbers"):
        return memo[1]
    out: list[tuple[Sentence, list[int]]] = []
    last_k = -1
    for i, n in enumerate(doc.layer("numbers")):
        k = n.attrs["sentence"]
        if k != last_k:
            out.append((doc.sentences[k], []))
            last_k = k
        out[-1][1].append(i)
    doc.memo["count_sentences"] = (doc.spans.get("numbers"), out)
    return out


class _CountSentence(NamedTuple):
    """A sentence holding a count, with the layers the count steps read of it."""
    sentence: Sentence
    counts: list[int]           # indexes of its counts in "numbers"
    cats: list[Span]            # its category words
    subs: list[Span]            # its group words
    count_tokens: set[int]      # the tokens of its counts (_count_tokens)


def _count_sentence_words(doc: Doc) -> list[_CountSentence]:
    """_count_sentences with each sentence's category words, group words and count tokens (sliced once per
    document: find_clauses, assign_groups, assign_categories and assign_places all read them)."""
    layers = (doc.spans.get("numbers"), doc.spans.get("category_words"), doc.spans.get("group_words"))
    memo = doc.memo.get("count_sentence_words")
    if memo is not None and all(a is b for a, b in zip(memo[0], layers)):
        return memo[1]
    numbers = doc.layer("numbers")
    out = [_CountSentence(sentence, counts, doc.in_sentence("category_words", sentence),
                          doc.in_sentence("group_words", sentence),
                          _count_tokens(doc, numbers[counts[0]].attrs["sentence"]))
           for sentence, counts in _count_sentences(doc)]
    doc.memo["count_sentence_words"] = (layers, out)
    return out


def _nested_counts(doc: Doc) -> list[bool]:
    """_is_nested of every count in "numbers" (worked out once per document, after find_clauses: the group,
    category and place of a nested count all follow the count before it)."""
    memo = doc.memo.get("nested_counts")
    if memo is not None and memo[0] is doc.spans.get("clauses"):
        return memo[1]
    numbers = doc.layer("numbers")
    nested = [False] * len(numbers)
    for s in _count_sentence_words(doc):
        for i in s.counts:
            nested[i] = _is_nested(numbers[i], s.cats, doc.clause_of, s.count_tokens)
    doc.memo["nested_counts"] = (doc.spans.get("clauses"), nested)
    return nested


def _lexicon_step(layer: str, lexicon_of, candidates: str):
    def step(doc: Doc) -> None:
        lexicon, spans = lexicon_of(), []
        starts = doc.candidates.get(candidates)
        for sentence, _ in _count_sentences(doc):
            for m in lexicon.find_all(doc.tokens, sentence.first, sentence.stop, starts):
                attrs = {"form": m.entry.form, "prefix": m.prefix}
                if "detail" in m.entry.row:
                    attrs["detail"] = m.entry.row["detail"] or None     # groups.tsv: the fine group id
                spans.append(doc.token_span(m.first, m.last, m.entry.label, attrs))
        doc.add(layer, spans)
    step.__name__ = f"find_{layer}"
    step.__doc__ = (f'Layer "{layer}": matches of the {candidates} lexicon in the sentences holding a count '
                    f'(label = its id, attrs form, prefix).')
    return step


find_category_words = _lexicon_step("category_words", lambda: _extraction_lexicons().categories, "categories")
find_group_words = _lexicon_step("group_words", lambda: _extraction_lexicons().subjects, "subjects")


def find_clauses(doc: Doc) -> None:
    """Layer "clauses" (and doc.clause_of): clauses of the sentences holding a count; they end at
    punctuation and at clause words ("فيما", form boundary in categories.tsv)."""
    spans: list[Span] = []
    tokens, clause_of = doc.tokens, doc.clause_of
    for sentence, _, cats, _, _ in _count_sentence_words(doc):
        for a, b in _clause_ranges(doc.text, tokens, doc.token_starts, sentence.first, sentence.stop, cats):
            clause_of.update(dict.fromkeys(range(a, b + 1), len(spans)))
            spans.append(Span(tokens[a].start, tokens[b].end, a, b, "clause", {}))
    doc.add("clauses", spans)


def assign_groups(doc: Doc) -> None:
    """Layer "groups": the counted group of each count (kzlib.groups; label = coarse subject; attrs count,
    detail, text = (start, end) of the group as written or None, head_last = last token of the counted
    phrase right after the number or None). The count's own phrase, else "في صفوف Y" later in the clause,
    else the group of the count it is coordinated with; "منهم" / "آخرون" look back across sentences."""
    numbers = doc.layer("numbers")
    out: list[Span] = []
    previous: Group | None = None       # the article's last (not nested) count's group
    nested_counts = _nested_counts(doc)
    for sentence, counts, cats, subs, _ in _count_sentence_words(doc):
        finder = SentenceGroups(doc.text, doc.tokens, subs, sentence.stop)
        nested = [nested_counts[i] for i in counts]
        spans = [numbers[i] for i in counts]
        found, previous = _own_groups(finder, spans, nested, previous)
        own = [g is not None for g in found]
        for j, i in enumerate(counts):
            g = found[j] = _group_further(doc, j, spans, found, own, finder, cats, sentence.stop)
            if g is None:
                continue
            if not nested[j] and g.subject != "thing":
                previous = g
            out.append(_group_span(doc, numbers[i], i, g, own[j]))
    doc.add("groups", out)


def _own_groups(finder: SentenceGroups, counts: list[Span], nested: list[bool], previous: Group | None):
    """The group of each count's own counted phrase (or None), and the last group a later "آخرون" refers to
    ("بينهم 4 نساء ... وأصيب 23 آخرون": others of the main count)."""
    found: list[Group | None] = []
    for c, inner in zip(counts, nested):
        if c.attrs.get("dual"):
            # "طفلين": the dual noun is its own counted phrase; "عنصرين من الحرس": a partitive after it
            g = finder.head(c.first - 1, c.first - 1, previous)
            if g is None or g.subject == "people" and g.start is None:
                g = finder.head(c.first, c.last, previous) or g
        else:
            g = finder.head(c.first, c.last, previous)
        found.append(g)
        if g is not None and not inner and g.subject != "thing":
            previous = g
    return found, previous


def _group_further(doc: Doc, j: int, counts: list[Span], found: list[Group | None], own: list[bool],
                   finder: SentenceGroups, cats: list[Span], stop: int) -> Group | None:
    """Count j's group when its own phrase names none (or only "people"): "في صفوف Y" later in the clause,
    up to the next count with a phrase of its own, else the group of the count it is coordinated with."""
    c, g = counts[j], found[j]
    if g is None or (g.subject == "people" and g.start is None):
        # "بمقتل 9 وإصابة 240 في صفوف القوات الأمنية", "تسعة قتلى في صفوف الشرطة"
        limit = next((o.first for o, mine in zip(counts[j + 1:], own[j + 1:]) if mine), stop)
        g = finder.ranks_after(c.last, limit) or g
    if g is None and j and found[j - 1] is not None:
        g = _coordinated_group(doc, counts[j - 1], found[j - 1], c, cats)
    return g


def _coordinated_group(doc: Doc, previous: Span, previous_group: Group, c: Span, cats: list[Span]) -> Group | None:
    """The previous count's group, when c is coordinated with it (its counted phrase is not c's)."""
    if _coordinated(doc.text, doc.tokens, previous, previous_group, c, cats):
        return previous_group._replace(head_last=None)
    return None


def _group_span(doc: Doc, c: Span, i: int, g: Group, own: bool) -> Span:
    """The "groups" span of count i: over its counted phrase when it has one, else over the count."""
    head_last = g.head_last if own else None
    first, last = (c.last + 1, head_last) if head_last is not None and head_last > c.last else (c.first, c.last)
    return doc.token_span(first, last, g.subject, {
        "count": i, "detail": g.detail, "head_last": head_last, "partitive": own and g.partitive,
        "text": (g.start, g.end) if g.start is not None else None})


def _whole(q: Quantity) -> bool:
    """A count of people is a whole number (vague counts and ranges have none: they pass)."""
    return q.value is None or float(q.value).is_integer()


def _coordinated(text, tokens, previous: Span, previous_group: Group | None, c: Span, cats: list[Span]) -> bool:
    """Count c is joined to the count before it by و ("و15"، "وأصيب 12"، "وإصابة 240"), nothing but a
    category cue between them."""
    if _conjunction_before(text, tokens, c):
        return True         # "و 15" / "و15": the conjunction right before the number
    lo = _after_counted_phrase(tokens, previous, previous_group, c)
    cue_tokens = {k for m in cats for k in range(m.first, m.last + 1)}
    joined = any(m.first == lo and m.attrs["prefix"].startswith("و") for m in cats)
    return joined and all(k in cue_tokens for k in range(lo, c.first))


def _conjunction_before(text: str, tokens, c: Span) -> bool:
    """و right before the number ("و 15"), or on it ("و15")."""
    k = c.start
    while k > 0 and text[k - 1].isspace():
        k -= 1              # the last character before the number that is not a space (no copy of the text)
    return text[k - 1:k] == "و" or tokens[c.first].norm.startswith("و")


def _after_counted_phrase(tokens, previous: Span, previous_group: Group | None, c: Span) -> int:
    """The first token after the previous count, its counted phrase and its partitive group ("21 فرداً من قوات
    الأمن وأصيب 500"), at most c's first token."""
    lo = previous.last + 1
    if previous_group is None:
        return lo
    if previous_group.head_last is not None:
        lo = max(lo, previous_group.head_last + 1)
    group_end = previous_group.end if previous_group.end is not None else -1
    while lo < c.first and tokens[lo].start < group_end:
        lo += 1
    return lo


def assign_categories(doc: Doc) -> None:
    """Layer "categories": what each count counts (label = category; attrs count, cue = the category word
    span or None). A negated cue drops the count; a nested count ("من بينهم 19") takes the previous one's."""
    numbers = doc.layer("numbers")
    groups = doc.by_count("groups")
    out: list[Span] = []
    nested = _nested_counts(doc)
    for _, counts, cats, _, count_tokens in _count_sentence_words(doc):
        # the first token of each category word (layers are ordered by start) and their largest width
        cat_index = ([m.first for m in cats], max((m.last - m.first for m in cats), default=0))
        previous_category: str | None = None
        previous: Span | None = None
        for i in counts:
            c, group = numbers[i], groups.get(i)
            cue = _category_cue(doc, i, counts, groups, cats, count_tokens, cat_index)
            if cue == "negated":
                previous_category = None
                continue
            if group is not None and group.label == "thing" or not _whole(c.attrs["quantity"]):
                previous_category, previous = None, c
                continue        # "400 مبنى", "14 متراً": things, not people; "6.9 درجات": no count of anyone
            category = _category(doc, c, cue, cats, nested[i], previous_category, previous)
            previous_category, previous = category, c
            if category is not None:
                out.append(Span(c.start, c.end, c.first, c.last, category, {"count": i, "cue": cue}))
    doc.add("categories", out)


def _category_cue(doc: Doc, i: int, counts: list[int], groups: dict[int, Span], cats: list[Span], count_tokens,
                  cat_index: tuple[list[int], int]):
    """The category word of count i (_nearest_cue), seen past its own counted phrase; `cat_index`: the first
    token of each of `cats` and their largest width."""
    numbers = doc.layer("numbers")
    c, group = numbers[i], groups.get(i)
    subject_last = group.attrs["head_last"] if group is not None else None
    others = [numbers[o] for o in counts if o != i]
    # "31 قتيلاً و56 جريحاً": the counted noun of another count is that count's cue, not this one's
    owned = {k for o in counts if o != i and o in groups and groups[o].attrs["head_last"] is not None
             for k in range(numbers[o].last + 1, groups[o].attrs["head_last"] + 1)}
    return _nearest_cue(c, subject_last, others, cats, doc.clause_of, doc.tokens, _extraction_lexicons(), count_tokens, owned,
                        group is not None and group.attrs.get("partitive", False), *cat_index)


def _category(doc: Doc, c: Span, cue, cats: list[Span], nested: bool, previous_category: str | None,
              previous: Span | None) -> str | None:
    """The category of count c: the previous count's when nested in it, else its cue's, else the previous
    count's when a list joins them ("سجلت 6 وفيات، و15 في كسلا")."""
    category = None
    if nested and previous_category:
        category = previous_category
    elif cue is not None:
        category = cue.label
    elif previous_category and previous is not None and _coordinated(doc.text, doc.tokens, previous, None, c, cats):
        category = previous_category
    if category == "injured" and _disease_in_clause(doc, c, cats):
        category = "affected"           # "1,300 إصابة بالكوليرا": cases of a disease, not wounds
    return category


def _disease_in_clause(doc: Doc, c: Span, cats: list[Span]) -> bool:
    clause = doc.clause_of.get(c.first)
    return any((m.attrs["form"] == "disease" or m.label == "affected" and m.attrs["form"] == "phrase")
               and doc.clause_of.get(m.first) == clause for m in cats)


def assign_sources(doc: Doc) -> None:
    """Layer "sources": who stated each categorized count: the speaker's mention as written (label =
    attributed_to id; attrs count, cue, type = source_type). The outlet reporting is never the attribution."""
    out: list[Span] = []
    numbers = doc.layer("numbers")
    for cat in doc.layer("categories"):
        i = cat.attrs["count"]
        c = numbers[i]
        cue = attribute(doc.in_sentence("cues", doc.sentences[c.attrs["sentence"]]), c.start, c.end)
        if cue is None:
            continue
        speaker, mention = cue.attrs["speaker"], cue.attrs["mention"]
        if speaker is None or speaker == doc.outlet or mention is None:
            continue
        out.append(Span(mention.start, mention.end, mention.first, mention.last, speaker,
                        {"count": i, "cue": cue, "type": mention.attrs["type"]}))
    doc.add("sources", out)


def assign_places(doc: Doc) -> None:
    """Layer "places": the place each categorized count happened (kzlib.places; label = place id, or None for
    a place the gazetteer does not know, kept as written; attrs count)."""
    categorized = {cat.attrs["count"] for cat in doc.layer("categories")}
    out: list[Span] = []
    if categorized:
        line = _opening_dateline(doc)
        for sentence in _place_sentences(doc, categorized):
            out += sentence.spans(categorized, line)
    out.sort(key=_span_start)
    doc.add("places", out)


def _opening_dateline(doc: Doc):
    """(place id, start, end) of the dateline opening the article ("الفاشر - "), or None."""
    body = doc.body_spans[0] if doc.body_spans else None
    if body is None or _not_opening.get():
        return None
    # the places the article names: read only when the dateline names a known place
    named = (en.label for en in doc.layer("entities") if en.attrs["type"] == "place")
    return dateline(doc.text, body[0], body[1], named)


def _place_sentences(doc: Doc, categorized: set[int]) -> list["_CountPlaces"]:
    """The sentences holding a categorized count, each with its places; read twice: a name the article gives
    elsewhere after a type word ("بلدة بارا" ... "قصف بارا") is known to the whole article."""
    found, learned = [], {}
    sources, groups = doc.by_count("sources"), doc.by_count("groups")
    for words in _count_sentence_words(doc):
        if not categorized.isdisjoint(words.counts):
            found.append(_CountPlaces(doc, words, sources, groups))
            learned.update(learned_names(found[-1].places, doc.tokens))
    for sentence in found:
        sentence.finish(learned)
    return found


class _CountPlaces:
    """The places of one sentence's counts: found once, then chosen count by count (memoized, because a
    nested count takes the place of the count before it)."""

    def __init__(self, doc: Doc, words: _CountSentence, sources: dict[int, Span], groups: dict[int, Span]):
        self.doc, self.sources, self.groups = doc, sources, groups
        self.sentence, self.counts = words.sentence, words.counts
        self.numbers = doc.layer("numbers")
        self.cats = words.cats
        self.nested_counts = _nested_counts(doc)
        self.known = set(words.count_tokens)
        self.known.update(map(_first, self.cats))
        self.known.update(map(_first, words.subs))
        self.entities = [en for en in doc.in_sentence("entities", words.sentence) if en.attrs["type"] == "place"]
        self.places = self._sentence_places()
        self.chosen: dict[int, object] = {}
        self.titles: dict[int, tuple[int, int] | None] = {}     # offsets of each count's speaker and title

    def _sentence_places(self, learned: dict | None = None) -> list:
        doc, s = self.doc, self.sentence
        return sentence_places(doc.text, doc.tokens, s.first, s.stop, self.entities, doc.token_starts, self.known,
                               learned)

    def finish(self, learned: dict) -> None:
        """Read again with the names the article taught; add the places of a list of counts; set the walls."""
        tokens, first, stop = self.doc.tokens, self.sentence.first, self.sentence.stop
        if learned and any(tokens[t].norm in learned or tokens[t].norm[1:] in learned for t in range(first, stop)):
            self.places = self._sentence_places(learned)
        if len(self.counts) > 1:
            self.places += self._listed_places()
        self.walls = self._walls()
        self.firsts = [self.numbers[i].first for i in self.counts]

    def _listed_places(self) -> list:
        """"سجلت 6 وفيات في نيروبي، و3 في كيسومو": a list of counts, each with its place."""
        groups, numbers = self.groups, self.numbers
        ends = [groups[i].attrs["head_last"] if i in groups and groups[i].attrs["head_last"] is not None
                else numbers[i].last for i in self.counts]
        taken = self.known | {t for p in self.places for t in range(p.token, p.last + 1)}
        return listed_places(self.doc.text, self.doc.tokens, ends, self.sentence.stop, taken)

    def _walls(self) -> list[int]:
        """Tokens places do not reach across: a clause word (فيما، بينما) or a semicolon."""
        doc, sentence = self.doc, self.sentence
        walls = [m.first for m in self.cats if m.attrs["form"] == "boundary"]
        walls += [bisect.bisect_left(doc.token_starts, m.start(), sentence.first, sentence.stop)
                  for m in _SEMICOLON.finditer(doc.text, sentence.start, sentence.end)]
        return walls

    def spans(self, categorized: set[int], line) -> list[Span]:
        """The "places" spans of this sentence's categorized counts (the dateline for a count without one)."""
        out = []
        for j, i in enumerate(self.counts):
            if i not in categorized:
                continue
            place = self.place_of(j)
            if place is not None and place.id == NATIONWIDE:
                continue        # "في أنحاء البلاد": nationwide, no place
            if place is not None:
                out.append(Span(place.start, place.end, place.token, place.last, place.id, {"count": i}))
            elif self._dateline_applies(i, line):
                out.append(self._dateline_span(i, line))
        return out

    def _dateline_applies(self, i: int, line) -> bool:
        """A dateline ("الفاشر - ") is the place of the counts of the sentence it opens, if that names none
        (but in the speaker's title: "عدن - قالت مصادر في مستشفى بمدينة عدن إن ...")."""
        if line is None or not self.sentence.start <= line[1] < self.sentence.end:
            return False
        title = self.titles.get(i)
        return all(title is not None and title[0] <= p.start < title[1] for p in self.places)

    def _dateline_span(self, i: int, line) -> Span:
        starts = self.doc.token_starts
        loc_id, loc_start, loc_end = line
        k = bisect.bisect_left(starts, loc_start)
        return Span(loc_start, loc_end, k, max(k, bisect.bisect_left(starts, loc_end) - 1), loc_id,
                    {"count": i, "dateline": True})

    def place_of(self, j: int):
        """The place of the sentence's j-th count (None when it has none)."""
        if j not in self.chosen:
            self.chosen[j] = self._choose(j)
        return self.chosen[j]

    def _choose(self, j: int):
        doc, c = self.doc, self.numbers[self.counts[j]]
        place = self._nearest_place(j)
        if j and self._nested(j) and not self._names_its_own(j, place):
            # "بينهم 74 طفلاً": a nested count shares the place of the count it is nested in, unless it
            # names its own ("منهم 41 في مدينة جبلة")
            place = self.place_of(j - 1)
        elif self.places and not self._in_clause_of(c, place):
            # a place noun pointing back in the count's own clause beats a place of another clause
            place = _anaphor_place(doc, c, self.places) or place
        if place is None and self._joined_to_nested(j):
            place = self.place_of(j - 1)     # "بينهم ٧٤ طفلاً و٥٥ امرأة": coordinated with a nested count
        return place

    def _joined_to_nested(self, j: int) -> bool:
        """Count j opens with و right after a nested count."""
        return j > 0 and self._nested(j - 1) and self.doc.tokens[self.numbers[self.counts[j]].first].norm.startswith("و")

    def _nested(self, j: int) -> bool:
        """Count j is nested in the count before it ("من بينهم 19")."""
        return self.nested_counts[self.counts[j]]

    def _in_clause_of(self, c: Span, place) -> bool:
        clause_of = self.doc.clause_of
        return place is not None and clause_of.get(place.token) == clause_of.get(c.first)

    def _names_its_own(self, j: int, place) -> bool:
        """The place stands after count j, before the next count, in the count's own clause."""
        c = self.numbers[self.counts[j]]
        nxt = self.numbers[self.counts[j + 1]].first if j + 1 < len(self.counts) else self.sentence.stop
        return place is not None and c.last < place.token < nxt and self._in_clause_of(c, place)

    def _nearest_place(self, j: int):
        """The place choose_place picks for count j, outside its speaker's title."""
        if not self.places:
            return None         # (nor does a title then matter: see _dateline_applies)
        counts, numbers, first, stop = self.counts, self.numbers, self.sentence.first, self.sentence.stop
        c = numbers[counts[j]]
        return choose_place(self._outside_title(counts[j]), c.first, c.last,
                            numbers[counts[j - 1]].last if j else first - 1,
                            numbers[counts[j + 1]].first if j + 1 < len(counts) else stop, self.doc.clause_of,
                            self.walls, [f for f in self.firsts if f != c.first],
                            joined=j > 0 and _joined_phrase(self.doc.tokens, self.cats, c))

    def _outside_title(self, i: int) -> list:
        """The sentence's places but those inside the speaker's title of count i ("مدير مستشفى بلدوين",
        "شبكة ... في إيران أن"): that is not where the count happened. Notes the title's offsets."""
        source = self.sources.get(i)
        if source is None:
            self.titles[i] = None
            return self.places
        title_end = _title_end(self.doc, source, self.sentence.stop)
        self.titles[i] = (source.start, title_end)
        return [p for p in self.places if not (source.start <= p.start < title_end)]


_THAT = frozenset(normalize_word(w) for w in ("أن", "إن", "بأن", "وأن", "وإن"))
TITLE_WORDS = 8     # words after a speaker's mention that may still describe it, up to "أن" / "إن"


def _title_end(doc: Doc, source: Span, stop: int) -> int:
    """Offset where the speaker's description ends: at "أن" / "إن" a few words after its mention ("كشفت شبكة
    المدافعين عن حقوق الإنسان في إيران أن ..."), else at the mention's end."""
    tokens = doc.tokens
    for k in range(source.last + 1, min(stop, source.last + 1 + TITLE_WORDS)):
        if tokens[k].norm in _THAT:
            return tokens[k].start
    return source.end


def _joined_phrase(tokens, cats: list[Span], c: Span) -> bool:
    """The count opens a new phrase joined by و: "وعشرات المفقودين", or a cue with و right before it ("ونزوح
    مئات الأسر", "وارتفاع الحصيلة إلى 18")."""
    if tokens[c.first].norm.startswith("و") and not tokens[c.first].norm[1:].isdigit():
        return True
    return any(m.attrs["prefix"].startswith("و") and m.last < c.first and c.first - m.last <= 3 for m in cats)


def _anaphor_place(doc: Doc, c: Span, places: list):
    """"قال والي هطاي إن عدد القتلى في الولاية بلغ ...": a place noun pointing back in the count's clause
    names the nearest place before it in the sentence, even one inside the speaker's title (D-anaphor)."""
    k = doc.clause_of.get(c.first)
    if k is None:
        return None
    clause = doc.layer("clauses")[k]
    for a, rank in reversed(anaphor_tokens(doc.tokens, clause.first, clause.last)):
        # its rank or one below: "المدينة" a town or a city, "الولاية" a province (or a city-state)
        before = [p for p in places if p.last < a and rank - 1 <= p.rank <= rank and p.id != NATIONWIDE]
        if before:
            return max(before, key=lambda p: p.token)
    return None


def find_claim_cues(doc: Doc) -> None:
    """Layer "cues" as far as the claims need it: attribution.find_cues over the sentences up to the last
    one holding a categorized count (none when no count has a category). A cue's speaker depends on the
    sentences before it only (the speaker history runs forward), so these cues are those of the whole
    layer; the cues after the last claim no claim reads (a quarter of the sentences of a news article)."""
    numbers = doc.layer("numbers")
    last = max((numbers[cat.attrs["count"]].attrs["sentence"] for cat in doc.layer("categories")), default=-1)
    if last < 0:
        doc.add("cues", [])
        return
    find_cues(doc, sentences=last + 1)


PIPELINE = (read_sentences, index_words, find_entities, find_numbers, find_category_words, find_group_words,
            find_clauses, assign_groups, assign_categories, find_claim_cues, assign_sources, assign_places)


def claims_of(doc: Doc) -> list[Claim]:
    """The claims of a document the PIPELINE has annotated: one per count in "categories"."""
    numbers, gaz = doc.layer("numbers"), load_gazetteer()
    groups, sources, places = doc.by_count("groups"), doc.by_count("sources"), doc.by_count("places")
    whole = doc.memo.get("whole_sentence", {})      # pieces of a long sentence (read_sentences)
    out: list[Claim] = []
    for cat in doc.layer("categories"):
        i = cat.attrs["count"]
        c = numbers[i]
        q: Quantity = c.attrs["quantity"]
        sentence_start, sentence_end = whole.get(c.attrs["sentence"], doc.sentences[c.attrs["sentence"]][:2])
        group, source = groups.get(i), sources.get(i)
        speaker = source.label if source is not None else None
        subject = _final_subject(doc, cat.label, group, speaker, gaz, c)
        end = _quote_end(doc, c, group, cat.attrs["cue"])
        out.append(Claim(
            article_id=doc.id, category=cat.label, subject=subject,
            value=_num(q.value), low=_num(q.low), high=_num(q.high), qualifier=q.qualifier,
            attributed_to=speaker, **_source_fields(doc.text, source), **_location_fields(doc.text, places.get(i)),
            start=c.start, end=end, quote=doc.text[c.start:end],
            sentence=sentence_excerpt(doc.text, sentence_start, sentence_end, c.start, end),
            sentence_start=sentence_start, sentence_end=sentence_end, **_subject_fields(doc.text, group, subject),
        ))
    return out


def _quote_end(doc: Doc, c: Span, group: Span | None, cue: Span | None) -> int:
    """Where the claim's quote ends: after the counted phrase, and after a category word right after it."""
    head_last = group.attrs["head_last"] if group is not None else None
    end = c.end
    if head_last is not None:
        end = max(end, doc.tokens[head_last].end)
    if cue is not None and cue.first > c.last and _gap(
            c, head_last, cue, doc.tokens, _extraction_lexicons(), _count_tokens(doc, c.attrs["sentence"])) == 0:
        end = max(end, cue.end)
    return end


def _source_fields(text: str, source: Span | None) -> dict:
    if source is None:
        return {"source_text": None, "source_start": None, "source_end": None, "source_type": None}
    return {"source_text": text[source.start:source.end], "source_start": source.start, "source_end": source.end,
            "source_type": source.attrs["type"]}


def _location_fields(text: str, place: Span | None) -> dict:
    if place is None:
        return {"location": None, "location_text": None, "location_start": None, "location_end": None}
    return {"location": place.label, "location_text": text[place.start:place.end], "location_start": place.start,
            "location_end": place.end}


def _subject_fields(text: str, group: Span | None, subject: str) -> dict:
    """The fine group (when the coarse subject is the group's) and the group as written (unless the subject
    is fixed by the category)."""
    detail = group.attrs["detail"] if group is not None and group.label == subject else None
    span = group.attrs["text"] if group is not None and subject not in _FIXED_SUBJECT.values() else None
    return {"subject_detail": detail, "subject_text": text[span[0]:span[1]] if span else None,
            "subject_start": span[0] if span else None, "subject_end": span[1] if span else None}


def _count_tokens(doc: Doc, sentence: int) -> set[int]:
    """Tokens of every count in sentence number `sentence` (indexed once per document: the count steps and
    claims_of all read it; callers never change the set)."""
    by_sentence = doc.memo.get("count_tokens")
    if by_sentence is None:
        by_sentence = doc.memo["count_tokens"] = {}
        for n in doc.layer("numbers"):
            by_sentence.setdefault(n.attrs["sentence"], set()).update(range(n.first, n.last + 1))
    return by_sentence[sentence]


_span_start, _span_end = itemgetter(0), itemgetter(1)


def _num(x) -> float | None:
    return None if x is None else float(x)


def _counts(doc: Doc, sentence: Sentence, inside: list[tuple[int, int]]) -> list[tuple[Quantity, int, int]]:
    """(quantity, first token, last token) of the sentence's count-kind quantities that are not part of a
    name ("خبر 24", spans in `inside`) or a definite reference; offsets into the article."""
    s = sentence.start
    if sentence.first >= sentence.stop:
        return []
    # the caller has checked that some word of the sentence may be a number (may_be_quantity_word)
    out = []
    for q in quantities_of(doc.text[s:sentence.end], doc.norm.slice(s, sentence.end)):
        if q.kind != "count" or _definite_reference(q):
            continue        # "الدول الثلاث": a definite reference counts nothing new
        qs, qe = s + q.start, s + q.end
        if any(a <= qs and qe <= b for a, b in inside):
            continue
        toks = _tokens_over(doc, sentence, qs, qe)
        if toks:
            out.append((_shift(q, s), toks[0], toks[-1]))
    return out


def _definite_reference(q: Quantity) -> bool:
    """A number word with the article and no digit ("الثلاث"), not a vague count."""
    return q.qualifier != "vague" and not any(ch.isdigit() for ch in q.text) and normalize_word(q.text).startswith("ال")


def _tokens_over(doc: Doc, sentence: Sentence, qs: int, qe: int) -> range:
    """Tokens overlapping [qs, qe): from the last one starting at or before qs, up to the first starting at qe."""
    first, stop, starts = sentence.first, sentence.stop, doc.token_starts
    lo = max(first, bisect.bisect_right(starts, qs, first, stop) - 1)
    if doc.tokens[lo].end <= qs:
        lo += 1
    return range(lo, bisect.bisect_left(starts, qe, first, stop))


def _shift(q: Quantity, offset: int) -> Quantity:
    """The quantity with offsets into the article instead of the sentence."""
    return Quantity(q.start + offset, q.end + offset, q.text, q.value, q.low, q.high, q.qualifier, q.kind)


def _clause_ranges(text, tokens, starts, first, stop, cats: list[Span]) -> list[tuple[int, int]]:
    """Token ranges (first, last) of the clauses of tokens[first:stop]; clauses end at punctuation and at
    clause words ("فيما")."""
    opens = {m.first for m in cats if m.attrs["form"] == "boundary"}    # tokens that open a new clause
    # punctuation between two tokens opens a clause at the token after it (one search per sentence)
    for p in _CLAUSE_PUNCT.finditer(text, tokens[first].end, tokens[stop - 1].start):
        opens.add(bisect.bisect_left(starts, p.start(), first, stop))
    bounds = sorted(k for k in opens if first < k < stop)
    return list(zip([first, *bounds], [k - 1 for k in bounds] + [stop - 1]))


def _gap(c: Span, subject_last: int | None, cue: Span, tokens, lex, count_tokens) -> int:
    """Content words between the count phrase and a cue (counted noun, "من", "على" ... not counted)."""
    if cue.last < c.first:
        span = range(cue.last + 1, c.first)
    else:
        span = range((subject_last if subject_last is not None else c.last) + 1, cue.first)
    return sum(1 for k in span if tokens[k].norm not in lex.transparent and k not in count_tokens)


_EVENT_FORMS = {"noun", "verb", "phrase", "status", "place_noun"}


class _Neighbours(NamedTuple):
    """The other counts of a sentence seen from one count (worked out once per count, not once per cue)."""
    next_first: int | None      # the first token of the first count starting after it
    prev_first: int | None      # the latest start of a count ending before it
    firsts: set[int]            # where the other counts start


def _neighbours(c: Span, others: list[Span]) -> _Neighbours:
    return _Neighbours(min((o.first for o in others if o.first > c.last), default=None),
                       max((o.first for o in others if o.last < c.first), default=None),
                       {o.first for o in others})


def _nearest_cue(c: Span, subject_last: int | None, others: list[Span], cats: list[Span], clause, tokens, lex,
                 count_tokens, owned: set[int] = frozenset(), partitive: bool = False,
                 cat_firsts: list[int] | None = None, cat_width: int = 0):
    """The category word of a count, "negated", or None. `owned`: tokens of other counts' counted phrases;
    `cat_firsts`: the first token of each of `cats` (in order), `cat_width`: their largest last - first."""
    best, best_key = None, None
    around = _neighbours(c, others)
    for m in _cats_between(cats, around, cat_firsts, cat_width):
        if not _may_be_cue_of(m, c, subject_last, clause, owned, around):
            continue
        after = m.first > c.last
        d = _cue_distance(m, c, subject_last, after, cats, tokens, lex, count_tokens)
        if d > MAX_CUE_DISTANCE:
            continue
        if m.attrs["form"] == "place_noun" and m.first == c.last + 1:
            return None     # "3 مستشفيات" counts hospitals, not people: no category at all
        key = _cue_rank(m, c, subject_last, after, d + _partitive_penalty(m, subject_last, after, partitive))
        if best_key is None or key < best_key:
            best, best_key = m, key
    if best is not None and _negated(best, c, cats):
        return "negated"
    return best


def _cats_between(cats: list[Span], around: _Neighbours, cat_firsts: list[int] | None, cat_width: int) -> list[Span]:
    """Only the category words between the neighbouring counts can be this count's (the checks skip the others):
    a long sentence with many counts is not searched whole for each of them; toll and negation words still
    come from all of `cats`."""
    if cat_firsts is None:
        return cats
    lo = 0 if around.prev_first is None else bisect.bisect_left(cat_firsts, around.prev_first - cat_width)
    hi = len(cats) if around.next_first is None else bisect.bisect_right(cat_firsts, around.next_first)
    return cats[lo:hi]


def _may_be_cue_of(m: Span, c: Span, subject_last: int | None, clause, owned: set[int], around: _Neighbours) -> bool:
    """An event word of c's clause, outside the count and the counted phrases of other counts, with no other
    count between them."""
    form = m.attrs["form"]
    if form not in _EVENT_FORMS and form != "counted_noun" or m.first in owned:
        return False
    if clause.get(m.first) != clause.get(c.first) and clause.get(m.last) != clause.get(c.last):
        return False
    if m.first <= c.last and m.last >= c.first:
        return False
    after = m.first > c.last
    if form == "counted_noun" and not _right_after_count(m, c, subject_last, after):
        return False
    return not _owned_by_other_count(m, after, around)


def _right_after_count(m: Span, c: Span, subject_last: int | None, after: bool) -> bool:
    """A counted noun names what is counted only right after the number (or its counted phrase)."""
    end = subject_last if subject_last is not None else c.last
    return after and (m.first == c.last + 1 or m.first <= end + 1)


def _owned_by_other_count(m: Span, after: bool, around: _Neighbours) -> bool:
    """A count between this count and the cue owns the cue; "... وإصابة 18": a cue joined by و right before
    another count belongs to that count."""
    if after and around.next_first is not None and around.next_first < m.first:
        return True
    if not after and around.prev_first is not None and around.prev_first > m.last:
        return True
    return after and m.attrs["prefix"].startswith("و") and (m.last + 1 in around.firsts or m.last + 2 in around.firsts)


def _cue_distance(m: Span, c: Span, subject_last: int | None, after: bool, cats: list[Span], tokens, lex,
                  count_tokens) -> int:
    """Content words between the count and the cue; a toll's category word counts as one."""
    d = _gap(c, subject_last, m, tokens, lex, count_tokens)
    if not after and 1 < d <= TOLL_DISTANCE and _toll(m, c, cats, tokens):
        d = 1           # a toll's category word is as near as a word one step away, wherever the count is
    return d


def _partitive_penalty(m: Span, subject_last: int | None, after: bool, partitive: bool) -> int:
    """"ثلاثة من الموقوفين نُقلوا إلى المستشفى": a category word inside the partitive names the group; the
    predicate after it, when there is one, says what happened to them."""
    inside = partitive and after and subject_last is not None and m.last <= subject_last
    return PARTITIVE_PENALTY if inside else 0


def _cue_rank(m: Span, c: Span, subject_last: int | None, after: bool, d: int) -> tuple:
    """The sort key of a cue (lowest wins). On a tie of distance: a state of the counted people ("في العناية
    المركزة") beats events, events beat the counted noun ("مقتل 5 جنود"), which beats deployment words ("إرسال
    3 طائرات"); attackers / troops words describe who acts, so the counted thing wins ("هاجموا 3 نقاط
    تفتيش"); then a verb before the count (its predicate: "قتل ثمانية نازحين"), then the word right after the
    count phrase ("سجلت المستشفيات 30 وفاة") beats one before it."""
    form = m.attrs["form"]
    adjacent = after and m.first == (subject_last if subject_last is not None else c.last) + 1 or m.first == c.last + 1
    if form == "status":
        rank = -1
        if d <= 1:
            d = 0       # "9 مصابين في العناية المركزة": the preposition before the state is part of it
    else:
        rank = 2 if m.label in _ACTOR_CATEGORIES and form != "counted_noun" else int(form == "counted_noun")
    # (a hospital "receiving" people is no predicate of what happened to them: "استقبل 17 جريحاً" is injured)
    predicate = form == "verb" and not after and m.label != "hospitalized"
    return (d, rank, not predicate, not adjacent, after)


_TOLL_NOUNS = frozenset(normalize_word(w) for w in ("عدد", "حصيلة", "الحصيلة"))


def _toll(cue: Span, c: Span, cats: list[Span], tokens) -> bool:
    """"بلغ عدد القتلى منذ بداية الهجوم على البلدة 64": the category word names a toll (after عدد / حصيلة, or
    is حصيلة itself) and a toll verb (form toll) stands right before it or between it and the count."""
    head = cue.first - 1 if cue.first > 0 and tokens[cue.first - 1].norm in _TOLL_NOUNS else cue.first
    if head == cue.first and tokens[cue.first].norm not in _TOLL_NOUNS:
        return False
    return any(m.attrs["form"] == "toll" and head - 2 <= m.first < c.first and not cue.first <= m.first <= cue.last
               for m in cats)


def _negated(cue: Span, c: Span, cats: list[Span]) -> bool:
    """"نفت الوزارة مقتل 5": a negation shortly before the cue; not "ما لا يقل عن 50 قتيلا" (the count between)."""
    return any(
        m.attrs["form"] == "negation" and 0 <= cue.first - m.last - 1 < NEGATION_WINDOW and not (m.last < c.first and c.last < cue.first)
        for m in cats
    )


def _is_nested(c: Span, cats: list[Span], clause: dict[int, int] | None = None, count_tokens=frozenset()) -> bool:
    """"من بينهم 19": a count inside the previous one; the nested word in the count's clause, no other count
    between them ("بينهم مدنيان، وإصابة 30 آخرين": the 30 are not among the dead)."""
    return any(m.attrs["form"] == "nested" and 0 <= c.first - m.last - 1 < NESTED_WINDOW
               and (clause is None or clause.get(m.last) == clause.get(c.first))
               and not any(t in count_tokens for t in range(m.last + 1, c.first)) for m in cats)


def _final_subject(doc: Doc, category: str, group: Span | None, speaker, gaz, c: Span) -> str:
    """The claim's coarse subject: fixed by some categories, else the counted group's; "self" ("عناصرها") is
    the speaker's members; troops counted as people are the force named before the count."""
    if category in _FIXED_SUBJECT:
        return _FIXED_SUBJECT[category]
    subject = group.label if group is not None else "unspecified"
    if subject == "self":
        subject = (gaz.members(speaker) if speaker else None) or "unspecified"
    if category == "troops" and subject in ("people", "unspecified"):
        subs = doc.in_sentence("group_words", doc.sentences[c.attrs["sentence"]])     # read for these claims only
        subject = _force_named_before(subs, c) or subject
    return subject


_FORCES = ("peacekeepers", "security_forces")


def _force_named_before(subs: list[Span], c: Span) -> str | None:
    """"تعداد قوات حفظ السلام ... 2500 شخص": the force named earlier in the sentence, or None."""
    named = [m.label for m in subs if m.last < c.first and m.label in _FORCES]
    return named[-1] if named else None
