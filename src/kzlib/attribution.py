"""Who stated each figure: reporting verbs, "according to" phrases and subject-less continuations.

Arabic news attributes mostly in verb-subject order ("قالت وزارة الداخلية إن ...", the actor FOLLOWS
the verb), with "حسب / وفق / نقلا عن X" phrases, and with the subject left out when the same speaker
goes on ("وذكرت أن", "وأضاف"). A subject-less verb continues the most recent speaker whose grammatical
gender agrees with the verb (feminine قالت -> وزارة / وكالة / وسائل إعلام). An explicit subject the
gazetteer does not know gives None: it is somebody, just not an actor we can name.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from functools import lru_cache

from kzlib.doc import Doc, Sentence, Span
from kzlib.gazetteer import Gazetteer, Lexicon, load_gazetteer, read_tsv
from kzlib.paths import LEXICONS

SPEAKER_TYPES = {"person", "institution", "media", "organization"}
_PERSON_APPOSITION_WINDOW = 4   # tokens between an institution and the person named after it
_SUBJECT_LOOKAHEAD = 4          # words of a subject phrase before the actor it names
_SVO_LOOKBACK = 15              # words searched back for a pre-verbal subject phrase
_SVO_WINDOW = 2                 # tokens allowed between a pre-verbal subject and the verb ("قد")


def _cue(start: int, end: int, first: int, last: int, kind: str, speaker: str | None, gender: str | None) -> Span:
    """A span of the "cues" layer: label = verb | source | quote, attrs speaker (actor id or None), gender."""
    return Span(start, end, first, last, kind, {"speaker": speaker, "gender": gender})


@lru_cache(maxsize=1)
def _lexicons() -> tuple[Lexicon, Lexicon, set[str], set[str], set[str]]:
    rows = read_tsv(LEXICONS / "attribution_verbs.tsv")
    verbs = Lexicon.from_rows([r | {"form": "verb"} for r in rows if r["kind"] == "verb"], "kind")
    sources = Lexicon.from_rows([r | {"form": "exact"} for r in rows if r["kind"] == "source"], "kind")
    from kzlib.normalize import normalize_word

    strong = {normalize_word(r["term"]) for r in rows if r["kind"] == "complementizer"}
    comps = strong | {normalize_word(r["term"]) for r in rows if r["kind"] == "complementizer_prep"}
    skips = {normalize_word(r["term"]) for r in rows if r["kind"] == "skip"}
    return verbs, sources, comps, skips, strong


def cue_lexicons() -> tuple[Lexicon, Lexicon]:
    """The reporting verbs and the "according to" phrases, as the Attributor matches them."""
    verbs, sources, *_ = _lexicons()
    return verbs, sources


class Attributor:
    """Walks the sentences of one article in order and keeps the speaker history."""

    def __init__(self, gazetteer: Gazetteer, doc: Doc):
        """Over the document's "entities" layer; cue start tokens from doc.candidates when indexed."""
        self.gaz = gazetteer
        self.doc = doc
        self.tokens = doc.tokens
        # first token index -> (entity span, last token index)
        self.entity_at: dict[int, tuple[Span, int]] = {en.first: (en, en.last) for en in doc.layer("entities")}
        self._entity_firsts = sorted(self.entity_at)
        self.history: list[tuple[str | None, str | None]] = []   # (speaker, gender), oldest first
        verbs, sources, *_ = _lexicons()
        # the only tokens where a cue can start, in order: sentence_cues visits these and nothing else
        verb_starts = doc.candidates.get("verbs")
        source_starts = doc.candidates.get("sources")
        if verb_starts is None or source_starts is None:
            verb_starts, source_starts = verbs.starts(self.tokens), sources.starts(self.tokens)
        self._verb_starts = set(verb_starts)
        self._source_starts = set(source_starts)
        self._cue_starts = sorted(self._verb_starts | self._source_starts)

    # -- speakers -----------------------------------------------------------------------------
    def _speaker_entity(self, i: int, stop: int) -> tuple[Span, int] | None:
        """An actor entity starting at token i (a place only as a metonym: "أعلنت موسكو")."""
        if i >= stop or i not in self.entity_at:
            return None
        return self.entity_at[i]

    def _prefer_person(self, ent: Span, last: int, stop: int) -> tuple[Span, int]:
        """"المتحدث باسم وزارة الدفاع، اللواء إيجور كوناشينكوف": the named person is the most specific."""
        if ent.attrs["type"] == "person":
            return ent, last
        comps = _lexicons()[2]
        for k in range(last + 1, min(stop, last + 1 + _PERSON_APPOSITION_WINDOW)):
            if self.tokens[k].norm in comps:
                break       # "نقلت وسائل إعلام عن نائب العمدة": a relay, not an apposition
            hit = self.entity_at.get(k)
            if hit and hit[0].attrs["type"] == "person":
                return hit
        return ent, last

    def _continue(self, gender: str | None) -> str | None:
        for speaker, g in reversed(self.history):
            if gender is None or g is None or g == gender:
                return speaker
        return None

    def _push(self, speaker: str | None, gender: str | None) -> None:
        self.history.append((speaker, gender))

    def _gender(self, ent: Span) -> str | None:
        return self.gaz.gender_of(ent.label, self.doc.text[ent.start:ent.end])

    def sentence_cues(self, first: int, stop: int) -> list[Span]:
        """Cues of the sentence made of tokens[first:stop], resolving speakers; updates the history."""
        candidates = self._cue_starts
        c = bisect_left(candidates, first)
        if c == len(candidates) or candidates[c] >= stop:
            return []           # no word of the sentence can start a cue: most sentences
        verbs, sources, comps, skips, strong = _lexicons()
        cues: list[Span] = []
        i = first
        while i < stop:
            # jump to the next token where a cue can start (other tokens only move i on)
            while c < len(candidates) and candidates[c] < i:
                c += 1
            if c == len(candidates) or candidates[c] >= stop:
                break
            i = candidates[c]
            tok = self.tokens[i]
            v = verbs.first_at(self.tokens, i) if i in self._verb_starts else None
            s = sources.first_at(self.tokens, i) if v is None and i in self._source_starts else None
            if s is not None:
                m = s
                j = m.last + 1
                while j < stop and self.tokens[j].norm in skips:
                    j += 1
                hit = self._speaker_entity(j, stop)
                if hit is None and j < stop and j + 1 < stop:   # "حسب بيان الأمانة العامة"
                    hit = self._speaker_entity(j + 1, stop)
                if hit and hit[0].attrs["type"] in SPEAKER_TYPES:
                    cues.append(_cue(tok.start, self.tokens[m.last].end, i, m.last, "source", hit[0].label, self._gender(hit[0])))
                    self._push(hit[0].label, self._gender(hit[0]))
                    i = hit[1] + 1
                    continue
                i = m.last + 1
                continue
            if v is None:
                i += 1
                continue
            m = v
            gender = "f" if m.suffix.startswith("ت") or m.prefix.endswith("ت") else "m"
            j = m.last + 1
            while j < stop and self.tokens[j].norm in skips:
                j += 1
            hit = self._speaker_entity(j, stop)
            speaker: str | None
            if hit and (hit[0].attrs["type"] in SPEAKER_TYPES or j == m.last + 1):
                ent, last = self._prefer_person(*hit, stop)
                speaker, sg = ent.label, self._gender(ent) or gender
                self._push(speaker, sg)
                # "نقلت وسائل إعلام عن نائب العمدة قوله": the statement is the relayed speaker's
                k = last + 1
                while k < stop and self.tokens[k].norm in skips:
                    k += 1
                if k + 1 < stop and self.tokens[k].norm == _norm("عن"):
                    relayed = self._speaker_entity(k + 1, stop)
                    if relayed and relayed[0].attrs["type"] in SPEAKER_TYPES:
                        speaker = relayed[0].label
                        self._push(speaker, self._gender(relayed[0]))
                        last = relayed[1]
                cues.append(_cue(tok.start, tok.end, i, i, "verb", speaker, gender))
                i = last + 1
                continue
            pre = self._subject_before(i, first)
            ahead = None if pre is not None or j >= stop or self.tokens[j].norm in comps else self._subject_ahead(j, stop, comps)
            if ahead is not None:                       # "قال المتحدث باسم وزارة الخارجية ..."
                ent, last = self._prefer_person(*ahead, stop)
                speaker = ent.label
                self._push(speaker, self._gender(ent) or gender)
            elif pre is not None:
                speaker = pre.label
                self._push(speaker, self._gender(pre) or gender)
            elif j >= stop or self.tokens[j].norm in comps:
                speaker = self._continue(gender)        # "وذكرت أن": same speaker goes on
            elif any(self.tokens[k].norm in strong for k in range(j, min(stop, j + _SUBJECT_LOOKAHEAD + 2))):
                speaker = None                          # "قال مسؤول محلي إن": a speaker we cannot name
                self._push(None, gender)
            else:
                i = m.last + 1                          # "أعلنت الحكومة استقالتها", "تم نقل": no statement
                continue
            cues.append(_cue(tok.start, tok.end, i, i, "verb", speaker, gender))
            i = m.last + 1
        return cues

    def _subject_ahead(self, j: int, stop: int, comps: set[str]) -> tuple[Span, int] | None:
        """An actor named a few words into the subject ("المتحدث باسم X"), before any complementizer."""
        for k in range(j, min(stop, j + _SUBJECT_LOOKAHEAD)):
            if self.tokens[k].norm in comps or self.tokens[k].norm.isdigit():
                return None
            hit = self.entity_at.get(k)
            if hit and hit[0].attrs["type"] in SPEAKER_TYPES:
                return hit
        return None

    def _subject_before(self, i: int, first: int) -> Span | None:
        """Subject-verb order: "وكانت وزارة الداخلية ... قد كشفت"."""
        firsts, lowest = self._entity_firsts, max(first, i - 1 - _SVO_LOOKBACK)
        for n in range(bisect_left(firsts, i) - 1, -1, -1):     # entities starting in [lowest, i), nearest first
            if firsts[n] < lowest:
                break
            hit = self.entity_at[firsts[n]]
            if hit[1] < i and i - hit[1] - 1 <= _SVO_WINDOW and hit[0].attrs["type"] in SPEAKER_TYPES:
                return hit[0]
        return None


def quoted_continuation(doc: Doc, previous: list[Span], previous_end: int, sentence: Sentence) -> list[Span]:
    """A sentence that only carries a quotation ('وقال توكاييف: "... 20 ألف مسلح"') keeps the speaker
    of the sentence that introduced it with a colon or that it continues inside quotation marks."""
    if not previous:
        return []
    text, start = doc.text, sentence.start
    between = text[max(0, previous_end - 2):start].strip()
    if between.endswith(":") or text[start:start + 1] in _OPENING_QUOTES:
        last = previous[-1]
        return [_cue(start, start, sentence.first, sentence.first, "quote", last.attrs["speaker"], last.attrs["gender"])]
    return []


_OPENING_QUOTES = {'"', "“", "«", "„"}


@lru_cache(maxsize=64)
def _norm(word: str) -> str:
    from kzlib.normalize import normalize_word

    return normalize_word(word)


def find_cues(doc: Doc, gazetteer: Gazetteer | None = None) -> None:
    """Step: the "cues" layer, sentence by sentence in order (the speaker history runs through the article).

    Reads doc.sentences and the "entities" layer (found with the same `gazetteer`, default actors.tsv)."""
    attributor = Attributor(load_gazetteer() if gazetteer is None else gazetteer, doc)
    cues: list[Span] = []
    previous, previous_end = [], 0
    for sentence in doc.sentences:
        found = attributor.sentence_cues(sentence.first, sentence.stop) or quoted_continuation(doc, previous, previous_end, sentence)
        previous, previous_end = found, sentence.end
        cues.extend(found)
    doc.add("cues", cues)


def attribute(cues: list[Span], claim_start: int, claim_end: int) -> Span | None:
    """The cue that attributes a figure at [claim_start, claim_end) given its sentence's cues (in order);
    its speaker is cue.attrs["speaker"].

    An "according to" phrase after the figure ("قُتل 26 محتجا، حسب الداخلية") wins, unless another
    reporting verb stands between; otherwise the nearest cue before the figure; otherwise a reporting
    verb after it ("..., قالت الوزارة"); otherwise None."""
    after = [c for c in cues if c.start >= claim_end]
    for c in after:
        if c.label == "source":
            return c
        break
    before = [c for c in cues if c.end <= claim_start]
    if before:
        return before[-1]
    return after[0] if after else None
