"""Speaker noun phrases as written: who a reporting cue names, whether the gazetteer knows it or not.

A small chunker over tokens (no parser): from the first word of a subject ("قالت وزارة الصحة في غزة إن",
"حسب مصادر طبية", "وفقاً للمنظمة الدولية للهجرة") it takes the head noun, its إضافة chain and adjectives
(a word follows when the word before it is in construct state -- written without the article -- or
when it carries the article itself, or is a nisba adjective after an indefinite noun: "مصادر طبية"),
complements joined by باسم / في / a ب- or ل- prefix ("المتحدث باسم الشرطة", "نقابة الأطباء في اليمن",
"وزارة الصحة بولاية شمال كردفان"), a parenthesised acronym ("(أوتشا)"), and a person named after a
comma ("المتحدث باسم الشرطة، جوزيف أوتينو"). It stops at punctuation, numbers, reporting verbs,
category words, complementizers and the `stop` words of lexicons/source_phrases.tsv.

The phrase's type (source_type of VOCABULARY.md) comes from its head words in source_phrases.tsv: the
first head that does not defer to its complement ("المتحدث باسم وزارة الصحة" -> health_authority);
its id, when the gazetteer does not know it, is built from the folded phrase (`open_id`), so the same
source written the same way groups across articles and outlets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from kzlib.gazetteer import Lexicon
from kzlib.normalize import normalize_word
from kzlib.numbers import may_be_quantity_word
from kzlib.lexicon_files import lexicon_rows

MAX_PHRASE_TOKENS = 12       # a speaker phrase longer than this is not one phrase
MAX_APPOSITION_TOKENS = 5    # a person named after a comma: "، جوزيف أوتينو،"
MAX_ACRONYM_CHARS = 40       # "(أوتشا)", "(سانا)"
_BREAK_RE = re.compile(r"[،,:;؛.!?؟\"«»“”\-–—/\n]")
_INSIDE_BREAK_RE = re.compile(r"[،,:;؛.!?؟\-–—/\n]")   # inside a phrase a quoted name may stand: منظمة «ضمير»
_COMMA_RE = re.compile(r"^\s*[،,]\s*$")
_HEAD_KINDS = ("institution", "person", "group")
_EVENT_FORMS = ("noun", "verb", "phrase")


class Phrase(NamedTuple):
    first: int          # token range (inclusive) of the phrase
    last: int
    start: int          # original offsets of the phrase as written (clitic ل/ب before it excluded)
    end: int


@dataclass(frozen=True)
class _Words:
    heads: Lexicon              # head words and their source_type (kind institution | person | group | ...)
    stops: frozenset[str]
    links: frozenset[str]
    same: frozenset[str]        # "المصدر ذاته": the speaker named before
    asides: frozenset[str]      # "، من جهتها،"
    anonymity: Lexicon          # "طلب عدم الكشف عن اسمه": part of the unnamed speaker's phrase

    def is_stop(self, word: str) -> bool:
        """A stop word, also with a clitic before it or a pronoun after it ("وبعد"، "ببيان"، "بيانها")."""
        return _is_stop(self.stops, word)


@lru_cache(maxsize=200_000)     # news vocabulary repeats: decide each word once (bounded)
def _is_stop(stops: frozenset[str], word: str) -> bool:
    return word in stops or _stop_with_clitic(stops, word) or _stop_with_pronoun(stops, word) \
        or _to_own_outlet(word)


def _stop_with_clitic(stops: frozenset[str], word: str) -> bool:
    """"وبعد"، "ببيان": a stop word with a clitic before it (content words only: "والي" is a governor, not
    و + إلى)."""
    for prefix in _STOP_PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= 4 and word[len(prefix):] in stops:
            return True
    return False


def _stop_with_pronoun(stops: frozenset[str], word: str) -> bool:
    """"بيانها": a stop word with a pronoun after it (ة written ت before it)."""
    for suffix in _PRONOUNS:
        if word.endswith(suffix) and len(word) - len(suffix) >= 2:
            core = word[:len(word) - len(suffix)]
            if core in stops or (core.endswith("ت") and core[:-1] + "ه" in stops):
                return True
    return False


def _to_own_outlet(word: str) -> bool:
    """"لقناتنا"، "لموقعنا": to the outlet itself."""
    return len(word) > 4 and word[0] == "ل" and word.endswith("نا")


_STOP_PREFIXES = ("و", "ف", "ب", "ل", "وب", "ول", "فب")
_PRONOUNS = ("ها", "هم", "هما", "ه", "نا")
_KINDS = (*_HEAD_KINDS, "title", "statement", "reporter", "link", "stop", "same", "aside", "anonymity")


@lru_cache(maxsize=1)
def _words() -> _Words:
    rows = lexicon_rows("source_phrases")
    _check_rows(rows)
    heads = Lexicon.from_rows([r for r in rows if r["kind"] not in ("link", "stop", "same", "aside", "anonymity")], "kind")
    anonymity = Lexicon.from_rows([r | {"form": "phrase"} for r in rows if r["kind"] == "anonymity"], "kind")
    return _Words(heads, _terms_of(rows, "stop"), _terms_of(rows, "link"), _terms_of(rows, "same"),
                  _terms_of(rows, "aside"), anonymity)


def _check_rows(rows: list[dict]) -> None:
    """Every row of source_phrases.tsv has a known kind, and a head row a source_type."""
    for row in rows:
        if row["kind"] not in _KINDS:
            raise ValueError(f"source_phrases.tsv: line {row.line}: unknown kind {row['kind']!r}")
        if row["kind"] in _HEAD_KINDS and not row["source_type"]:
            raise ValueError(f"source_phrases.tsv: line {row.line}: a {row['kind']} row needs a source_type")


def _terms_of(rows: list[dict], kind: str) -> frozenset[str]:
    """The folded terms of the rows of one kind."""
    return frozenset(normalize_word(r["term"]) for r in rows if r["kind"] == kind)


def head_lexicon() -> Lexicon:
    """The head words of source_phrases.tsv, as one Lexicon (for a LexiconIndex)."""
    return _words().heads


def head_at(tokens, k: int, last: int | None = None):
    """The longest source_phrases.tsv entry (not a link or stop word) starting at token k, or None."""
    return _words().heads.first_at(tokens, k, None if last is None else last + 1)


@lru_cache(maxsize=200_000)     # news vocabulary repeats: decide each word once (bounded)
def _word_nominal(word: str) -> bool | None:
    """Whether a word may be inside a speaker phrase wherever it stands: False (too short, a number, a link,
    "the same", "to our channel"), None (a stop word: only when a head word starts there), else True."""
    w = _words()
    if len(word) < 2 or word.isdigit() or may_be_quantity_word(word) or word in w.links or word in w.same \
            or _to_own_outlet(word):
        return False
    return None if w.is_stop(word) else True


def _nisba(word: str) -> bool:
    """A relational adjective ending (طبي، طبية، محليون): it agrees with an indefinite noun before it."""
    return len(word) >= 4 and word.endswith(("ي", "يه", "يون", "يين", "يان"))


def _definite(word: str) -> bool:
    return word.startswith(("ال", "وال", "بال", "لل"))


def _prefixed_complement(word: str, stops) -> bool:
    """"بولاية"، "لحقوق"، "للأمم": a complement joined by a ب- / ل- prefix (not "ببيان", "لوكالة")."""
    return len(word) >= 4 and word[0] in "بل" and not stops(word)


class Chunker:
    """Speaker phrases of one document. No phrase holds a cue word (`cue_starts`: tokens where the
    caller's reporting verbs and "according to" phrases start), a number, or an event word of `events`
    (a Lexicon whose entries of form noun / verb / phrase name what was counted: "أعلنت الشرطة مقتل")."""

    def __init__(self, doc, cue_starts: frozenset[int] = frozenset(), events: Lexicon | None = None,
                 event_starts: frozenset[int] = frozenset()):
        self.doc, self.tokens, self.text = doc, doc.tokens, doc.text
        self._cue_starts, self._events, self._event_starts = cue_starts, events, event_starts
        self.words = _words()
        self._nominals: dict[int, bool] = {}
        self._heads: dict[int | tuple[int, int], object] = {}     # token -> its longest head; (token, limit) -> one within it
        self._phrases: dict[tuple[int, int, bool], Phrase] = {}
        # tokens where a head word may start: one dict lookup per word, then head() looks only there
        starts = doc.candidates.get("heads")
        self._head_starts = frozenset(self.words.heads.starts(doc.tokens) if starts is None else starts)

    def head(self, k: int, last: int | None = None):
        """`head_at(tokens, k, last)`, without a lookup at the many tokens where no head can start, and
        once per token of the document (the chunker asks about the same words again, with several limits):
        a limit only drops the matches running past it, so the longest head serves every limit it fits in."""
        if k not in self._head_starts:
            return None
        try:
            found = self._heads[k]
        except KeyError:
            found = self._heads[k] = self.words.heads.first_at(self.tokens, k)
        if found is None or last is None or found.last <= last:
            return found
        return self._head_within(k, last)

    def _head_within(self, k: int, last: int):
        """The longest head at token k ending by token `last` (once per token and limit)."""
        key = (k, last)
        try:
            return self._heads[key]
        except KeyError:
            found = self._heads[key] = self.words.heads.first_at(self.tokens, k, last + 1)
            return found

    def _nominal(self, k: int) -> bool:
        """Token k may be inside a speaker phrase (decided once per token of the document)."""
        known = self._nominals.get(k)
        if known is None:
            known = self._nominals[k] = self._decide_nominal(k)
        return known

    def _decide_nominal(self, k: int) -> bool:
        verdict = _word_nominal(self.tokens[k].norm)     # what the word alone decides, once per word
        if verdict is False or self._blocked(k):
            return False
        return verdict or self.head(k) is not None

    def _blocked(self, k: int) -> bool:
        """A cue word or an event word ("مقتل") -- unless that word heads a speaker ("مدير مستشفى")."""
        if k in self._cue_starts:
            return True
        if self._events is None or k not in self._event_starts:
            return False
        m = self._events.first_at(self.tokens, k)
        return m is not None and m.entry.form in _EVENT_FORMS and self.head(k) is None

    def is_same(self, k: int) -> bool:
        """Token k says "the same (source)": "المصدر ذاته"، "البلاغ نفسه"."""
        return k < len(self.tokens) and self.tokens[k].norm in self.words.same

    def _gap(self, k: int) -> str:
        return self.text[self.tokens[k - 1].end:self.tokens[k].start]

    def phrase(self, j: int, stop: int, strip_prefix: bool = False) -> Phrase | None:
        """The speaker phrase starting at token j (before token `stop`), or None when token j cannot start one.

        `strip_prefix`: the phrase follows "وفقاً ل" / "طبقاً ل" and its first word carries that ل.
        Worked out once per (j, stop, strip_prefix) of the document: the attribution asks again."""
        if j >= stop or not self._nominal(j):
            return None
        key = (j, stop, strip_prefix)
        try:
            return self._phrases[key]
        except KeyError:
            found = self._phrases[key] = self._chunk(j, stop, strip_prefix)
            return found

    def _chunk(self, j: int, stop: int, strip_prefix: bool) -> Phrase:
        tokens = self.tokens
        last, end = self._words_after_head(j, stop)
        if end is None:
            last = self._anonymity(last, stop)
            end = self._apposition(j, last, stop) or tokens[last].end
            if end != tokens[last].end:
                last = self._last_before(end, last, stop)
        start = tokens[j].start + (self._prefix_chars(j) if strip_prefix else 0)
        return Phrase(j, last, start, end)

    def _words_after_head(self, j: int, stop: int) -> tuple[int, int | None]:
        """(last token, end offset) of the head at token j and the words that continue it (its إضافة chain,
        adjectives, linked complements); the end is that of a parenthesised acronym closing the phrase, else None."""
        tokens, w, text = self.tokens, self.words, self.text
        last, k, pending_link = j, j + 1, False
        noun_before = True      # the word before is a noun (the head, a complement), not an adjective
        while k < stop and k - j < MAX_PHRASE_TOKENS:
            gap = text[tokens[k - 1].end:tokens[k].start]
            if "(" in gap:
                return self._acronym_close(k, last, stop)
            if _INSIDE_BREAK_RE.search(gap):
                break
            word = tokens[k].norm
            if word in w.links:
                pending_link, k = True, k + 1
                continue
            if not self._nominal(k) or not (pending_link or self._continues(tokens[last].norm, word, last, noun_before)):
                break
            noun_before = pending_link or self._noun(k, word)
            last, k, pending_link = k, k + 1, False
        return last, None

    def _noun(self, k: int, word: str) -> bool:
        """The word at token k is a noun a complement may follow: a ب- / ل- complement or a head word."""
        return _prefixed_complement(word, self.words.is_stop) or self.head(k) is not None

    def _acronym_close(self, k: int, last: int, stop: int) -> tuple[int, int | None]:
        """(last token, end) of a phrase whose token `last` a parenthesis follows (before token k): through
        a short acronym ("(أوتشا)"), else the phrase ends at `last` (end None)."""
        end = self._acronym_end(k)
        if end is None:
            return last, None
        return self._last_before(end, k, stop), end

    def _anonymity(self, last: int, stop: int) -> int:
        """The last token of "طلب عدم الكشف عن اسمه" / "، فضّل عدم ذكر اسمه" right after a phrase, else `last`."""
        k = last + 1
        if k >= stop or _BREAK_RE.search(self._gap(k).replace("،", "").replace(",", "")):
            return last
        m = self.words.anonymity.first_at(self.tokens, k, stop)
        return last if m is None else m.last

    def _continues(self, before: str, word: str, k_before: int, noun_before: bool = True) -> bool:
        if _definite(word) or _prefixed_complement(word, self.words.is_stop):
            return True
        if word.startswith("و"):
            return False            # "و" + an indefinite word: a new clause or a second noun phrase
        head = self.head(k_before)
        if head is not None and head.entry.row["kind"] == "title":
            return True             # "العميد نبيل": the name after a title
        if not _definite(before) and (noun_before or not _nisba(before)):
            return True             # construct state or a name: "لجنة أطباء"، "جوزيف أوتينو"
        return _nisba(word) and not _definite(before)

    def _acronym_end(self, k: int) -> int | None:
        """End offset (after ")") of a short parenthesis opening before token k, or None."""
        open_at = self.text.rfind("(", self.tokens[k - 1].end, self.tokens[k].start)
        close = self.text.find(")", open_at, open_at + MAX_ACRONYM_CHARS)
        if close == -1 or _BREAK_RE.search(self.text, open_at + 1, close):
            return None
        return close + 1

    def _last_before(self, end: int, k: int, stop: int) -> int:
        """The last token ending at or before `end`, from token k on."""
        while k + 1 < stop and self.tokens[k + 1].end <= end:
            k += 1
        return k

    def _apposition(self, j: int, last: int, stop: int) -> int | None:
        """End offset of a person named after a comma ("المتحدث باسم الشرطة، جوزيف أوتينو، إن"), or None."""
        k = last + 1
        if k >= stop or not _COMMA_RE.match(self._gap(k)) or not self._person_phrase(j, last):
            return None
        n = self._name_words(k, stop)
        if n == 0 or n > MAX_APPOSITION_TOKENS:
            return None
        return self._close_apposition(k, n, stop)

    def _name_words(self, k: int, stop: int) -> int:
        """How many words from token k may make the name (up to MAX_APPOSITION_TOKENS + 1): to a break or a
        word that is no noun (a link word "بن" is part of it)."""
        n = 0
        while k + n < stop and n < MAX_APPOSITION_TOKENS + 1:
            if n and _BREAK_RE.search(self._gap(k + n)):
                break
            if not self._nominal(k + n) and self.tokens[k + n].norm not in self.words.links:
                break
            n += 1
        return n

    def _close_apposition(self, k: int, n: int, stop: int) -> int | None:
        # the name must end the subject: a comma, a colon, a complementizer or the sentence end after it
        after = k + n
        if after < stop and not _BREAK_RE.search(self._gap(after)) and not self.words.is_stop(self.tokens[after].norm):
            return None
        return self.tokens[k + n - 1].end

    def _person_phrase(self, j: int, last: int) -> bool:
        for k in range(j, last + 1):
            head = self.head(k, last)
            if head is not None:
                return head.entry.row["kind"] in ("person", "title")
        return False

    def _prefix_chars(self, j: int) -> int:
        """Characters of a ل / ب prefix written on token j ("لوزارة" -> 1, "للمنظمة" -> 1: لل = ل + ال)."""
        word = self.tokens[j].norm
        if word.startswith("لل"):
            return 0        # ل + ال written لل: the article is fused with it, the word is kept whole
        return 1 if len(word) > 3 and word[0] in "لب" else 0

    # -- what the phrase is -------------------------------------------------------------------
    def kind_and_type(self, p: Phrase) -> tuple[str | None, str]:
        """(kind of its head word, source_type): kind None when no word of the phrase is a known head."""
        kind, source_type, deferred = None, None, None
        k = p.first
        while k <= p.last:
            head = self.head(k, p.last)
            if head is None:
                k += 1
                continue
            row = head.entry.row
            if kind is None and row["kind"] != "title":
                kind = row["kind"]
            if row["kind"] in _HEAD_KINDS:
                if row.get("defers") == "yes":
                    deferred = deferred or row["source_type"]
                else:
                    source_type = row["source_type"]
                    break
            k = head.last + 1
        return kind, source_type or deferred or "other"

    def gender(self, p: Phrase) -> str | None:
        head = self.head(p.first, p.last)
        if head is not None and head.entry.row.get("gender"):
            return head.entry.row["gender"]
        word = self.tokens[p.first].norm
        return "f" if word.endswith("ه") else "m"


def open_id(doc, p: Phrase) -> str:
    """A stable id for a source the gazetteer does not know: the folded words of the phrase (up to an
    appositive name), clitic ل/ب of the first word dropped: "وزارة الصحة في غزة" -> "src:وزاره_الصحه_في_غزه"."""
    words = normalize_word(doc.text[p.start:p.end])
    words = re.findall(r"[^\W_]+", words.split("،")[0].split(",")[0].split("(")[0])
    if words and words[0].startswith("لل"):
        words[0] = "ال" + words[0][2:]      # "للمنظمة" after "وفقاً": the same source as "المنظمة"
    return "src:" + "_".join(words)
