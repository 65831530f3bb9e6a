"""Where a count happened: a place of the gazetteer, or a place it does not know, as written with offsets.

Arabic has no capital letters, so an unknown place is found by its position, with the words of
place_words.tsv: after an indefinite place-type word ("بلدة بارا", "مخيم زمزم", "حي الزرامنة"), or after
في / ب / من right before a known place or a place-type word ("في الطينة بشمال دارفور"). Known places
count when a preposition or a place-type word comes right before them ("في حلب", "بالخرطوم", "من الفاشر").

Which place a count gets: the places after it up to the next count, else before it back to the previous
count, else the rest of its clause, else the rest of its sentence (never across a clause word such as
"فيما"); among those, the most specific (a camp before its town, a town before its province), then the
nearest. Destinations ("إلى تشاد") count only when nothing else does. A dateline ("الفاشر - ") gives the
place of counts in sentences that name none.
"""

from __future__ import annotations

import bisect
import re
from itertools import compress
from operator import itemgetter
from functools import lru_cache
from typing import Iterable, NamedTuple

from kzlib.doc import Span
from kzlib.gazetteer import Token, load_gazetteer
from kzlib.normalize import normalize_word
from kzlib.lexicon_files import lexicon_path, lexicon_rows

# gazetteer kinds, most specific first (a camp before its town before its province)
KIND_RANK = {"neighbourhood": 0, "camp": 0, "district": 1, "town": 2, "city": 3, "capital": 3, "island": 3,
             "province": 4, "region": 5, "country": 6}
_UNKNOWN_RANK = 2          # a place the gazetteer does not know, named without a type word
_FACILITY_RANK = 3.5       # a facility (place_words.tsv: سوق، مطار، مستشفى): its city, named with it, wins
# (the lookahead after the name, what must follow it, ends each failed try of a longer name at once)
_DATELINE = re.compile(r"\s*([^\n\-–—:.،]{2,40}?)(?=[\s(\-–—])\s*(?:\([^)\n]{1,30}\)\s*)?[-–—]\s")
_HEADLINE_PLACE = re.compile(r"\s*([^\n\-–—:.،]{2,30}?)(?=[\s:])\s*:\s")


class Place(NamedTuple):
    id: str | None           # gazetteer id, None for a place it does not know
    start: int               # offsets of the place as written
    end: int
    token: int               # index of its first token
    rank: float              # specificity (KIND_RANK; a facility, 3.5, between its city and province)
    weak: bool = False       # a destination ("إلى تشاد")
    last: int = -1           # index of its last token
    joined: bool = False     # follows another place with و: "من روسيا وبيلاروسيا" (a list)


@lru_cache(maxsize=1)
def place_words() -> dict[str, dict[str, float]]:
    """kind -> {folded word: rank} of place_words.tsv."""
    out: dict[str, dict[str, int]] = {}
    path = lexicon_path("place_words")
    for row in lexicon_rows("place_words"):
        if row["kind"] not in ("preposition", "toward", "place_type", "place_type_prep", "name_head", "stop",
                               "adjective_name", "place_type_plural", "genitive_head", "anaphor", "nationwide"):
            raise ValueError(f"{path}: line {row.line}: unknown kind {row['kind']!r}")
        out.setdefault(row["kind"], {})[normalize_word(row["term"])] = float(row["rank"] or 0)
    return out


@lru_cache(maxsize=1)
def _kind_ranks() -> dict[str, int]:
    gaz = load_gazetteer()
    ranks: dict[str, int] = {}
    for row in gaz.rows:            # a row with a kind (countries.tsv, places.tsv) sets the rank
        if row.get("type") == "place" and row.get("kind"):
            rank = KIND_RANK.get(row["kind"], KIND_RANK["city"])
            ranks[row["id"]] = min(rank, ranks.get(row["id"], rank))
    for row in gaz.rows:            # actors.tsv places without one: a city
        if row.get("type") == "place":
            ranks.setdefault(row["id"], KIND_RANK["city"])
    return ranks


_PREP, _TOWARD, _TYPE, _STOP, _TYPE_PREP, _PLURAL, _GENITIVE, _ANAPHOR, _NATION = 1, 2, 4, 8, 16, 32, 64, 128, 256
NATIONWIDE = ""            # id of a nationwide place ("في أنحاء البلاد"): chosen, it gives the count no place
_CLITICS = ("", "و", "ف", "ب", "وب", "فب", "ل", "ول")
_classes: dict[str, tuple[int, int, int]] = {}
_PLAIN = (0, 0, 0)          # a word of no listed kind (most words): one shared tuple
_norm_of = itemgetter(0)    # Token.norm
_bits_of = itemgetter(0)    # the kind bits of a _classify tuple


def _classify(norm: str) -> tuple[int, int, int]:
    """(kind bits, place-type rank, clitic length) of a folded word: a listed word of place_words.tsv,
    possibly with a conjunction / preposition glued on ("وبمدينة"); worked out once per distinct word."""
    found = _classes.get(norm)
    if found is not None:
        return found
    if len(_classes) > 200_000:
        _classes.clear()
    words = place_words()
    bits, rank, clitic = 0, 0, 0
    for kind, bit in (("preposition", _PREP), ("toward", _TOWARD), ("place_type", _TYPE), ("stop", _STOP),
                      ("place_type_prep", _TYPE_PREP), ("place_type_plural", _PLURAL),
                      ("genitive_head", _GENITIVE), ("anaphor", _ANAPHOR), ("nationwide", _NATION)):
        listed = words.get(kind, {})
        for n in range(0, min(3, len(norm) - 1)):
            if norm[:n] in _CLITICS and norm[n:] in listed:
                bits |= bit
                if bit in (_TYPE, _TYPE_PREP, _ANAPHOR):
                    rank, clitic = listed[norm[n:]], n
                break
    found = _classes[norm] = (bits, rank, clitic) if bits else _PLAIN
    return found


def _word_kinds(tokens: list[Token], first: int, stop: int) -> list[tuple[int, int, int]]:
    """_classify of each word of tokens[first:stop]: one dict lookup per word (C-level map), worked out once
    per distinct word."""
    kinds = list(map(_classes.get, map(_norm_of, tokens[first:stop])))
    if None in kinds:
        kinds = [_classify(tokens[first + j].norm) if c is None else c for j, c in enumerate(kinds)]
    return kinds


def sentence_places(text: str, tokens: list[Token], first: int, stop: int, entities: list[Span],
                    starts: list[int], known_words: set[int], learned: dict[str, float] | None = None) -> list[Place]:
    """Places of tokens[first:stop] tied to an event: known ones (`entities`: the sentence's place spans of
    the "entities" layer, label = place id) after a preposition or a place-type word, unknown ones by
    position. `known_words`: tokens that start a lexicon entry (cues, groups, numbers), which are never an
    unknown place's name. `learned`: names the article gives elsewhere after a type word ("مخيم زمزم"), folded,
    with their rank: they tie after a preposition or a facility / event noun like known places ("من زمزم")."""
    found = _SentencePlaces(text, tokens, first, stop, known_words, learned)
    found.add_known(entities, starts)
    found.add_unknown()
    if learned:
        found.add_glued_learned()
    return found.out


class _SentencePlaces:
    """The places of one sentence, tokens[first:stop], as sentence_places finds them: `out` in the order
    found, `covered` the tokens they take (a later rule never names a place there)."""

    def __init__(self, text: str, tokens: list[Token], first: int, stop: int, known_words: set[int],
                 learned: dict[str, float] | None):
        self.text, self.tokens, self.first, self.stop = text, tokens, first, stop
        self.known_words, self.learned = known_words, learned
        self.kinds = _word_kinds(tokens, first, stop)     # kinds[k - first]: the _classify tuple of token k
        words = place_words()
        self.name_heads, self.adjective_names = words.get("name_head", {}), words.get("adjective_name", {})
        self.out: list[Place] = []
        self.covered: set[int] = set()

    def _bits_before(self, k: int) -> int:
        """The kind bits of the word before token k (0 at the sentence's first word)."""
        return self.kinds[k - 1 - self.first][0] if k > self.first else 0

    # -- places the gazetteer knows --------------------------------------------------------------------
    def add_known(self, entities: list[Span], starts: list[int]) -> None:
        """The known places that a preposition, a type word or a list ties to the sentence's events."""
        first, stop, ranks = self.first, self.stop, _kind_ranks()
        for en in entities:
            k = bisect.bisect_right(starts, en.start, first, stop) - 1
            if k < first:
                continue
            last = bisect.bisect_left(starts, en.end, first, stop) - 1
            self.covered.update(range(k, last + 1))
            before = self._bits_before(k)
            strong = self._tied_by_words_before(en, k, before)
            weak = not strong and bool(before & _TOWARD)
            joined = self._joins_place_before(k, before)
            if joined:
                strong, weak = not self.out[-1].weak, self.out[-1].weak   # the list goes on after its preposition
            if not (strong or weak):
                continue
            joined = joined or self._opens_list(last, before)
            self.out.append(Place(en.label, en.start, en.end, k, ranks.get(en.label, KIND_RANK["city"]), weak, last,
                                  joined))

    def _tied_by_words_before(self, en: Span, k: int, before: int) -> bool:
        """Right after a preposition or a place-type word ("في حلب", "بالخرطوم", "بولاية كسلا"), a plural type
        word ("مستشفيات إدلب") or a facility / event noun ("قارب طبرق", "تفجير بلدوين"); or a genitive after a
        noun that follows a preposition ("في شوارع درنة"). Not two words back otherwise ("في البيت الأبيض")."""
        tok = self.tokens[k]
        if tok.start < en.start and normalize_word(self.text[tok.start:en.start]).endswith("ب"):
            return True
        if before & (_PREP | _TYPE | _PLURAL | _GENITIVE):
            return True
        return k - 2 >= self.first and tok.norm not in self.adjective_names \
            and bool(self.kinds[k - 2 - self.first][0] & _PREP)

    def _joins_place_before(self, k: int, before: int) -> bool:
        """The place at token k continues a list with و: "من روسيا وبيلاروسيا"; or its type word does: "في إدلب
        وبلدة سرمدا"."""
        tokens, out = self.tokens, self.out
        if out and out[-1].last == k - 1 and tokens[k].norm.startswith("و"):
            return True
        return k - 1 > self.first and bool(before & _TYPE) and tokens[k - 1].norm.startswith("و") \
            and any(p.last == k - 2 for p in out)

    def _opens_list(self, last: int, before: int) -> bool:
        """Names joined by و follow the place ending at token `last`: a plural type word and a list ("في
        مدينتي زاهدان وخاش"), three names ("في نيروبي ومومباسا وكيسومو"), or a second place with و and its own
        preposition ("في ساحة التحرير ببغداد وأمام حقول الرميلة في البصرة")."""
        if last + 1 >= self.stop:
            return False
        if before & _PLURAL and self._plain_conjunct_at(last + 1):
            return True
        if last + 2 < self.stop and self._plain_name_at(last + 1) and self._plain_name_at(last + 2):
            return True
        word = self.tokens[last + 1].norm
        return word.startswith("و") and bool(self.kinds[last + 1 - self.first][0] & _PREP) \
            and word[1:] in place_words()["preposition"]

    def _plain_conjunct_at(self, k: int) -> bool:
        return _plain_conjunct(self.tokens[k], self.kinds[k - self.first])

    def _plain_name_at(self, k: int) -> bool:
        """و and a name at token k, which no lexicon lists."""
        return self._plain_conjunct_at(k) and k not in self.known_words

    # -- places the gazetteer does not know ------------------------------------------------------------
    def add_unknown(self) -> None:
        """Nationwide places ("في أنحاء البلاد") and the names a type word or a preposition places."""
        first, kinds = self.first, self.kinds
        for j in compress(range(self.stop - first), map(_bits_of, kinds)):     # words of a listed kind only
            k = first + j
            if kinds[j][0] & _NATION and self._nationwide(k):
                tok = self.tokens[k]
                self.out.append(Place(NATIONWIDE, tok.start, tok.end, k, KIND_RANK["country"], False, k))
                continue
            place = self._named_after(k)
            if place is not None:
                self.out.append(place)
                self.covered.update(range(place.token + 1, place.last + 1))

    def _nationwide(self, k: int) -> bool:
        """"في أنحاء البلاد", "بالبلاد": a place of country rank that names none."""
        clitic = self.kinds[k - self.first][2]
        return bool(self._bits_before(k) & _PREP) or bool(clitic) or self.tokens[k].norm.startswith("ب")

    def _bits_in_context(self, k: int) -> tuple[int, float]:
        """(kind bits, type rank) of the listed word at token k, with what the words around it make of it."""
        bits, type_rank, clitic = self.kinds[k - self.first]
        if bits & _TYPE_PREP and (clitic or self._bits_before(k) & _PREP):
            bits |= _TYPE       # "في محلية طويلة", "بمحلية طويلة"; not "مصادر محلية"
        if bits & _PLURAL and self._name_head_after(k):
            # "ضربت مديريات وادي حضرموت": a plural type word and a two-word name; several places make an area
            # (rank of a province: a city named with it is more specific)
            bits |= _TYPE
            type_rank = KIND_RANK["province"]
        if bits & _GENITIVE and self._learned_after(k):
            bits |= _PREP       # "قصف بارا" when the article names "بلدة بارا"
        return bits, type_rank

    def _name_head_after(self, k: int) -> bool:
        return k + 1 < self.stop and self.tokens[k + 1].norm in self.name_heads

    def _learned_after(self, k: int) -> bool:
        return bool(self.learned) and k + 1 < self.stop and self.tokens[k + 1].norm in self.learned

    def _named_after(self, k: int) -> Place | None:
        """The unknown place a type word or a preposition at token k names with the word after it, or None."""
        name = k + 1
        if name >= self.stop or name in self.covered or not self._may_be_name(k, name):
            return None         # (the cheap checks on the name first: most listed words are followed by no name)
        bits, type_rank = self._bits_in_context(k)
        if not bits & (_TYPE | _PREP):
            return None
        rank = type_rank if bits & _TYPE else self._rank_after_preposition(k)
        if rank is None:
            return None
        return self._unknown_place(k, bool(bits & _TYPE), rank)

    def _unknown_place(self, k: int, typed: bool, rank: float) -> Place:
        """The place named after token k (`typed`: a type word, part of the place as written: "بلدة بارا")."""
        tokens, clitic = self.tokens, self.kinds[k - self.first][2]
        tok, name = tokens[k], k + 1
        last = self._name_last(name)
        start = tokens[name].start
        if typed:
            start = tok.start + clitic if tok.end - tok.start == len(tok.norm) else tok.start
        # "في بلدوين وبلدة بولوبردي": a type word joined by و to the place before it continues a list
        joined = typed and tok.norm.startswith("و") and clitic > 0 and any(p.last == k - 1 for p in self.out)
        return Place(None, start, tokens[last].end, k, rank, False, last, joined)

    def _rank_after_preposition(self, k: int) -> float | None:
        """The rank of the word after the preposition at token k when the words around make it a place, else None."""
        learned, name = self.learned, self.tokens[k + 1].norm
        if self._in_place_before_place(k):
            return _UNKNOWN_RANK        # "في الطينة بشمال دارفور"
        if learned and name in learned:
            return learned[name]        # "من زمزم": a name the article gives with a type word
        if self._in_place_alone(k):
            return _UNKNOWN_RANK        # "انتشلنا 58 جثماناً في جنديرس وحدها"
        if self._from_place_and_surroundings(k):
            return _UNKNOWN_RANK        # "من بارا والقرى المحيطة بها": a place and its surroundings
        if self._in_town_of_facility(k):
            return KIND_RANK["city"]    # "سوق الماشية في بلدوين": the town the facility is in
        return None

    def _in_place_before_place(self, k: int) -> bool:
        return self.tokens[k].norm == "في" and _followed_by_place(self.tokens, k + 1, self.stop, self.covered,
                                                                  self.kinds, self.first)

    def _in_place_alone(self, k: int) -> bool:
        """"في" + a word + "وحدها" / "وحده" at token k."""
        return self.tokens[k].norm == _IN_FROM_IN and k + 2 < self.stop and self.tokens[k + 2].norm in _ALONE

    def _from_place_and_surroundings(self, k: int) -> bool:
        """"من" / "في" + a word + "والقرى", "والمناطق" (a plural type word with و + the article) at token k."""
        if self.tokens[k].norm not in _IN_FROM or k + 2 >= self.stop:
            return False
        word = self.tokens[k + 2].norm
        return word.startswith("وال") and bool(_classify(word[3:])[0] & _PLURAL)

    def _in_town_of_facility(self, k: int) -> bool:
        """"في" at token k right after a facility the gazetteer does not know."""
        out = self.out
        return self.tokens[k].norm == "في" and bool(out) and out[-1].id is None and out[-1].last == k - 1 \
            and out[-1].rank == _FACILITY_RANK

    def _may_be_name(self, k: int, name: int) -> bool:
        """Token `name` may name a place: not a listed word ("سوق بلدة بارا": the inner type word names the
        place), a number, a lexicon entry, or a word far from the one before it."""
        ntok = self.tokens[name]
        if self.kinds[name - self.first][0] or name in self.known_words or ntok.start - self.tokens[k].end > 2:
            return False
        return ntok.norm.isalpha() or not any(ch.isdigit() for ch in ntok.norm)   # (no letter is a digit)

    def _name_last(self, name: int) -> int:
        """The last token of the name at token `name`: the next one after a name head ("أبو صرة", "دير البلح")."""
        tokens = self.tokens
        ntok = tokens[name]
        if ntok.norm in self.name_heads and name + 1 < self.stop and tokens[name + 1].start - ntok.end <= 1:
            return name + 1
        return name

    def add_glued_learned(self) -> None:
        """"بطويلة": ب glued to a name the article gives with a type word."""
        tokens, learned, covered, known_words = self.tokens, self.learned, self.covered, self.known_words
        for k in range(self.first, self.stop):
            norm = tokens[k].norm
            if k not in covered and norm.startswith("ب") and norm[1:] in learned and k not in known_words \
                    and tokens[k].end - tokens[k].start == len(norm):
                self.out.append(Place(None, tokens[k].start + 1, tokens[k].end, k, learned[norm[1:]], False, k))
                covered.add(k)


def learned_names(places: Iterable[Place], tokens: list[Token]) -> dict[str, float]:
    """Folded one-word names that follow a type word ("مخيم زمزم", "بلدة بارا") -> their rank."""
    out: dict[str, float] = {}
    for p in places:
        if p.id is None and p.last == p.token + 1 and _classify(tokens[p.token].norm)[0] & _TYPE \
                and len(tokens[p.last].norm) > 2:
            out.setdefault(tokens[p.last].norm, min(p.rank, KIND_RANK["city"]))
    return out


def anaphor_tokens(tokens: list[Token], first: int, last: int) -> list[tuple[int, float]]:
    """(token, rank) of the place nouns pointing back in tokens[first:last + 1] ("المدينة", "في الولاية"); not
    one right after a definite noun, where it is an adjective ("الأجهزة المحلية")."""
    found = []
    for k in range(first, last + 1):
        kind = _classify(tokens[k].norm)      # looked up in its cache first
        if not kind[0] & _ANAPHOR:
            continue
        if k > first and tokens[k].norm.startswith("ال") and tokens[k - 1].norm.startswith(("ال", "وال")):
            continue
        found.append((k, kind[1]))
    return found


def _plain_conjunct(tok: Token, kind) -> bool:
    """"وخاش" after a place: و and a name (no listed word, no pronoun: "وريفها" is the place's own countryside)."""
    return tok.norm.startswith("و") and len(tok.norm) > 2 and not kind[0] and not tok.norm.endswith(("ها", "هم"))


_IN_FROM = frozenset(normalize_word(w) for w in ("في", "من"))
_SEPARATOR = re.compile(r"[،,؛;.]")


def listed_places(text: str, tokens: list[Token], ends: list[int], stop: int, taken: set[int]) -> list[Place]:
    """"سجلت 6 وفيات في نيروبي، و3 في كيسومو، وحالتين في ناكورو": in a list of counts each followed by
    "في" + one word, the word is the count's place even when no file knows it. `ends`: the last token of each
    count's phrase; `taken`: tokens of the lexicons (counts, cues, groups, known places), never such a name.
    At least two counts of the sentence must have that shape."""
    shaped = []
    for end in ends:
        name = _list_item_name(text, tokens, end, stop)
        if name is not None:
            shaped.append(name)
    if len(shaped) < 2:
        return []
    return [Place(None, tokens[name].start, tokens[name].end, name - 1, _UNKNOWN_RANK, False, name)
            for name in shaped if name not in taken and not _classify(tokens[name].norm)[0]]


def _list_item_name(text: str, tokens: list[Token], end: int, stop: int) -> int | None:
    """The token of the word in "في" + word right after a count's phrase (ending at token `end`) when that word
    ends its item -- a separator, the end of the sentence, or "و" + the next count follows -- else None."""
    name = end + 2
    if name >= stop or tokens[end + 1].norm != _IN_FROM_IN:
        return None
    word = tokens[name].norm
    if any(ch.isdigit() for ch in word) or len(word) < 3:
        return None
    if name + 1 < stop and not _SEPARATOR.search(text, tokens[name].end, tokens[name + 1].start):
        return None
    return name


_IN_FROM_IN = normalize_word("في")
_ALONE = frozenset(normalize_word(w) for w in ("وحدها", "وحده"))


def _followed_by_place(tokens: list[Token], name: int, stop: int, covered: set[int], kinds, first: int) -> bool:
    """A known place or a place-type word with ب / في right after the word at `name` ("في بارا بولاية ...",
    "في الطينة بشمال دارفور"); a bare one is a genitive ("في شوارع درنة": the streets of Derna)."""
    nxt = name + 1
    if nxt >= stop or not tokens[nxt].norm.startswith(("ب", "وب")):
        return False
    return nxt in covered or bool(kinds[nxt - first][0] & _TYPE)


def choose(places: list[Place], count_first: int, count_last: int, prev_last: int, next_first: int,
           clause: dict[int, int], walls: list[int], others: list[int] = (), joined: bool = False) -> Place | None:
    """The place of a count (see the module docstring); `walls`: tokens of clause words (فيما، بينما);
    `others`: first tokens of the sentence's other counts (a place past one of them in another clause is its);
    `joined`: the count opens a phrase joined by و to the count before it."""
    if not places:
        return None
    pool = [p for p in places if _reachable(p, count_first, walls)] if walls else places   # (most sentences have no wall)
    if joined:
        # "بين 80 و90 قتيلاً في بارا وعشرات المفقودين": a place right after the count before belongs to it, not
        # to the count joined to it by و
        pool = [p for p in pool if not prev_last < p.token < count_first]
    tiers = _tiers(pool, count_first, count_last, prev_last, next_first, clause)
    tiers.append(_sentence_scope(pool, places, sorted([*others, count_first])))
    best = _first_best(tiers, count_first)
    return None if best is None or _listed(best, places) else best


def _tiers(pool: list[Place], count_first: int, count_last: int, prev_last: int, next_first: int,
           clause: dict[int, int]) -> list[list[Place]]:
    """The places of `pool` in the order they are tried: after the count up to the next one, before it back to
    the count before in its clause, anywhere in its clause."""
    same_clause = clause.get(count_first)
    return [
        [p for p in pool if count_last < p.token < next_first],
        [p for p in pool if prev_last < p.token < count_first and clause.get(p.token) == same_clause],
        [p for p in pool if clause.get(p.token) == same_clause],
    ]


def _reachable(place: Place, count_first: int, walls: list[int]) -> bool:
    """No clause word stands between the place and the count."""
    lo, hi = sorted((place.token, count_first))
    return not any(lo < w < hi for w in walls)


def _sentence_scope(pool: list[Place], places: list[Place], firsts: list[int]) -> list[Place]:
    """The places of `pool` opening or closing the sentence (before its first count, after its last:
    `firsts`, the first tokens of its counts in order): they scope over all its counts -- unless the places are
    distributed, one per count ("سجلت 6 وفيات في الخرطوم، و15 في كسلا"): none then."""
    bounds = list(zip(firsts, firsts[1:] + [1 << 30]))
    if len(bounds) >= 2 and sum(any(a < p.token < b for p in places) for a, b in bounds) >= 2:
        return []
    return [p for p in pool if p.token < firsts[0] or p.token > firsts[-1]]


def _first_best(tiers: list[list[Place]], count_first: int) -> Place | None:
    """The most specific, then nearest, place of the first tier that has one; a destination only when no tier
    has another place."""
    for weak in (False, True):
        for tier in tiers:
            best = None
            for p in tier:
                if p.weak == weak and (best is None or _closer(p, best, count_first)):
                    best = p
            if best is not None:
                return best
    return None


def _closer(place: Place, best: Place, count_first: int) -> bool:
    """`place` is more specific than `best`, or as specific and nearer the count (a tie keeps `best`)."""
    if place.rank != best.rank:
        return place.rank < best.rank
    return abs(place.token - count_first) < abs(best.token - count_first)


def _listed(place: Place, places: list[Place]) -> bool:
    """One of several places joined by و ("من روسيا وبيلاروسيا وأرمينيا"): no single place of the count."""
    return place.joined or any(q.joined and q.token == place.last + 1 for q in places)


_DATELINE_PATTERNS = ((_DATELINE, True), (_HEADLINE_PLACE, False))   # (pattern, an unknown place counts)


def dateline(text: str, body_start: int, body_end: int, named: Iterable[str] = ()) -> tuple[str | None, int, int] | None:
    """(place id or None, start, end) of a dateline opening the body or its second line (after a repeated
    headline): "الفاشر - " (any place), "صفاقس: " (a place the gazetteer knows). None when there is none, or
    when the dateline lies in another country than the places the article names (`named`: their ids):
    "جنيف - " above a story on Sudan is the reporting desk, not where anything was counted."""
    gaz = load_gazetteer()
    line = body_start
    for _ in range(2):
        for pattern, unknown_ok in _DATELINE_PATTERNS:
            m = pattern.match(text, line, body_end)
            if not m or len(m.group(1).split()) > 3:
                continue
            start, end = m.span(1)
            place = gaz.lookup(text[start:end])
            if place is None and not unknown_ok:
                continue
            return _dateline_place(gaz, place, start, end, named)
        line = text.find("\n", line, body_end) + 1
        if line == 0:
            return None         # a one-line body
    return None


def _dateline_place(gaz, place: str | None, start: int, end: int, named: Iterable[str]):
    """The dateline found at text[start:end] (`place`: its gazetteer id or None), or None when it is not
    where the article's counts happened."""
    if place is None:
        return None, start, end
    if gaz.info(place)["type"] != "place":
        return None         # "الأمم المتحدة: ..." names a speaker, not a place
    return (place, start, end) if _same_country(place, named) else None


def _same_country(place: str, named: Iterable[str]) -> bool:
    """The dateline's country is a country of some other place the article names (or it names none)."""
    countries = _countries()
    home = countries.get(place)
    others = {countries.get(n) for n in named if n != place}
    others.discard(None)
    return not others or home in others


@lru_cache(maxsize=1)
def _countries() -> dict[str, str]:
    """place id -> its country id (a country is its own; actors.tsv places of Kazakhstan are kazakhstan's)."""
    out = {}
    for row in load_gazetteer().rows:
        if row.get("type") == "place" and row["id"] not in out:
            out[row["id"]] = row.get("country") or row["id"]
    return out
