"""Actors and places with canonical ids, and the clitic-tolerant word matching the claims layer shares.

Matching runs on the normalized text (kzlib.normalize), token by token, so spelling variants of
hamza / alef / ya / diacritics fold together; offsets are mapped back to the ORIGINAL text.
Arabic attaches conjunctions, prepositions and the article to the word ("وبكازاخستان", "للمنظمة")
and pronouns / plural endings after it ("أصيبوا", "إصابتهم"); lexicons list stems only and the
affix rules below accept the attached forms, so no lexicon has to list every inflection.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate, chain, compress, repeat
from operator import add, is_, is_not, itemgetter
from pathlib import Path
from typing import Callable, Iterable, NamedTuple

from kzlib.normalize import COMBINING_MARKS, FoldedOffsets, Normalized, normalize, normalize_word
from kzlib.lexicon_files import lexicon_path, lexicon_rows

# --- tokens -------------------------------------------------------------------------------------

_TOKEN_RE = re.compile(r"[^\W_]+")


class Token(NamedTuple):
    norm: str     # normalized form
    start: int    # offsets into the ORIGINAL text
    end: int


# Tokens are built by C-level map/zip/accumulate (no Python frame per word): tokenization runs once per word
# of the corpus.
_tuple_new = tuple.__new__                # map(_tuple_new, repeat(Token), rows): C-level
_norm_of = itemgetter(0)                  # Token.norm, as a C-level function for map()
_UNSEEN = object()                        # a word not planned yet (None means: no entry starts here)
# split with a group gives [separator, word, separator, word, ..., separator]: words and, from the lengths,
# their offsets, without a match object per word; \w+ is [^\W_]+ when the text holds no underscore, and the
# simpler class scans faster
_TOKEN_SPLIT_RE, _WORD_SPLIT_RE = re.compile(r"([^\W_]+)"), re.compile(r"(\w+)")
_COMBINING_RUN_RE = re.compile("[" + "".join(sorted(COMBINING_MARKS)) + "]+")


def tokenize(text: str, normalized: Normalized | None = None) -> list[Token]:
    """Word tokens of `text` (letters and digits), normalized, with original offsets.

    `normalized` may pass `normalize(text)` when the caller needs it too (one fold per article)."""
    return tokenize_with_starts(text, normalized)[0]


def tokenize_with_starts(text: str, normalized: Normalized | None = None) -> tuple[list[Token], list[str], list[int]]:
    """`tokenize`, with the tokens' normalized words and start offsets as lists (Doc.words, Doc.token_starts)."""
    normalized = normalize(text) if normalized is None else normalized
    folded = normalized.text
    parts = (_TOKEN_SPLIT_RE if "_" in folded else _WORD_SPLIT_RE).split(folded)
    if len(parts) == 1:
        return [], [], []
    edges = list(accumulate(map(len, parts)))   # edges[2k], edges[2k + 1]: folded start and end of word k
    edges.pop()
    offsets = normalized.offsets
    ends_at_runs = () if isinstance(offsets, range) else _to_original_edges(edges, offsets)
    starts, ends = edges[::2], edges[1::2]
    for k, start, end in ends_at_runs:
        # a token closed by a deleted run takes the diacritics that open it (not an invisible mark)
        run = _COMBINING_RUN_RE.match(text, start, end)
        if run:
            ends[k] = run.end()
    words = parts[1::2]
    return list(map(_tuple_new, repeat(Token), zip(words, starts, ends))), words, starts


def _to_original_edges(edges: list[int], offsets: FoldedOffsets) -> list[tuple[int, int, int]]:
    """Map the folded word edges to original offsets in place, a start to its letter's original index, an end
    after its last letter's; returns (word k, deleted run start, run end) for each word a deleted run closes.

    Edges between two deleted runs move by the same shift: one C-level map per run, not a lookup per word."""
    pieces, cut, closed = [], 0, []
    for j, bound in enumerate(offsets.bounds):   # bound: the folded index of the first character after run j
        q = bisect_left(edges, bound, cut)
        if q < len(edges) and edges[q] == bound and q % 2:   # a word ends where run j starts: it stays before
            q += 1
            closed.append((q // 2 - 1, bound + offsets.shifts[j], bound + offsets.shifts[j + 1]))
        pieces.append(map(add, edges[cut:q], repeat(offsets.shifts[j])))
        cut = q
    pieces.append(map(add, edges[cut:], repeat(offsets.shifts[-1])))
    edges[:] = chain.from_iterable(pieces)
    return closed


# --- affixes ------------------------------------------------------------------------------------
# Morphology, not vocabulary: the closed set of Arabic clitics and inflectional endings.

_CONJ = ("", "و", "ف")
_NOUN_PREFIXES = tuple(
    sorted({c + p + a for c in _CONJ for p in ("", "ب", "ل", "ك") for a in ("", "ال")} | {c + "لل" for c in _CONJ}, key=len)
)
_VERB_PREFIXES = tuple(sorted({c + f + i for c in _CONJ for f in ("", "س", "ل") for i in ("", "ي", "ت", "ن")}, key=len))
_CONJ_PREFIXES = _CONJ
# a place name takes prepositions but never an article of its own: "المالي" (financial) is not Mali,
# "للعراق" is ل + العراق (checked in Lexicon._plan)
_PLACE_PREFIXES = tuple(sorted({c + p for c in _CONJ for p in ("", "ب", "ل", "ك", "من")} | {c + "لل" for c in _CONJ}, key=len))
_NOUN_SUFFIXES = ("", "ا", "ين", "ون", "ات", "ان", "ه", "ها", "هم", "هما", "هن", "ي", "نا", "كم", "ك", "يه", "يها", "يهم", "ا")
_VERB_SUFFIXES = ("", "ت", "وا", "ا", "ن", "نا", "تم", "تا", "و", "ه", "ها", "هم", "ته", "تها", "تهم", "وه", "وهم", "ي")

# form column of a lexicon -> (prefixes, suffixes) accepted on the first / last word
POLICIES = {
    "noun": (_NOUN_PREFIXES, _NOUN_SUFFIXES),
    "counted_noun": (_NOUN_PREFIXES, _NOUN_SUFFIXES),
    "phrase": (_NOUN_PREFIXES, _NOUN_SUFFIXES),
    "speaker": (_CONJ_PREFIXES, ("",)),
    "verb": (_VERB_PREFIXES, _VERB_SUFFIXES),
    "name": (_NOUN_PREFIXES, ("",)),
    "place": (_PLACE_PREFIXES, ("",)),
    # particles and clause words of categories.tsv take a conjunction only: "كلمة" is not ك + لم + ه
    "negation": (_CONJ_PREFIXES, ("",)),
    "boundary": (_CONJ_PREFIXES, ("",)),
    "continuation": (_CONJ_PREFIXES, ("",)),
    "toll": (_VERB_PREFIXES, _VERB_SUFFIXES),
    "exact": (_CONJ_PREFIXES, ("",)),
}
_ALL_PREFIXES = tuple(sorted({p for ps, _ in POLICIES.values() for p in ps}, key=len))
_ALL_SUFFIXES = tuple(sorted({s for _, ss in POLICIES.values() for s in ss}, key=len))
_PLAN_CACHE_SIZE = 200_000   # distinct words planned per lexicon before the plans are dropped (bounded memory)
_PREFIX_SET, _SUFFIX_SET = frozenset(_ALL_PREFIXES), frozenset(_ALL_SUFFIXES)
_MAX_PREFIX, _MAX_SUFFIX = max(map(len, _ALL_PREFIXES)), max(map(len, _ALL_SUFFIXES))


@lru_cache(maxsize=1)
def _ta_marbuta() -> str:
    return normalize_word("ة")


@dataclass(frozen=True)
class Entry:
    words: tuple[str, ...]   # normalized words of the term
    label: str               # category / subject / actor id ...
    form: str                # affix policy (POLICIES key)
    row: dict                # the lexicon row, for extra columns

    @property
    def context(self) -> str:
        """The row's `context` id ("" when none): a gazetteer variant that counts only beside that id."""
        return self.row.get("context") or ""


class Match(NamedTuple):   # a NamedTuple: built for every lexicon hit of the corpus, cheaper than a dataclass
    entry: Entry
    first: int               # token index of the first word
    last: int                # token index of the last word (inclusive)
    prefix: str              # clitic prefix on the first word
    suffix: str = ""         # inflectional suffix on a one-word match


def _stem_forms(core: str, suffix: str, ta: str) -> list[str]:
    """The spellings a lexicon may list a stem under once `suffix` is cut off: the core itself, with ة for
    ت before a suffix (إصابتهم -> إصابة + هم), with ة dropped by a plural or dual ending (إصابات -> إصابة)."""
    forms = [core]
    if suffix and core.endswith("ت"):
        forms.append(core[:-1] + ta)
    if suffix in _TA_DROPPING_ENDINGS:
        forms.append(core + ta)
    return forms


_TA_DROPPING_ENDINGS = frozenset(("ات", "ان", "ين", "ون", "ا", "ي"))


def _article_before_place(entry: Entry, prefix: str, core: str) -> bool:
    """لل is ل + the article: "للمالي" is "for the financial", not "for Mali" (a place takes no article)."""
    return entry.form == "place" and prefix.endswith("لل") and not core.startswith("ال")


def _fewer_words(candidate: tuple) -> int:
    """Sort key of a plan's multi-word candidates: the longest entry first."""
    return -len(candidate[0].words)


class Lexicon:
    """Terms (possibly several words) matched on tokens with clitic prefixes and inflectional suffixes."""

    def __init__(self, entries: Iterable[Entry]):
        self.entries = list(entries)
        self._by_first: dict[str, list[Entry]] = {}
        for entry in self.entries:
            self._by_first.setdefault(entry.words[0], []).append(entry)
        self._plans: dict[str, tuple | None] = {}
        self._last_cache: dict[tuple, frozenset[str]] = {}
        for bucket in self._by_first.values():
            bucket.sort(key=lambda e: -len(e.words))

    @classmethod
    def from_rows(cls, rows: Iterable[dict], label_column: str, form_default: str = "noun") -> "Lexicon":
        entries = []
        for row in rows:
            words = tuple(t.norm for t in tokenize(row["term"]))
            if words:
                entries.append(Entry(words, row[label_column], row.get("form") or form_default, row))
        return cls(entries)

    def _cores(self, word: str, suffix_allowed: bool):
        """(prefix, core, suffix) splits of `word` whose core is a known first word."""
        ta = _ta_marbuta()
        for n in range(min(len(word), _MAX_PREFIX) + 1):
            prefix = word[:n]
            if prefix not in _PREFIX_SET:
                continue
            rest = word[n:]
            # ل + ال is written لل: the stem may be listed with or without its article
            for rest in ((rest, "ال" + rest) if prefix.endswith("لل") else (rest,)):
                yield from self._splits(prefix, rest, suffix_allowed, ta)

    def _splits(self, prefix: str, rest: str, suffix_allowed: bool, ta: str):
        for n in range(min(len(rest), _MAX_SUFFIX) + 1 if suffix_allowed else 1):
            suffix = rest[len(rest) - n:] if n else ""
            core = rest[: len(rest) - n]
            if suffix not in _SUFFIX_SET or len(core) < 2:
                continue
            for c in _stem_forms(core, suffix, ta):
                if c in self._by_first:
                    yield prefix, c, suffix

    def _plan(self, word: str) -> tuple | None:
        """What may match at a token `word`, worked out once per distinct word (news vocabulary repeats):
        ``(singles, multis)`` with one-word matches ``(entry, prefix, suffix)`` in the order matches_at
        reports them and multi-word candidates ``(entry, prefix, accepted forms of the last word)``;
        None when no entry can start at this word (most words)."""
        try:
            return self._plans[word]
        except KeyError:
            pass
        if len(self._plans) > _PLAN_CACHE_SIZE:
            self._plans.clear()
        singles, multis = self._candidates(word)
        plan = self._plans[word] = (tuple(singles), _Multis(multis)) if singles or multis else None
        return plan

    def _candidates(self, word: str) -> tuple[list[tuple], list[tuple]]:
        """The one-word matches and the multi-word candidates (longest first) of _plan."""
        singles, multis = [], []
        for prefix, core, suffix in self._cores(word, suffix_allowed=True):
            for entry in self._by_first[core]:
                prefixes, suffixes = POLICIES.get(entry.form, POLICIES["noun"])
                if prefix not in prefixes or _article_before_place(entry, prefix, core):
                    continue
                if len(entry.words) == 1:
                    if suffix in suffixes:
                        singles.append((entry, prefix, suffix))
                elif not suffix:
                    multis.append((entry, prefix, self._last_forms(entry.words[-1], suffixes)))
        multis.sort(key=_fewer_words)   # longest first, stable: the order matches_at reports
        return singles, multis

    def _last_forms(self, stem: str, suffixes) -> frozenset[str]:
        """Spellings the last word of a multi-word term may take: the stem, or a base + a non-empty suffix."""
        key = (stem, suffixes)
        forms = self._last_cache.get(key)
        if forms is None:
            ta = _ta_marbuta()
            bases = [stem] + ([stem[:-1] + "ت", stem[:-1]] if stem.endswith(ta) else [])
            forms = self._last_cache[key] = frozenset([stem] + [b + s for b in bases for s in suffixes if s])
        return forms

    def starts(self, tokens: list[Token], first: int = 0, stop: int | None = None) -> list[int]:
        """Indexes in [first, stop), in order, of tokens that may start an entry (matches_at runs only there).

        One dict lookup per token, done by C-level map/compress: this runs over every word of the corpus."""
        stop = len(tokens) if stop is None else stop
        words = list(map(_norm_of, tokens[first:stop]))
        plans = list(map(self._plans.get, words, repeat(_UNSEEN, len(words))))
        if any(map(is_, plans, repeat(_UNSEEN))):  # words met for the first time: plan them once
            plans = [self._plan(w) if p is _UNSEEN else p for w, p in zip(words, plans)]
        return list(compress(range(first, stop), map(is_not, plans, repeat(None))))

    def matches_at(self, tokens: list[Token], i: int) -> list[Match]:
        """All entries matching at token i, longest first."""
        plan = self._plan(tokens[i].norm)
        if plan is None:
            return []  # most words start no entry
        singles, multis = plan
        found = [Match(entry, i, i, prefix, suffix) for entry, prefix, suffix in singles]
        if multis:
            n_tokens = len(tokens)
            longer = []
            for entry, prefix, last_forms in multis:
                words = entry.words
                n = len(words)
                if i + n > n_tokens:
                    continue
                if _written_at(tokens, i, words, last_forms):
                    longer.append(Match(entry, i, i + n - 1, prefix))
            if longer:
                found = longer + found      # the plan lists multi-word candidates longest first already
        return found

    def first_at(self, tokens: list[Token], i: int, stop: int | None = None) -> Match | None:
        """`matches_at(tokens, i)[0]` among the matches ending before token `stop`, or None; without
        building the others (a multi-word match wins, the longest first, then the first one-word one)."""
        plan = self._plan(tokens[i].norm)
        if plan is None:
            return None
        singles, multis = plan
        if multis:
            m = _longest_multi(multis, tokens, i, len(tokens) if stop is None else min(stop, len(tokens)))
            if m is not None:
                return Match(m[0], i, m[1], m[2])
        if singles:
            entry, prefix, suffix = singles[0]
            return Match(entry, i, i, prefix, suffix)
        return None

    def find_all(self, tokens: list[Token], first: int = 0, stop: int | None = None,
                 starts: list[int] | None = None) -> list[Match]:
        """Non-overlapping matches within tokens[first:stop], left to right, longest match at each position.

        `starts` may pass `starts(tokens)` of the whole token list, computed once (LexiconIndex)."""
        stop = len(tokens) if stop is None else stop
        if starts is None:
            starts = self.starts(tokens, first, stop)
        else:
            starts = starts[bisect_left(starts, first):bisect_left(starts, stop)]
        out, after = [], first          # `after`: the first token not inside the previous match
        for i in starts:
            if i < after:
                continue
            m = self.first_at(tokens, i, stop)
            if m is not None:
                out.append(m)
                after = m.last + 1
        return out


class LexiconIndex:
    """Where each of several lexicons may start in a token list, found with one dict lookup per token
    (instead of one per token and lexicon): the extraction asks five lexicons and the number words
    about every word. A member is a Lexicon or a predicate on a normalized word."""

    def __init__(self, members: Iterable["Lexicon | Callable[[str], bool]"]):
        self.members = tuple(members)
        if len(self.members) > 8:
            raise ValueError("a LexiconIndex holds at most 8 members: a word's mask is one byte")
        self._tests = tuple(_starts_test(m) for m in self.members)
        self._masks: dict[str, int] = {}          # word -> bit k set when members[k] may start there
        # per member, a bytes.translate table: a mask byte -> 1 when the member may start there, else 0
        self._member_bits = tuple(bytes((mask >> k) & 1 for mask in range(256)) for k in range(len(self.members)))

    def _mask(self, word: str) -> int:
        if len(self._masks) > _PLAN_CACHE_SIZE:
            self._masks.clear()
        mask = self._masks[word] = sum(1 << k for k, test in enumerate(self._tests) if test(word))
        return mask

    def starts(self, tokens: list[Token], words: list[str] | None = None) -> list[list[int]]:
        """`[member.starts(tokens) ...]`: for each member, the token indexes where it may start, in order.

        `words` may pass the tokens' normalized words as a list (Doc.words)."""
        words = list(map(_norm_of, tokens)) if words is None else words
        masks = list(map(self._masks.get, words))
        if None in masks:  # words met for the first time
            masks = [self._mask(w) if m is None else m for w, m in zip(words, masks)]
        hits = list(compress(range(len(masks)), masks))      # the few tokens where any member starts
        hit_masks = bytes(compress(masks, masks))
        # per member, its bit of each hit's mask as one byte (one C-level translate), then the hits it selects
        return [list(compress(hits, hit_masks.translate(bits))) for bits in self._member_bits]


def _starts_test(member) -> Callable[[str], bool]:
    if isinstance(member, Lexicon):
        return lambda word: member._plan(word) is not None
    return member


def _written_at(tokens: list[Token], i: int, words: tuple[str, ...], last_forms: frozenset[str]) -> bool:
    """A multi-word term is written at tokens[i:] (the caller checked it fits and its first word): its last
    word in one of `last_forms` (Lexicon._last_forms), its inner words exactly the term's."""
    n = len(words)
    return tokens[i + n - 1].norm in last_forms and (n == 2 or all(tokens[i + k].norm == words[k] for k in range(1, n - 1)))


# --- the gazetteer ------------------------------------------------------------------------------

class Entity(NamedTuple):   # a NamedTuple: one per name mention of the corpus
    id: str
    type: str    # person | institution | media | place | organization
    start: int
    end: int
    surface: str


class _Choice:
    """The candidates of one word for `Gazetteer.find`: which entry wins at a token is the longest
    multi-word variant that matches (lexicon order on a tie), else the first one-word variant -- the
    first of `Lexicon.matches_at`, worked out without building every match."""

    __slots__ = ("singles", "multis", "context", "single", "free_single", "free_multis")

    def __init__(self, singles, multis):
        self.singles = singles      # ((entry, prefix), ...) in lexicon order
        self.multis = multis        # ((entry, prefix, last forms), ...) longest first, stable
        self.context = any(e.context for e, *_ in singles + multis)
        # what does not depend on the text, worked out once: the first one-word variant, with or without context
        self.single = singles[0] if singles else None
        self.free_single = next((s for s in singles if not s[0].context), None)
        self.free_multis = _Multis(m for m in multis if not m[0].context)

    @classmethod
    def of(cls, plan) -> "_Choice":
        singles, multis = plan          # the plan lists multi-word candidates longest first already
        return cls(tuple((e, p) for e, p, _ in singles), multis)

    def first(self, tokens, i, present: set[str] | None = None) -> tuple | None:
        """(entry, last token, prefix) of the winning match at token i; a variant with a context only when
        `present` holds that id."""
        if self.multis:
            m = _longest_multi(self.multis, tokens, i, len(tokens), present)
            if m is not None:
                return m
        if present is None or not self.context:
            single = self.single
        else:
            single = next((s for s in self.singles if not s[0].context or s[0].context in present), None)
        return None if single is None else (single[0], i, single[1])

    def first_free(self, tokens, i) -> tuple | None:
        """`first` among the variants without a context."""
        if self.free_multis:
            m = _longest_multi(self.free_multis, tokens, i, len(tokens))
            if m is not None:
                return m
        single = self.free_single
        return None if single is None else (single[0], i, single[1])


class _Multis(tuple):
    """A plan's multi-word candidates ``(entry, prefix, last forms)``, longest first, with an index by the
    spelling of their second word (`by_second`): a word that opens many variants ("جمهورية ...", "مدينة ...")
    is then checked only against those whose second word is the next token."""

    def __init__(self, _candidates=()):
        index: dict[str, list] = {}
        for m in self:
            entry, _prefix, last_forms = m
            for form in (last_forms if len(entry.words) == 2 else (entry.words[1],)):
                index.setdefault(form, []).append(m)
        self.by_second = {k: tuple(v) for k, v in index.items()}


def _longest_multi(multis, tokens: list[Token], i: int, limit: int, present: set[str] | None = None) -> tuple | None:
    """(entry, last token, prefix) of the first of `multis` (a plan's multi-word candidates, longest first)
    written at tokens[i:] and ending before token `limit`; with `present`, a variant with a context counts
    only when `present` holds that id."""
    if i + 1 >= len(tokens):
        return None
    for entry, prefix, last_forms in multis.by_second.get(tokens[i + 1].norm, ()):
        words = entry.words
        last = i + len(words) - 1
        if last >= limit or (present is not None and entry.context and entry.context not in present):
            continue
        if _written_at(tokens, i, words, last_forms):
            return entry, last, prefix
    return None


def _check_rows(rows: list[dict], source: str) -> None:
    """Every gazetteer row has an id, a type and a variant."""
    for n, row in enumerate(rows, start=2):
        for col in ("id", "type", "variant"):
            if not row.get(col):
                raise ValueError(f"{source}: line {getattr(row, 'line', n)}: empty {col!r}")


def _info_by_id(rows: list[dict]) -> dict[str, dict]:
    """id -> type, English and Arabic name, role: those of the id's first row."""
    info: dict[str, dict] = {}
    for row in rows:
        info.setdefault(
            row["id"], {"type": row["type"], "name_en": row.get("name_en", ""), "name_ar": row["variant"], "role": row.get("role", "")}
        )
    return info


def _variant_entries(rows: list[dict]) -> list[Entry]:
    """One Entry per row (label = id; places match with the place policy), a context variant before a free one."""
    entries = [Entry(tuple(t.norm for t in tokenize(r["variant"])), r["id"], "place" if r["type"] == "place" else "name", r)
               for r in rows]
    entries.sort(key=_free_variant)       # stable
    return entries


def _free_variant(entry: Entry) -> bool:
    """Sort key: a variant without a context after one with a context."""
    return not entry.context


class Gazetteer:
    """Actors and places of lexicons/actors.tsv, countries.tsv and places.tsv; one row per Arabic spelling variant.

    Places (type place) match with the `place` affix policy. Where one spelling has a variant with a
    `context` and one without ("طرابلس": Lebanon's city in an article naming Lebanon, else Libya's capital),
    the context variant is tried first."""

    def __init__(self, rows: list[dict], source: str = "actors.tsv"):
        _check_rows(rows, source)
        self.rows = rows
        self._info = _info_by_id(rows)
        entries = _variant_entries(rows)
        self._gender = {(e.label, e.words): e.row.get("gender") or None for e in entries}
        self._members = {r["id"]: r["members"] for r in rows if r.get("members")}
        self._gender_memo: dict[tuple[str, str], str | None] = {}
        self._all = Lexicon([e for e in entries if e.words])
        self._choices: dict[str, _Choice] = {}   # word -> what may match there (built from the lexicon's plan)

    @property
    def lexicon(self) -> Lexicon:
        """All variants as one Lexicon (label = actor id)."""
        return self._all

    def find(self, text: str, tokens: list[Token] | None = None) -> list[Entity]:
        """Entities in `text`, longest match first, offsets into `text` (clitic prefix excluded).

        A variant with a `context` id ("المنظمة" -> csto) counts only in a text that names that id."""
        return self.find_indexed(text, tokenize(text) if tokens is None else tokens)[0]

    def find_indexed(self, text: str, tokens: list[Token], starts: list[int] | None = None,
                     named: set[str] | None = None) -> tuple[list[Entity], list[int], list[int]]:
        """`find`, with each entity's first and last token index (the word holding its clitic prefix first).

        `starts` may pass `self.lexicon.starts(tokens)` already computed (LexiconIndex). `named` may pass ids
        the rest of a longer text names (named_ids of its other parts): `text` is then one part of it, and a
        context variant counts when the whole text names its id."""
        mentions = self.mentions(text, tokens, starts, named)
        return ([Entity(id, type, start, end, text[start:end]) for id, type, start, end, _, _ in mentions],
                [m[4] for m in mentions], [m[5] for m in mentions])

    def mentions(self, text: str, tokens: list[Token], starts: list[int] | None = None,
                 named: set[str] | None = None) -> list[tuple[str, str, int, int, int, int]]:
        """`find_indexed` as rows (id, type, start, end, first token, last token): what the claims' layer of
        entities keeps, without an Entity and its surface string per name."""
        starts = self._all.starts(tokens) if starts is None else starts
        choices = self._choices_at(tokens, starts)
        present, free = self._present_ids(tokens, starts, choices, named)
        out, after = [], 0
        for i, choice in zip(starts, choices):
            if i < after:
                continue
            if choice.context:
                m = choice.first(tokens, i, present)
            elif i in free:
                m = free[i]     # without context variants, the winner is the one the free pass found here
            else:
                m = choice.first(tokens, i)
            if m is None:
                continue
            entry, last, prefix = m
            token = tokens[i]
            start = token.start + _prefix_length(text, token, prefix) if prefix else token.start
            out.append((entry.label, entry.row["type"], start, tokens[last].end, i, last))
            after = last + 1
        return out

    def _present_ids(self, tokens: list[Token], starts: list[int], choices: list["_Choice"],
                     named: set[str] | None) -> tuple[set[str] | None, dict]:
        """(ids the text and `named` name with a variant without a context, and the free pass's winner at each
        token it tried); (None, {}) when no context variant may occur (then no free pass is needed)."""
        if not any(c.context for c in choices):
            return None, {}
        present, free = self._free_ids(tokens, starts, choices)
        return (present | named if named else present), free

    def named_ids(self, tokens: list[Token]) -> set[str]:
        """Ids the tokens name with a variant without a context (what makes a context variant count)."""
        starts = self._all.starts(tokens)
        return self._free_ids(tokens, starts, self._choices_at(tokens, starts))[0]

    def _choices_at(self, tokens: list[Token], starts: list[int]) -> list["_Choice"]:
        """The _Choice of each start token: one dict lookup each by C-level map, a word met for the first
        time built once (one per distinct word, bounded like the plans)."""
        words = list(map(_norm_of, map(tokens.__getitem__, starts)))
        choices = list(map(self._choices.get, words))
        if None in choices:
            choices = [self._choice_of(w) if c is None else c for w, c in zip(words, choices)]
        return choices

    def _choice_of(self, word: str) -> "_Choice":
        if len(self._choices) > _PLAN_CACHE_SIZE:
            self._choices.clear()
        choice = self._choices[word] = _Choice.of(self._all._plan(word))
        return choice

    def _free_ids(self, tokens: list[Token], starts: list[int], choices: list["_Choice"]) -> tuple[set[str], dict]:
        """Ids a greedy left-to-right match of the variants without a `context` finds, and that pass's
        winner (or None) at each token it tried."""
        ids, after, tried = set(), 0, {}
        for i, choice in zip(starts, choices):
            if i < after:
                continue
            m = tried[i] = choice.first_free(tokens, i)
            if m is not None:
                ids.add(m[0].label)
                after = m[1] + 1
        return ids, tried

    def gender(self, entity: Entity) -> str | None:
        """Grammatical gender (m / f) of the variant the entity was written as."""
        return self.gender_of(entity.id, entity.surface)

    def gender_of(self, id: str, surface: str) -> str | None:
        """Grammatical gender (m / f) of actor `id` written as `surface`."""
        key = (id, surface)
        if key not in self._gender_memo:  # the same names recur in every article: decide each spelling once
            words = tuple(t.norm for t in tokenize(surface))
            if (id, words) in self._gender:
                self._gender_memo[key] = self._gender[(id, words)]
            else:
                self._gender_memo[key] = next((g for (i, _), g in self._gender.items() if i == id), None)
        return self._gender_memo[key]

    def members(self, id: str) -> str | None:
        """Subject id of an actor's own people ("من أفرادها" said by an interior ministry -> security_forces)."""
        return self._members.get(id)

    def lookup(self, surface: str) -> str | None:
        """Canonical id of a surface form (the whole string must be one variant, clitics allowed)."""
        tokens = tokenize(surface)
        if not tokens:
            return None
        for m in self._all.matches_at(tokens, 0):
            if m.last == len(tokens) - 1:
                return m.entry.label
        return None

    def info(self, id: str) -> dict:
        try:
            return dict(self._info[id])
        except KeyError:
            raise KeyError(f"unknown actor/place id {id!r} (not in actors.tsv)") from None

    @property
    def ids(self) -> set[str]:
        return set(self._info)


def _prefix_length(text: str, token: Token, prefix: str) -> int:
    """Length in the original text of a clitic prefix (diacritics may sit between its letters)."""
    if not prefix:
        return 0
    n = len(prefix)
    if token.end - token.start == len(token.norm):
        return n        # nothing folded away inside the word: the prefix is its first n characters
    surface = text[token.start:token.end]
    seen = 0
    for k, ch in enumerate(surface):
        if _TOKEN_RE.match(normalize(ch).text or "-"):
            seen += 1
            if seen == n:
                return k + 1
    return 0


PLACE_FILES = ("countries", "places")    # lexicon names (kzlib.lexicon_files)
PLACE_COLUMNS = ("id", "name_en", "variant", "kind", "country", "context", "note")


def read_places(name: str = "places", path: str | Path | None = None) -> list[dict]:
    """Rows of a places file (PLACE_COLUMNS: the lexicon `name`, or a file of its format at `path`) as
    gazetteer rows of type place."""
    path = path or lexicon_path(name)
    rows = lexicon_rows(name, path)
    if rows and tuple(rows[0]) != PLACE_COLUMNS:
        raise ValueError(f"{path}: line 1: columns {tuple(rows[0])}, expected {PLACE_COLUMNS}")
    for row in rows:
        if not row["id"] or not row["variant"]:
            raise ValueError(f"{path}: line {row.line}: empty id or variant")
        row["type"] = "place"
    return rows


@lru_cache(maxsize=4)
def load_gazetteer(path: str | Path | None = None) -> Gazetteer:
    """The shipped gazetteer (actors.tsv + the place files), or the actors-format file at `path` alone."""
    if path:
        return Gazetteer(lexicon_rows("actors", path), source=str(path))
    rows = lexicon_rows("actors")
    for name in PLACE_FILES:
        rows += read_places(name)
    return Gazetteer(rows, source=str(lexicon_path("actors")))
