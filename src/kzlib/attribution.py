"""Who stated each figure: reporting verbs, "according to" phrases and subject-less continuations.

Arabic news attributes mostly in verb-subject order ("قالت وزارة الداخلية إن ...", the actor FOLLOWS
the verb), with "حسب / وفق / نقلا عن X" phrases, and with the subject left out when the same speaker
goes on ("وذكرت أن", "وأضاف"). A subject-less verb continues the most recent speaker whose grammatical
gender agrees with the verb (feminine قالت -> وزارة / وكالة / وسائل إعلام). An explicit subject the
gazetteer does not know gives None: it is somebody, just not an actor we can name.
"""

from __future__ import annotations

from bisect import bisect_left
from functools import lru_cache

from typing import NamedTuple

from kzlib.doc import Doc, Sentence, Span
from kzlib.gazetteer import Gazetteer, Lexicon, load_gazetteer
from kzlib.normalize import normalize_word
from kzlib.lexicon_files import lexicon_rows
from kzlib.speakers import _BREAK_RE, Chunker, Phrase, open_id

SPEAKER_TYPES = {"person", "institution", "media", "organization"}
_PERSON_APPOSITION_WINDOW = 4   # tokens between an institution and the person named after it
_SUBJECT_LOOKAHEAD = 4          # words of a subject phrase before the actor it names
_SVO_LOOKBACK = 15              # words searched back for a pre-verbal subject phrase
_SVO_WINDOW = 2                 # tokens allowed between a pre-verbal subject and the verb ("قد")
_ANTECEDENT_TOKENS = 400       # words searched back for the fuller phrase an anaphor repeats
_HEADLINE_SOURCE_TOKENS = 6    # words a headline's source may take before its colon ("الصحة: ...")
_MAX_STATEMENT_WORDS = 4        # words between "حسب" and its speaker ("حسب ما أعلنته", "وفقاً لبيان صادر عن")
_SPEAKER_KINDS = ("institution", "person", "group")
_SOURCE_PREPOSITIONS = frozenset(("الي", "علي", "عن", "من"))   # "استناداً إلى"، "بناءً على"، "صادر عن"
_EVENT_FORMS = ("noun", "verb", "phrase")
_STATEMENT_WORDS = frozenset(("بيان", "بيانات", "ارقام", "احصاءات", "احصائيه", "معطيات", "صادر", "صادره", "به",
                              "عنه", "ما", "اعلنته", "حصيله", "تقرير", "تقديرات_"))


def _cue(start: int, end: int, first: int, last: int, kind: str, speaker: "Speaker", gender: str | None = None) -> Span:
    """A span of the "cues" layer: label = verb | source | quote; attrs speaker (an id or None), gender
    (the verb's, else the speaker's) and mention (the Span of the speaker phrase the id was resolved to)."""
    return Span(start, end, first, last, kind,
                {"speaker": speaker.id, "gender": gender or speaker.gender, "mention": speaker.mention})


class _CueWords(NamedTuple):
    """The words of attribution_verbs.tsv, as the Attributor reads them."""
    verbs: Lexicon              # reporting verbs
    sources: Lexicon            # "according to" phrases
    complementizers: set[str]   # strong ones and those after a preposition
    skips: set[str]             # words skipped between a verb and its subject
    strong: set[str]            # strong complementizers


@lru_cache(maxsize=1)
def _cue_words() -> _CueWords:
    rows = lexicon_rows("attribution_verbs")
    verbs = Lexicon.from_rows(_rows_of(rows, ("verb",), "verb"), "kind")
    sources = Lexicon.from_rows(_rows_of(rows, ("source", "source_of"), "exact"), "kind")
    strong = _terms_of(rows, "complementizer")
    comps = strong | _terms_of(rows, "complementizer_prep")
    return _CueWords(verbs, sources, comps, _terms_of(rows, "skip"), strong)


def _rows_of(rows: list[dict], kinds: tuple[str, ...], form: str) -> list[dict]:
    """The rows of these kinds, matched with the affix policy `form`."""
    return [r | {"form": form} for r in rows if r["kind"] in kinds]


def _terms_of(rows: list[dict], kind: str) -> set[str]:
    """The folded terms of the rows of one kind."""
    return {normalize_word(r["term"]) for r in rows if r["kind"] == kind}


def cue_lexicons() -> tuple[Lexicon, Lexicon]:
    """The reporting verbs and the "according to" phrases, as the Attributor matches them."""
    words = _cue_words()
    return words.verbs, words.sources


class Speaker(NamedTuple):
    """Who a cue names: `id` (gazetteer id, or an open id from the phrase), grammatical gender, and the
    mention the id was resolved to (a Span: source_text as written, label = id, attrs type)."""
    id: str | None
    gender: str | None
    mention: Span | None


_NOBODY = Speaker(None, None, None)


@lru_cache(maxsize=1)
def actor_source_types() -> dict[str, str]:
    """source_type of the gazetteer's speakers (lexicons/actor_source_types.tsv)."""
    return {r["actor_id"]: r["source_type"] for r in lexicon_rows("actor_source_types")}


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
        self.history: list[Speaker] = []     # speakers of statements, oldest first (subject-less verbs go on)
        self.mentions: list[Speaker] = []    # every speaker named, for anaphors ("الوزارة")
        verbs, sources, comps, skips, strong = _cue_words()
        self._verbs, self._sources = verbs, sources
        # the word sets the steps below test at nearly every cue, looked up once per document
        self._comps, self._skips, self._strong = comps, skips, strong
        self._source_types = actor_source_types()
        # the only tokens where a cue can start, in order: sentence_cues visits these and nothing else
        verb_starts = doc.candidates.get("verbs")
        source_starts = doc.candidates.get("sources")
        if verb_starts is None or source_starts is None:
            verb_starts, source_starts = verbs.starts(self.tokens), sources.starts(self.tokens)
        self._verb_starts = set(verb_starts)
        self._source_starts = set(source_starts)
        self._cue_starts = sorted(self._verb_starts | self._source_starts)
        # no word of a cue, number or event inside a speaker phrase (the chunker holds no reference back
        # to this object: a cycle would keep every article's tokens alive until the cyclic GC runs)
        events, event_starts = category_lexicon(), doc.candidates.get("categories")
        self.chunker = Chunker(doc, frozenset(self._cue_starts), events,
                               frozenset(events.starts(self.tokens) if event_starts is None else event_starts))

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
        comps = self._comps
        for k in range(last + 1, min(stop, last + 1 + _PERSON_APPOSITION_WINDOW)):
            if self.tokens[k].norm in comps:
                break       # "نقلت وسائل إعلام عن نائب العمدة": a relay, not an apposition
            hit = self.entity_at.get(k)
            if hit and hit[0].attrs["type"] == "person":
                return hit
        return ent, last

    def _known(self, ent: Span, j: int, stop: int) -> Speaker:
        """A gazetteer actor; its mention is the subject phrase from token j when that phrase holds the
        actor ("المتحدث باسم وزارة الخارجية الروسية"), else the actor's name."""
        # only a subject that starts before the actor's name can hold more than the name (most cues: none)
        phrase = self.chunker.phrase(j, stop) if j < ent.first else None
        if phrase is not None and phrase.first <= ent.first and ent.last <= phrase.last:
            start, end, first, last = phrase.start, phrase.end, phrase.first, phrase.last
            source_type = self._source_types.get(ent.label) or self.chunker.kind_and_type(phrase)[1]
        else:
            start, end, first, last = ent.start, ent.end, ent.first, ent.last
            source_type = self._source_types.get(ent.label, "other")
        speaker = Speaker(ent.label, self._gender(ent), Span(start, end, first, last, ent.label, {"type": source_type}))
        self.mentions.append(speaker)
        return speaker

    def _open(self, phrase: Phrase) -> Speaker:
        """A speaker the gazetteer does not know, as written; an anaphor ("الوزارة") takes the speaker named
        before whose head word it repeats."""
        antecedent = self._antecedent(phrase)
        if antecedent is not None:
            return antecedent
        kind, source_type = self.chunker.kind_and_type(phrase)
        if source_type == "other":
            source_type = self._complement_type(phrase) or source_type
        speaker_id = open_id(self.doc, phrase)
        mention = Span(phrase.start, phrase.end, phrase.first, phrase.last, speaker_id, {"type": source_type})
        speaker = Speaker(speaker_id, self.chunker.gender(phrase), mention)
        self.mentions.append(speaker)
        return speaker

    def _antecedent(self, phrase: Phrase) -> Speaker | None:
        """The speaker an anaphor names: "الوزارة" after "وزارة الصحة اليمنية", "المبروك" after "عميد بلدية
        الزاوية، صالح المبروك" -- a speaker named before, else a fuller phrase earlier in the text."""
        word = self.tokens[phrase.first].norm
        if phrase.last - phrase.first > 1 or not word.startswith("ال"):
            return None
        core = _core(word)
        named_by_head = self.chunker.head(phrase.first, phrase.last) is not None
        speaker = self._mentioned_before(phrase, core, surname_ok=not named_by_head)
        if speaker is not None or not named_by_head:
            return speaker
        return self._fuller_phrase_before(phrase, core)

    def _mentioned_before(self, phrase: Phrase, core: str, surname_ok: bool) -> Speaker | None:
        """The latest speaker named before the anaphor `phrase` in more words, whose head word is `core` (or,
        with `surname_ok`, one of whose later words is: the person named in full before)."""
        tokens, size = self.tokens, phrase.last - phrase.first + 1
        for speaker in reversed(self.mentions):
            m = speaker.mention
            if m.start >= phrase.start or m.last - m.first + 1 <= size:
                continue
            if _core(tokens[m.first].norm) == core:
                return speaker
            if surname_ok and any(_core(tokens[k].norm) == core for k in range(m.first + 1, m.last + 1)):
                return speaker
        return None

    def _fuller_phrase_before(self, phrase: Phrase, core: str) -> Speaker | None:
        """The speaker of the nearest phrase of several words before the anaphor `phrase` (up to
        _ANTECEDENT_TOKENS words back) that opens with its head word `core` without the article."""
        tokens = self.tokens
        for k in range(phrase.first - 1, max(-1, phrase.first - 1 - _ANTECEDENT_TOKENS), -1):
            word = tokens[k].norm
            if core not in word:
                continue
            bare = word[1:] if word[:1] in ("ل", "ب") and len(word) > 3 else word
            if bare.startswith("ال") or _core(bare) != core:
                continue
            earlier = self.chunker.phrase(k, phrase.first, strip_prefix=bare != word)
            if earlier is not None and earlier.last > earlier.first:
                return self._open(earlier)
        return None

    def _complement_type(self, phrase: Phrase) -> str | None:
        """"المتحدث باسم الجهاز": the type of the body the anaphor names (named before in the article)."""
        for k in range(phrase.first + 1, phrase.last + 1):
            word = self.tokens[k].norm
            if not word.startswith("ال") or self.chunker.head(k) is None:
                continue
            core = _core(word)
            for speaker in reversed(self.mentions):
                m = speaker.mention
                if m.start < phrase.start and _core(self.tokens[m.first].norm) == core and m.attrs["type"] != "other":
                    return m.attrs["type"]
        return None

    def _continue(self, gender: str | None) -> Speaker:
        for speaker in reversed(self.history):
            if gender is None or speaker.gender is None or speaker.gender == gender:
                return speaker
        return _NOBODY

    def _push(self, speaker: Speaker) -> Speaker:
        self.history.append(speaker)
        return speaker

    def _gender(self, ent: Span) -> str | None:
        return self.gaz.gender_of(ent.label, self.doc.text[ent.start:ent.end])

    def _skip(self, j: int, stop: int) -> int:
        skips = self._skips
        while j < stop and self.tokens[j].norm in skips:
            j += 1
        return j

    def _relayed(self, last: int, stop: int) -> tuple[Speaker, int] | None:
        """"نقلت وكالة رويترز عن مصادر طبية أن ...": the statement is the relayed speaker's."""
        k = self._skip(last + 1, stop)
        if k + 1 >= stop:
            return None
        if k + 2 < stop and self.tokens[k].norm == _NAQLAN and self.tokens[k + 1].norm == _AN:
            k += 1                          # "أفاد التلفزيون الرسمي نقلاً عن مصادر طبية"
        if self.tokens[k].norm != _AN:
            return None
        relayed = self._speaker_entity(k + 1, stop)
        if relayed and relayed[0].attrs["type"] in SPEAKER_TYPES:
            return self._known(relayed[0], k + 1, stop), relayed[1]
        phrase = self.chunker.phrase(k + 1, stop)
        if phrase is not None and self.chunker.kind_and_type(phrase)[0] in _SPEAKER_KINDS:
            return self._open(phrase), phrase.last
        return None

    def _states(self, last: int, stop: int) -> bool:
        """The words after a subject make it a statement: a complementizer or a colon follows."""
        k = self._skip(last + 1, stop)
        if self._colon_between(last, k, stop):
            return True
        return k < stop and self.tokens[k].norm in self._strong

    def _colon_between(self, last: int, k: int, stop: int) -> bool:
        """A colon stands between token `last` and token k (k inside the sentence)."""
        return k < stop and ":" in self.doc.text[self.tokens[last].end:self.tokens[k].start]

    def sentence_cues(self, first: int, stop: int) -> list[Span]:
        """Cues of the sentence made of tokens[first:stop], resolving speakers; updates the history."""
        cues: list[Span] = []
        headline = self._headline_source(first, stop) if self._colon_near_start(first, stop) else None
        if headline is not None:
            cues.append(headline)
        candidates = self._cue_starts
        c = bisect_left(candidates, first)
        i = first
        while i < stop:
            # jump to the next token where a cue can start (other tokens only move i on); most sentences have none
            while c < len(candidates) and candidates[c] < i:
                c += 1
            if c == len(candidates) or candidates[c] >= stop:
                break
            i = self._cue_at(candidates[c], first, stop, cues)
        return cues

    def _colon_near_start(self, first: int, stop: int) -> bool:
        """A colon within the first words of the sentence (where a headline's source ends: "الصحة: ...")."""
        tokens = self.tokens
        return first < stop and ":" in self.doc.text[tokens[first].end:tokens[min(stop - 1, first + _HEADLINE_SOURCE_TOKENS)].start]

    def _cue_at(self, i: int, first: int, stop: int, cues: list[Span]) -> int:
        """The cue starting at token i, if any, appended to `cues`; returns the token to go on from."""
        # an "according to" phrase first: "نقلاً عن" is not the verb نقل
        s = self._sources.first_at(self.tokens, i) if i in self._source_starts else None
        if s is not None:
            return self._source_cue(s, stop, cues)
        v = self._verbs.first_at(self.tokens, i) if i in self._verb_starts else None
        if v is not None:
            return self._verb_cue(v, first, stop, cues)
        return i + 1

    def _source_cue(self, m, stop: int, cues: list[Span]) -> int:
        """"حسب الداخلية"، "وفقاً لمصادر طبية"، "نقلاً عن المنظمة": the speaker follows the phrase."""
        if m.entry.label == "source_of" and not self._glued_speaker_at(m.last + 1, stop):
            return m.last + 1
        found = self._source_speaker(self._skip_statement_words(m.last + 1, stop), stop)
        if found is None:
            return m.last + 1
        speaker, last = found
        relayed = self._relayed(max(last, speaker.mention.last), stop)
        if relayed is not None:
            speaker, last = relayed
        self._push(speaker)
        cues.append(_cue(self.tokens[m.first].start, self.tokens[m.last].end, m.first, m.last, "source", speaker))
        return max(last, speaker.mention.last if speaker.mention.first >= m.first else last) + 1

    def _glued_speaker_at(self, j: int, stop: int) -> bool:
        """"في بيان لوزارة الصحة": a speaker right after the phrase, with ل attached."""
        return j < stop and self.tokens[j].norm.startswith("ل") and len(self.tokens[j].norm) >= 4

    def _source_speaker(self, j: int, stop: int) -> tuple[Speaker, int] | None:
        """(speaker, last token) of an "according to" phrase whose speaker starts at token j (or the token
        after: "حسب بيان الأمانة العامة"), or None when no speaker follows."""
        hit = self._speaker_entity(j, stop)
        if hit is None and j + 1 < stop:
            hit = self._speaker_entity(j + 1, stop)
        if hit and hit[0].attrs["type"] in SPEAKER_TYPES:
            return self._known(hit[0], hit[0].first, stop), hit[1]
        phrase = self.chunker.phrase(j, stop, strip_prefix=True)
        if phrase is None or self.chunker.kind_and_type(phrase)[0] not in _SPEAKER_KINDS:
            return None
        return self._same_as_before(phrase) or self._open(phrase), phrase.last

    def _same_as_before(self, phrase: Phrase) -> Speaker | None:
        """"حسب المصدر ذاته": the speaker named before (None when nobody was)."""
        if not self.chunker.is_same(phrase.last + 1) or not self.history:
            return None
        for speaker in reversed(self.history):
            if speaker.id is not None:
                return speaker
        return None

    def _skip_statement_words(self, j: int, stop: int) -> int:
        """Past "بيان"، "ما أعلنته"، "أرقام" ... between an "according to" word and its speaker."""
        n = 0
        skips = self._skips
        while j < stop and n < _MAX_STATEMENT_WORDS:
            word = self.tokens[j].norm
            bare = word[1:] if len(word) > 3 and word[0] in "لب" else word
            if not (word in skips or bare in _STATEMENT_WORDS or word in _SOURCE_PREPOSITIONS or j in self._verb_starts):
                break
            j, n = j + 1, n + 1
        return j

    def _verb_cue(self, m, first: int, stop: int, cues: list[Span]) -> int:
        """A reporting verb and its speaker: a known actor right after it, else a subject before or a few words
        into the phrase after it, else a speaker the gazetteer does not know (or the one who goes on)."""
        gender = _verb_gender(m)
        j = self._skip(m.last + 1, stop)
        hit = self._speaker_entity(j, stop)
        if hit and (hit[0].attrs["type"] in SPEAKER_TYPES or j == m.last + 1):
            return self._known_subject_cue(m, hit, j, stop, gender, cues)
        speaker = self._subject_speaker(m, j, first, stop, gender)
        if speaker is False:
            return m.last + 1                   # "أعلنت الحكومة استقالتها", "تم نقل": no statement
        tok = self.tokens[m.first]
        cues.append(_cue(tok.start, tok.end, m.first, m.first, "verb", speaker, gender))
        mention = speaker.mention
        return mention.last + 1 if mention is not None and mention.first > m.first and mention.last < stop else m.last + 1

    def _known_subject_cue(self, m, hit: tuple[Span, int], j: int, stop: int, gender: str, cues: list[Span]) -> int:
        """"قالت وزارة الصحة": the verb's subject is the actor at token j (or the person named after it, or the
        speaker it relays: "نقلت وكالة رويترز عن ...")."""
        ent, last = self._prefer_person(*hit, stop)
        speaker = self._push(_with_gender(self._known(ent, j, stop), gender))
        relayed = self._relayed(max(last, speaker.mention.last), stop)
        if relayed is not None:
            speaker, last = self._push(relayed[0]), relayed[1]
        tok = self.tokens[m.first]
        cues.append(_cue(tok.start, tok.end, m.first, m.first, "verb", speaker, gender))
        return max(last, speaker.mention.last) + 1

    def _subject_speaker(self, m, j: int, first: int, stop: int, gender: str):
        """The speaker of a verb with no known actor right after it (subject words from token j on): an actor
        before it or a few words into its subject, else _open_subject (False: it states nothing)."""
        pre = self._subject_before(m.first, first)
        ahead = None if pre is not None else self._subject_ahead_held(j, stop)
        if ahead is not None:                       # "قال المتحدث باسم وزارة الخارجية ..."
            ent, _ = self._prefer_person(*ahead, stop)
            return self._push(_with_gender(self._known(ent, j, stop), gender))
        if pre is not None:
            return self._push(_with_gender(self._known(pre, pre.first, m.first), gender))
        return self._open_subject(m, j, first, stop, gender)

    def _subject_ahead_held(self, j: int, stop: int) -> tuple[Span, int] | None:
        """_subject_ahead when the subject phrase from token j holds that actor (else it is named outside it)."""
        comps = self._comps
        if j >= stop or self.tokens[j].norm in comps:
            return None
        ahead = self._subject_ahead(j, stop, comps)
        if ahead is None or not self._holds(j, ahead[0], stop):
            return None
        return ahead

    def _to_whom(self, j: int) -> bool:
        """"تحدثوا لصحيفة"، "قال للصحفيين": a ل- / ب- phrase after a verb is not its subject."""
        head = self.chunker.head(j)
        word = self.tokens[j].norm
        if head is not None:                # the clitic before the head: و/ف, then ب/ل (a preposition), then ال
            return head.prefix.lstrip("وف")[:1] in ("ب", "ل") and not head.prefix.lstrip("وف").startswith("ال")
        return len(word) > 4 and word[0] in "لب" and not word.startswith(("لجن", "بلد"))

    def _holds(self, j: int, ent: Span, stop: int) -> bool:
        """The subject phrase from token j holds the actor (or there is no phrase to prefer)."""
        phrase = self.chunker.phrase(j, stop)
        if phrase is None or self.chunker.kind_and_type(phrase)[0] not in _SPEAKER_KINDS:
            return True
        return phrase.first <= ent.first and ent.last <= phrase.last

    def _open_subject(self, m, j: int, first: int, stop: int, gender: str):
        """The speaker of a verb whose subject the gazetteer does not know (subject words from token j on, the
        verb's `gender`); False when it states nothing."""
        if self._colon_between(m.last, j, stop):
            return self._continue(gender)           # "وأضاف: «...»": the speaker goes on, quoted
        if j + 1 < stop and _bare(self.tokens[j].norm) in _STATEMENT_WORDS:
            j += 1                                  # "وأوضح بيان الوزارة أن": the statement's author
        phrase = self._open_subject_phrase(j, stop)
        speaker = None if phrase is None else self._phrase_speaker(phrase, stop)
        if speaker is not None:
            return speaker
        before = self._open_before(m, first)
        if before is not None:                      # "وكانت لجنة أطباء السودان قد أعلنت"
            return self._push(self._open(before))
        return self._unread_subject(j, stop, gender)

    def _open_subject_phrase(self, j: int, stop: int) -> Phrase | None:
        """The phrase from token j that may be a verb's subject (not a complementizer, not "to whom")."""
        if j >= stop or self.tokens[j].norm in self._comps or self._to_whom(j):
            return None
        return self.chunker.phrase(j, stop)

    def _phrase_speaker(self, phrase: Phrase, stop: int) -> Speaker | None:
        """The speaker the subject phrase after a verb gives, or None when it names no speaker."""
        kind = self.chunker.kind_and_type(phrase)[0]
        if kind == "reporter":
            return self._push(_NOBODY)              # "قال مراسلنا": the outlet itself
        if kind == "statement":
            return self._continue(None)             # "وأضاف البيان أن": its author, whatever the gender
        if kind not in _SPEAKER_KINDS and not self._states(phrase.last, stop):
            return None
        speaker = self._same_as_before(phrase) or self._open(phrase)
        relayed = self._relayed(phrase.last, stop)
        return self._push(relayed[0] if relayed is not None else speaker)

    def _unread_subject(self, j: int, stop: int, gender: str):
        """No subject phrase names the speaker: the same speaker goes on ("وذكرت أن"), somebody we cannot read
        speaks (a complementizer follows a few words on), or nothing is stated (False)."""
        comps, strong = self._comps, self._strong
        if j >= stop or self.tokens[j].norm in comps:
            return self._continue(gender)
        if any(self.tokens[k].norm in strong for k in range(j, min(stop, j + _SUBJECT_LOOKAHEAD + 2))):
            return self._push(_NOBODY)
        return False

    def _open_before(self, m, first: int) -> Phrase | None:
        """Subject-verb order with a subject the gazetteer does not know: a speaker phrase that ends right
        before the verb (or before "قد", or "، من جهتها،"): "وزارة الصحة قالت"، "وكانت الوزارة قد أعلنت",
        "أما المتحدث باسم الشرطة، جوزيف أوتينو، فصرّح"."""
        end = self._subject_end_before(m.first, first)
        if end < first or self._broken_before(m, end):
            return None
        return self._speaker_phrase_ending_at(end, first)

    def _subject_end_before(self, i: int, first: int) -> int:
        """The last token a subject before the verb at token i may end at: before skipped words ("قد") and an
        aside ("، من جهتها،"); below `first` when there is none."""
        skips, tokens = self._skips, self.tokens
        end = i - 1
        while end >= first and tokens[end].norm in skips:
            end -= 1
        if end - 1 >= first and tokens[end].norm in self.chunker.words.asides and tokens[end - 1].norm == _MIN:
            end -= 2                                # "المنظمة، من جهتها، وثقت"
        return end

    def _broken_before(self, m, end: int) -> bool:
        """Punctuation parts token `end` from the verb `m`; a lone comma does not after an aside or before a
        verb with ف ("أما المتحدث ...، فصرّح")."""
        tokens, i = self.tokens, m.first
        gap = self.doc.text[tokens[end].end:tokens[i].start]
        if not _BREAK_RE.search(gap):
            return False
        return not (gap.strip() in ("،", ",") and (m.prefix.startswith("ف") or end < i - 1))

    def _speaker_phrase_ending_at(self, end: int, first: int) -> Phrase | None:
        """A speaker phrase (head of a speaker kind) that ends at token `end`, starting at most _SVO_LOOKBACK
        words before it, the earliest start first."""
        for p in range(max(first, end - _SVO_LOOKBACK), end + 1):
            head = self.chunker.head(p)
            if head is None or head.entry.row["kind"] not in _SPEAKER_KINDS:
                continue
            phrase = self.chunker.phrase(p, end + 1)
            if phrase is not None and phrase.last == end:
                return phrase
        return None

    def _headline_source(self, first: int, stop: int) -> Span | None:
        """"الصحة: 30 قتيلاً": a headline or line that opens with a speaker and a colon."""
        phrase = self.chunker.phrase(first, stop)
        if phrase is None or phrase.last + 1 >= stop or phrase.last - phrase.first >= _HEADLINE_SOURCE_TOKENS:
            return None
        head = self.chunker.head(first, phrase.last)
        if head is None or head.entry.row["kind"] not in _SPEAKER_KINDS:
            return None                         # the headline must open with the speaker's head word
        gap = self.doc.text[phrase.end:self.tokens[phrase.last + 1].start]
        if gap.strip() != ":" or self.chunker.kind_and_type(phrase)[0] not in _SPEAKER_KINDS:
            return None
        speaker = self._push(self._open(phrase))
        return _cue(phrase.start, phrase.end, phrase.first, phrase.last, "source", speaker)

    def _subject_ahead(self, j: int, stop: int, comps: set[str]) -> tuple[Span, int] | None:
        """An actor named a few words into the subject ("المتحدث باسم X"), before any complementizer."""
        for k in range(j, min(stop, j + _SUBJECT_LOOKAHEAD)):
            if self.tokens[k].norm in comps or self.tokens[k].norm.isdigit():
                return None
            hit = self.entity_at.get(k)
            if hit and hit[0].attrs["type"] in SPEAKER_TYPES:
                if hit[0].start > self.tokens[k].start and self.doc.text[self.tokens[k].start] == "ل":
                    return None             # "قال شهود لوكالة فرانس برس": to whom, not who
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


def _with_gender(speaker: Speaker, gender: str) -> Speaker:
    """The speaker with the verb's gender when its name has none (NamedTuple._replace is slow)."""
    return speaker if speaker.gender else Speaker(speaker.id, gender, speaker.mention)


def _verb_gender(m) -> str:
    """Feminine قالت / تقول / مؤكدةً, else masculine."""
    return "f" if m.suffix.startswith("ت") or m.prefix.endswith("ت") or m.suffix == "ه" else "m"


def _bare(word: str) -> str:
    """A word without a ل / ب / ال before it: "لبيان" -> "بيان"."""
    if word.startswith("ال") and len(word) > 4:
        return word[2:]
    return word[1:] if len(word) > 3 and word[0] in "لب" else word


def _core(word: str) -> str:
    """A head word without its clitics and article: "والوزارة" -> "وزاره"."""
    for prefix in ("وال", "فال", "بال", "لل", "ال"):
        if word.startswith(prefix) and len(word) - len(prefix) >= 3:
            return word[len(prefix):]
    return word


@lru_cache(maxsize=1)
def category_lexicon() -> Lexicon:
    """The words of categories.tsv (label = category): the claims' categories and, here, the event words."""
    return Lexicon.from_rows(lexicon_rows("categories"), "category")


def quoted_continuation(doc: Doc, previous: list[Span], previous_end: int, sentence: Sentence) -> list[Span]:
    """A sentence that only carries a quotation ('وقال توكاييف: "... 20 ألف مسلح"') keeps the speaker
    of the sentence that introduced it with a colon or that it continues inside quotation marks."""
    if not previous:
        return []
    text, start = doc.text, sentence.start
    between = text[max(0, previous_end - 2):start].strip()
    if between.endswith(":") or text[start:start + 1] in _OPENING_QUOTES:
        last = previous[-1].attrs
        speaker = Speaker(last["speaker"], last["gender"], last["mention"])
        return [_cue(start, start, sentence.first, sentence.first, "quote", speaker)]
    return []


_OPENING_QUOTES = {'"', "“", "«", "„"}
_AN, _NAQLAN, _MIN = normalize_word("عن"), normalize_word("نقلا"), normalize_word("من")


@lru_cache(maxsize=64)
def _norm(word: str) -> str:
    from kzlib.normalize import normalize_word

    return normalize_word(word)


def find_cues(doc: Doc, gazetteer: Gazetteer | None = None, sentences: int | None = None) -> None:
    """Step: the "cues" layer, sentence by sentence in order (the speaker history runs through the article).

    Reads doc.sentences and the "entities" layer (found with the same `gazetteer`, default actors.tsv).
    `sentences`: read only the first that many sentences (the cues of a sentence depend on the sentences
    before it, never on those after it: they are the same as in the whole layer)."""
    attributor = Attributor(load_gazetteer() if gazetteer is None else gazetteer, doc)
    cues: list[Span] = []
    previous, previous_end = [], 0
    for sentence in doc.sentences[:sentences]:
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
