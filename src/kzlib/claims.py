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
import gc
import re
from dataclasses import dataclass
from functools import lru_cache
from operator import itemgetter

from kzlib.attribution import attribute, cue_lexicons, find_cues
from kzlib.doc import Doc, Sentence, Span, run
from kzlib.gazetteer import Lexicon, LexiconIndex, load_gazetteer, read_tsv
from kzlib.normalize import normalize_word
from kzlib.numbers import Quantity, may_be_quantity_word, quantities_of
from kzlib.paths import LEXICONS
from kzlib.segment import split_sentences
from kzlib.speakers import head_lexicon

CLAIM_FIELDS = ("article_id", "category", "subject", "value", "low", "high", "qualifier",
                "attributed_to", "source_text", "source_start", "source_end", "source_type",
                "location", "start", "end", "quote", "sentence")

MAX_CUE_DISTANCE = 5         # content words allowed between a count and its category cue
NEGATION_WINDOW = 3          # words before a cue in which a negation cancels it
NESTED_WINDOW = 3            # words before a count in which "من بينهم" makes it a nested count
_PERSON_SUBJECTS = {"protesters", "security_forces", "militants", "civilians", "peacekeepers", "foreigners", "people"}
_ACTOR_CATEGORIES = {"troops", "attackers"}
_FIXED_SUBJECT = {"aircraft": "aircraft", "checkpoints": "checkpoints"}
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
    source_text: str | None      # the speaker as written, at the mention attributed_to was resolved to
    source_start: int | None     # its offsets in the original text
    source_end: int | None
    source_type: str | None      # VOCABULARY.md source types (ministry, police, medical_source ...)
    location: str | None
    start: int
    end: int
    quote: str
    sentence: str

    def as_dict(self) -> dict:
        # the fields are plain values: no need for dataclasses.asdict's recursive deep copy (once per claim)
        return {name: getattr(self, name) for name in CLAIM_FIELDS}


@dataclass(frozen=True)
class _Lexicons:
    categories: Lexicon
    subjects: Lexicon
    transparent: frozenset[str]
    index: LexiconIndex      # actors, reporting verbs, source phrases, categories, subjects, number words, speaker heads


@lru_cache(maxsize=1)
def _lexicons() -> _Lexicons:
    cat_rows = read_tsv(LEXICONS / "categories.tsv")
    sub_rows = read_tsv(LEXICONS / "subjects.tsv")
    # words that neither count as distance nor end a count phrase: "القبض على أكثر من 100"
    transparent = frozenset(normalize_word(w) for w in ("من", "على", "عن", "عدد", "نحو", "بلغ", "إلى"))
    categories, subjects = Lexicon.from_rows(cat_rows, "category"), Lexicon.from_rows(sub_rows, "subject")
    index = LexiconIndex([load_gazetteer().lexicon, *cue_lexicons(), categories, subjects, may_be_quantity_word,
                          head_lexicon()])
    return _Lexicons(categories, subjects, transparent, index)


def extract_text(text: str, article_id: str = "text") -> list[Claim]:
    """Claims of a bare text (all of it is body)."""
    return _extract(Doc(text, article_id))


def extract_claims(article) -> list[Claim]:
    """Claims of a kzlib.corpus.Article, its furniture skipped; offsets into article.text."""
    return _extract(Doc(article.text, article.id, article.body_spans(), getattr(article, "outlet", None)))


def _extract(doc: Doc) -> list[Claim]:
    # One article allocates thousands of small tuples (tokens, matches) that live until it is done and are
    # then freed by reference counting; the cyclic collector would scan them several times per article
    # (about 9% of the time, measured). It is paused for the article and resumed after (as Mercurial's
    # util.nogc does); left alone when the caller has already disabled it.
    if not gc.isenabled():
        return claims_of(run(doc, PIPELINE))
    gc.disable()
    try:
        return claims_of(run(doc, PIPELINE))
    finally:
        gc.enable()


# --- the steps: each reads layers of the document and adds one ----------------------------------

def read_sentences(doc: Doc) -> None:
    """doc.sentences: the sentences of the body spans, with their token ranges."""
    starts, text = doc.token_starts, doc.text
    if not text:
        return
    for bs, be in doc.body_spans:
        for ss, se in split_sentences(text[bs:be]):
            s, e = bs + ss, bs + se
            doc.sentences.append(Sentence(s, e, bisect.bisect_left(starts, s), bisect.bisect_left(starts, e)))


_CANDIDATES = ("actors", "verbs", "sources", "categories", "subjects", "numbers", "heads")


def index_words(doc: Doc) -> None:
    """doc.candidates: one lookup per word gives where actors, cues, categories, subjects may start and
    which words may be numbers (the later steps visit only those tokens)."""
    doc.candidates.update(zip(_CANDIDATES, _lexicons().index.starts(doc.tokens)))


def find_entities(doc: Doc, gazetteer=None) -> None:
    """Layer "entities": gazetteer actors and places (label = id, attrs type), left to right, never overlapping."""
    gaz = load_gazetteer() if gazetteer is None else gazetteer
    starts = doc.candidates.get("actors") if gazetteer is None else None
    entities, firsts, lasts = gaz.find_indexed(doc.text, doc.tokens, starts)
    # one attrs dict per entity type, shared by its spans (read-only: a step adds layers, never edits one)
    attrs = {t: {"type": t} for t in {en.type for en in entities}}
    doc.add("entities", [Span(en.start, en.end, f, la, en.id, attrs[en.type]) for en, f, la in zip(entities, firsts, lasts)])


def find_numbers(doc: Doc) -> None:
    """Layer "numbers": count-kind quantities (label = qualifier, attrs quantity, sentence), in sentences
    where some word may be a number (the others are not searched)."""
    number_words = doc.candidates["numbers"]
    entities = doc.layer("entities")
    out: list[Span] = []
    for k, sentence in enumerate(doc.sentences):
        first, stop = sentence.first, sentence.stop
        i = bisect.bisect_left(number_words, first)
        if i == len(number_words) or number_words[i] >= stop:
            continue        # no word of the sentence may be a number: no claim, not searched
        s, e = sentence.start, sentence.end
        # entities overlapping the sentence: a number inside a name ("خبر 24") is not a count
        lo = bisect.bisect_right(entities, s, key=_span_end)
        inside = [(en.start, en.end) for en in entities[lo:bisect.bisect_left(entities, e, lo, key=_span_start)]]
        for q, qfirst, qlast in _counts(doc, sentence, inside):
            out.append(Span(q.start, q.end, qfirst, qlast, q.qualifier, {"quantity": q, "sentence": k}))
    doc.add("numbers", out)


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


def _lexicon_step(layer: str, lexicon_of, candidates: str):
    def step(doc: Doc) -> None:
        lexicon, spans, tokens = lexicon_of(), [], doc.tokens
        starts = doc.candidates.get(candidates)
        for sentence, _ in _count_sentences(doc):
            for m in lexicon.find_all(tokens, sentence.first, sentence.stop, starts):
                spans.append(Span(tokens[m.first].start, tokens[m.last].end, m.first, m.last, m.entry.label,
                                  {"form": m.entry.form, "prefix": m.prefix}))
        doc.add(layer, spans)
    step.__name__ = f"find_{layer}"
    step.__doc__ = (f'Layer "{layer}": matches of the {candidates} lexicon in the sentences holding a count '
                    f'(label = its id, attrs form, prefix).')
    return step


find_category_words = _lexicon_step("category_words", lambda: _lexicons().categories, "categories")
find_group_words = _lexicon_step("group_words", lambda: _lexicons().subjects, "subjects")


def find_clauses(doc: Doc) -> None:
    """Layer "clauses" (and doc.clause_of): clauses of the sentences holding a count; they end at
    punctuation and at clause words ("فيما", form boundary in categories.tsv)."""
    spans: list[Span] = []
    tokens, clause_of = doc.tokens, doc.clause_of
    for sentence, _ in _count_sentences(doc):
        cats = doc.in_sentence("category_words", sentence)
        for a, b in _clause_ranges(doc.text, tokens, doc.token_starts, sentence.first, sentence.stop, cats):
            clause_of.update(dict.fromkeys(range(a, b + 1), len(spans)))
            spans.append(Span(tokens[a].start, tokens[b].end, a, b, "clause", {}))
    doc.add("clauses", spans)


def assign_groups(doc: Doc) -> None:
    """Layer "groups": the counted noun right after each count (label = subject id, attrs count)."""
    lex, tokens, numbers = _lexicons(), doc.tokens, doc.layer("numbers")
    out: list[Span] = []
    for sentence, counts in _count_sentences(doc):
        subs = doc.in_sentence("group_words", sentence)
        previous_subject: str | None = None
        for i in counts:
            found = _counted_noun(numbers[i], subs, tokens, sentence.stop, lex, previous_subject, i == counts[0])
            previous_subject = None
            if found is not None:
                label, first, last = found
                out.append(doc.token_span(first, last, label, {"count": i}))
                previous_subject = label
    doc.add("groups", out)


def assign_categories(doc: Doc) -> None:
    """Layer "categories": what each count counts (label = category; attrs count, cue = the category word
    span or None). A negated cue drops the count; a nested count ("من بينهم 19") takes the previous one's."""
    lex, tokens, numbers = _lexicons(), doc.tokens, doc.layer("numbers")
    groups = doc.by_count("groups")
    out: list[Span] = []
    for sentence, counts in _count_sentences(doc):
        cats = doc.in_sentence("category_words", sentence)
        count_tokens = {k for i in counts for k in range(numbers[i].first, numbers[i].last + 1)}
        previous_category: str | None = None
        for i in counts:
            c, group = numbers[i], groups.get(i)
            subject_last = group.last if group is not None else None
            others = [numbers[o] for o in counts if o != i]
            cue = _nearest_cue(c, subject_last, others, cats, doc.clause_of, tokens, lex, count_tokens)
            category = None
            if cue == "negated":
                previous_category = None
                continue
            if _is_nested(c, cats) and previous_category:
                category = previous_category
            elif cue is not None:
                category = cue.label
            elif group is not None and group.label in _PERSON_SUBJECTS:
                category = "other"
            previous_category = category
            if category is not None:
                out.append(Span(c.start, c.end, c.first, c.last, category, {"count": i, "cue": cue}))
    doc.add("categories", out)


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
    """Layer "places": the place each categorized count happened (label = place id, attrs count)."""
    numbers, tokens, starts = doc.layer("numbers"), doc.tokens, doc.token_starts
    out: list[Span] = []
    for cat in doc.layer("categories"):
        i = cat.attrs["count"]
        c = numbers[i]
        sentence = doc.sentences[c.attrs["sentence"]]
        places = [en for en in doc.in_sentence("entities", sentence) if en.attrs["type"] == "place"]
        place = _location(doc.text, c, places, tokens, starts, sentence, doc.clause_of)
        if place is not None:
            out.append(Span(place.start, place.end, place.first, place.last, place.label, {"count": i}))
    doc.add("places", out)


PIPELINE = (read_sentences, index_words, find_entities, find_cues, find_numbers, find_category_words,
            find_group_words, find_clauses, assign_groups, assign_categories, assign_sources, assign_places)


def claims_of(doc: Doc) -> list[Claim]:
    """The claims of a document the PIPELINE has annotated: one per count in "categories"."""
    lex, tokens, text, numbers = _lexicons(), doc.tokens, doc.text, doc.layer("numbers")
    gaz = load_gazetteer()
    groups, sources, places = doc.by_count("groups"), doc.by_count("sources"), doc.by_count("places")
    out: list[Claim] = []
    for cat in doc.layer("categories"):
        i = cat.attrs["count"]
        c, cue = numbers[i], cat.attrs["cue"]
        q: Quantity = c.attrs["quantity"]
        sentence = doc.sentences[c.attrs["sentence"]]
        group, source, place = groups.get(i), sources.get(i), places.get(i)
        speaker = source.label if source is not None else None
        subject = _final_subject(cat.label, group, speaker, gaz, doc.in_sentence("group_words", sentence), c)
        end = c.end
        if group is not None:
            end = max(end, group.end)
        if cue is not None and cue.first > c.last:
            if _gap(c, group.last if group is not None else None, cue, tokens, lex, _count_tokens(doc, c)) == 0:
                end = max(end, cue.end)
        out.append(Claim(
            article_id=doc.id, category=cat.label, subject=subject,
            value=_num(q.value), low=_num(q.low), high=_num(q.high), qualifier=q.qualifier,
            attributed_to=speaker,
            source_text=None if source is None else text[source.start:source.end],
            source_start=None if source is None else source.start,
            source_end=None if source is None else source.end,
            source_type=None if source is None else source.attrs["type"],
            location=place.label if place is not None else None,
            start=c.start, end=end, quote=text[c.start:end], sentence=text[sentence.start:sentence.end],
        ))
    return out


def _count_tokens(doc: Doc, c: Span) -> set[int]:
    """Tokens of every count in the sentence of count c."""
    k = c.attrs["sentence"]
    return {t for n in doc.layer("numbers") if n.attrs["sentence"] == k for t in range(n.first, n.last + 1)}


_span_start, _span_end = itemgetter(0), itemgetter(1)


def _num(x) -> float | None:
    return None if x is None else float(x)


def _counts(doc: Doc, sentence: Sentence, inside: list[tuple[int, int]]) -> list[tuple[Quantity, int, int]]:
    """(quantity, first token, last token) of the sentence's count-kind quantities that are not part of a
    name ("خبر 24", spans in `inside`) or a definite reference; offsets into the article."""
    first, stop, s = sentence.first, sentence.stop, sentence.start
    if first >= stop:
        return []
    tokens, starts = doc.tokens, doc.token_starts
    # the caller has checked that some word of the sentence may be a number (may_be_quantity_word)
    quantities = quantities_of(doc.text[s:sentence.end], doc.norm.slice(s, sentence.end))
    if not quantities:
        return []
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
        out.append((_shift(q, s), toks[0], toks[-1]))
    return out


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


def _counted_noun(c: Span, subs: list[Span], tokens, stop, lex, previous_subject: str | None,
                  is_first: bool) -> tuple[str, int, int] | None:
    """(subject, first, last token) of the counted noun right after the number, optionally after "من"
    ("7 من أفرادها"); "آخرين" (subject inherit) takes the subject of the count before it."""
    k = c.last + 1
    if k < stop and tokens[k].norm in lex.transparent and tokens[k].norm == normalize_word("من"):
        k += 1
    for m in subs:
        if m.first == k:
            label = m.label
            if label == "inherit":
                label = "unspecified" if is_first else (previous_subject or "unspecified")
            last = m.last
            # "26 مجرما مسلحا": several subject words in a row form one counted phrase
            nxt = next((n for n in subs if n.first == m.last + 1), None)
            if nxt is not None and nxt.label == m.label:
                last = nxt.last
            return label, m.first, last
    return None


def _gap(c: Span, subject_last: int | None, cue: Span, tokens, lex, count_tokens) -> int:
    """Content words between the count phrase and a cue (counted noun, "من", "على" ... not counted)."""
    if cue.last < c.first:
        span = range(cue.last + 1, c.first)
    else:
        span = range((subject_last if subject_last is not None else c.last) + 1, cue.first)
    return sum(1 for k in span if tokens[k].norm not in lex.transparent and k not in count_tokens)


_EVENT_FORMS = {"noun", "verb", "phrase"}


def _nearest_cue(c: Span, subject_last: int | None, others: list[Span], cats: list[Span], clause, tokens, lex,
                 count_tokens):
    """The category word of a count, "negated", or None."""
    best, best_key = None, None
    for m in cats:
        form = m.attrs["form"]
        if form not in _EVENT_FORMS and form != "counted_noun":
            continue
        if clause.get(m.first) != clause.get(c.first) and clause.get(m.last) != clause.get(c.last):
            continue
        if m.first <= c.last and m.last >= c.first:
            continue
        after = m.first > c.last
        if form == "counted_noun":
            # a counted noun names what is counted only right after the number
            end = subject_last if subject_last is not None else c.last
            if not (after and (m.first == c.last + 1 or m.first <= end + 1)):
                continue
        # a count between this count and the cue owns the cue
        if after and any(c.last < o.first < m.first for o in others):
            continue
        if not after and any(m.last < o.first and o.last < c.first for o in others):
            continue
        # "... وإصابة 18": a cue joined by و right before another count belongs to that count
        if after and m.attrs["prefix"].startswith("و") and any(0 <= o.first - m.last - 1 <= 1 for o in others):
            continue
        d = _gap(c, subject_last, m, tokens, lex, count_tokens)
        if d > MAX_CUE_DISTANCE:
            continue
        # on a tie: events beat the counted noun ("مقتل 5 جنود"), which beats deployment words ("إرسال 3 طائرات");
        # attackers / troops words describe who acts, so the counted thing wins ("هاجموا 3 نقاط تفتيش")
        rank = 2 if m.label in _ACTOR_CATEGORIES and form != "counted_noun" else int(form == "counted_noun")
        key = (d, rank, after)
        if best_key is None or key < best_key:
            best, best_key = m, key
    if best is not None and _negated(best, c, cats):
        return "negated"
    return best


def _negated(cue: Span, c: Span, cats: list[Span]) -> bool:
    """"نفت الوزارة مقتل 5": a negation shortly before the cue; not "ما لا يقل عن 50 قتيلا" (the count between)."""
    return any(
        m.attrs["form"] == "negation" and 0 <= cue.first - m.last - 1 < NEGATION_WINDOW and not (m.last < c.first and c.last < cue.first)
        for m in cats
    )


def _is_nested(c: Span, cats: list[Span]) -> bool:
    """"من بينهم 19": a count inside the previous one."""
    return any(m.attrs["form"] == "nested" and 0 <= c.first - m.last - 1 < NESTED_WINDOW for m in cats)


def _final_subject(category: str, group: Span | None, speaker, gaz, subs: list[Span], c: Span) -> str:
    if category in _FIXED_SUBJECT:
        return _FIXED_SUBJECT[category]
    subject = group.label if group is not None else "unspecified"
    if subject == "self":
        subject = (gaz.members(speaker) if speaker else None) or "unspecified"
    if category == "troops" and subject in ("people", "unspecified"):
        # "تعداد قوات حفظ السلام ... 2500 شخص": the force named earlier in the sentence
        named = [m.label for m in subs if m.last < c.first and m.label in ("peacekeepers", "security_forces")]
        if named:
            subject = named[-1]
    return subject


def _location(text: str, c: Span, entities: list[Span], tokens, starts, sentence: Sentence, clause) -> Span | None:
    """The place the count happened: a place after "في" (or ب-) in the count's clause, nearest to it."""
    loc_words = _locative_words()
    first, stop = sentence.first, sentence.stop
    best, best_key = None, None
    lo, hi = tokens[first].start, tokens[stop - 1].end
    for en in entities:
        if en.attrs["type"] != "place" or en.start < lo or en.end > hi:
            continue
        k = bisect.bisect_right(starts, en.start, first, stop) - 1
        tok = tokens[k]
        prefix_b = tok.start < en.start and normalize_word(text[tok.start:en.start]).endswith("ب")
        before = [tokens[j].norm for j in range(max(first, k - 2), k)]
        if not (prefix_b or any(w in loc_words for w in before)):
            continue
        if clause.get(k) != clause.get(c.first):
            continue
        key = abs(k - c.first)
        if best_key is None or key < best_key:
            best, best_key = en, key
    return best


@lru_cache(maxsize=1)
def _locative_words() -> frozenset[str]:
    return frozenset(normalize_word(r["term"]) for r in read_tsv(LEXICONS / "categories.tsv") if r["form"] == "locative")
