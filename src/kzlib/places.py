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
from kzlib.paths import LEXICONS
from kzlib.tsv import read_tsv

# gazetteer kinds, most specific first (a camp before its town before its province)
KIND_RANK = {"neighbourhood": 0, "camp": 0, "district": 1, "town": 2, "city": 3, "capital": 3, "island": 3,
             "province": 4, "region": 5, "country": 6}
_UNKNOWN_RANK = 2          # a place the gazetteer does not know, named without a type word
_FACILITY_RANK = 3.5       # a facility (place_words.tsv: سوق، مطار، مستشفى): its city, named with it, wins
_DATELINE = re.compile(r"\s*([^\n\-–—:.،]{2,40}?)\s*(?:\([^)\n]{1,30}\)\s*)?[-–—]\s")
_HEADLINE_PLACE = re.compile(r"\s*([^\n\-–—:.،]{2,30}?)\s*:\s")


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
    path = LEXICONS / "place_words.tsv"
    for row in read_tsv(path):
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


def sentence_places(text: str, tokens: list[Token], first: int, stop: int, entities: list[Span],
                    starts: list[int], known_words: set[int], learned: dict[str, float] | None = None) -> list[Place]:
    """Places of tokens[first:stop] tied to an event: known ones (`entities`: the sentence's place spans of
    the "entities" layer, label = place id) after a preposition or a place-type word, unknown ones by
    position. `known_words`: tokens that start a lexicon entry (cues, groups, numbers), which are never an
    unknown place's name. `learned`: names the article gives elsewhere after a type word ("مخيم زمزم"), folded,
    with their rank: they tie after a preposition or a facility / event noun like known places ("من زمزم")."""
    heads = place_words().get("name_head", {})
    adjective_names = place_words().get("adjective_name", {})
    ranks = _kind_ranks()
    # kinds[k - first]: one dict lookup per word (C-level map), worked out once per distinct word
    kinds = list(map(_classes.get, map(_norm_of, tokens[first:stop])))
    if None in kinds:
        kinds = [_classify(tokens[first + j].norm) if c is None else c for j, c in enumerate(kinds)]
    out: list[Place] = []
    covered: set[int] = set()
    for en in entities:
        k = bisect.bisect_right(starts, en.start, first, stop) - 1
        if k < first:
            continue
        last = bisect.bisect_left(starts, en.end, first, stop) - 1
        covered.update(range(k, last + 1))
        tok = tokens[k]
        glued = normalize_word(text[tok.start:en.start]) if tok.start < en.start else ""
        # right after a preposition or a place-type word ("في حلب", "بالخرطوم", "بولاية كسلا"); not two words
        # back ("في البيت الأبيض")
        before = kinds[k - 1 - first][0] if k > first else 0
        # ... or a plural type word ("مستشفيات إدلب") or a facility / event noun ("قارب طبرق", "تفجير بلدوين")
        strong = glued.endswith("ب") or bool(before & (_PREP | _TYPE | _PLURAL | _GENITIVE))
        if not strong and k - 1 >= first and tok.norm not in adjective_names:
            # a genitive after a noun that follows a preposition: "في شوارع درنة", "في سجون البصرة"
            strong = k - 2 >= first and bool(kinds[k - 2 - first][0] & _PREP)
        weak = not strong and bool(before & _TOWARD)
        joined = bool(out) and out[-1].last == k - 1 and tok.norm.startswith("و")
        if not joined and k - 1 > first and before & _TYPE and tokens[k - 1].norm.startswith("و") \
                and any(p.last == k - 2 for p in out):
            joined = True       # "في إدلب وبلدة سرمدا": a type word joined by و to the place before it
        if joined:
            strong, weak = not out[-1].weak, out[-1].weak     # the list continues the preposition before it
        if not (strong or weak):
            continue
        if before & _PLURAL and last + 1 < stop and _plain_conjunct(tokens[last + 1], kinds[last + 1 - first]):
            joined = True       # "في مدينتي زاهدان وخاش": a plural type word and a list of names
        elif last + 2 < stop and all(_plain_conjunct(tokens[n], kinds[n - first]) and n not in known_words
                                     for n in (last + 1, last + 2)):
            joined = True       # "في نيروبي ومومباسا وكيسومو": a list of three names
        elif last + 1 < stop and tokens[last + 1].norm.startswith("و") \
                and kinds[last + 1 - first][0] & _PREP and tokens[last + 1].norm[1:] in place_words()["preposition"]:
            joined = True       # "في ساحة التحرير ببغداد وأمام حقول الرميلة في البصرة": two places
        out.append(Place(en.label, en.start, en.end, k, ranks.get(en.label, KIND_RANK["city"]), weak, last, joined))
    for j in compress(range(stop - first), map(_bits_of, kinds)):     # words of a listed kind only
        k = first + j
        bits, type_rank, clitic = kinds[j]
        if bits & _TYPE_PREP and (clitic or k > first and kinds[k - 1 - first][0] & _PREP):
            bits |= _TYPE       # "في محلية طويلة", "بمحلية طويلة"; not "مصادر محلية"
        if bits & _NATION and (k > first and kinds[k - 1 - first][0] & _PREP or clitic or tokens[k].norm.startswith("ب")):
            # "في أنحاء البلاد", "بالبلاد": nationwide (a place of country rank that names none)
            out.append(Place(NATIONWIDE, tokens[k].start, tokens[k].end, k, KIND_RANK["country"], False, k))
            continue
        if k + 1 < stop and bits & _PLURAL and tokens[k + 1].norm in heads:
            # "ضربت مديريات وادي حضرموت": a plural type word and a two-word name; several places make an area
            # (rank of a province: a city named with it is more specific)
            bits |= _TYPE
            type_rank = KIND_RANK["province"]
        if learned and bits & _GENITIVE and k + 1 < stop and tokens[k + 1].norm in learned:
            bits |= _PREP       # "قصف بارا" when the article names "بلدة بارا"
        if not bits & (_TYPE | _PREP) or k + 1 >= stop:
            continue
        name = k + 1
        if name in covered:
            continue
        if bits & _TYPE:
            rank = type_rank
        elif tokens[k].norm == "في" and _followed_by_place(tokens, name, stop, covered, kinds, first):
            rank = _UNKNOWN_RANK
        elif learned and tokens[name].norm in learned:
            rank = learned[tokens[name].norm]     # "من زمزم": a name the article gives with a type word
        elif tokens[k].norm == _IN_FROM_IN and name + 1 < stop and tokens[name + 1].norm in _ALONE:
            rank = _UNKNOWN_RANK        # "انتشلنا 58 جثماناً في جنديرس وحدها"
        elif tokens[k].norm in _IN_FROM and name + 1 < stop and tokens[name + 1].norm.startswith("وال") \
                and _classify(tokens[name + 1].norm[3:])[0] & _PLURAL:
            rank = _UNKNOWN_RANK        # "من بارا والقرى المحيطة بها": a place and its surroundings
        elif tokens[k].norm == "في" and out and out[-1].id is None and out[-1].last == k - 1 \
                and out[-1].rank == _FACILITY_RANK:
            rank = KIND_RANK["city"]    # "سوق الماشية في بلدوين": the town the facility is in
        else:
            continue
        tok, ntok = tokens[k], tokens[name]
        if kinds[name - first][0] or any(ch.isdigit() for ch in ntok.norm) or name in known_words \
                or ntok.start - tok.end > 2:
            continue        # a listed word ("سوق بلدة بارا": the inner type word names the place), a number ...
        last = name
        if ntok.norm in heads and name + 1 < stop and tokens[name + 1].start - ntok.end <= 1:
            last = name + 1     # "أبو صرة", "دير البلح"
        start = ntok.start
        if bits & _TYPE:
            start = tok.start + clitic if tok.end - tok.start == len(tok.norm) else tok.start
        # "في بلدوين وبلدة بولوبردي": a type word joined by و to the place before it continues a list
        joined = bool(bits & _TYPE) and tok.norm.startswith("و") and clitic > 0 and any(p.last == k - 1 for p in out)
        out.append(Place(None, start, tokens[last].end, k, rank, False, last, joined))
        covered.update(range(name, last + 1))
    if learned:
        for k in range(first, stop):      # "بطويلة": ب glued to a learned name
            norm = tokens[k].norm
            if k not in covered and norm.startswith("ب") and norm[1:] in learned and k not in known_words \
                    and tokens[k].end - tokens[k].start == len(norm):
                out.append(Place(None, tokens[k].start + 1, tokens[k].end, k, learned[norm[1:]], False, k))
                covered.add(k)
    return out


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
    folded_in = _IN_FROM_IN
    shaped = []
    for e in ends:
        k, name = e + 1, e + 2
        if name >= stop or tokens[k].norm != folded_in:
            continue
        ntok = tokens[name]
        if any(ch.isdigit() for ch in ntok.norm) or len(ntok.norm) < 3:
            continue
        # the name ends its item: a separator, the end of the sentence, or "و" + the next count
        if name + 1 < stop and not _SEPARATOR.search(text, ntok.end, tokens[name + 1].start):
            continue
        shaped.append(name)
    if len(shaped) < 2:
        return []
    out = []
    for name in shaped:
        if name in taken or _classify(tokens[name].norm)[0]:
            continue
        out.append(Place(None, tokens[name].start, tokens[name].end, name - 1, _UNKNOWN_RANK, False, name))
    return out


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
    same_clause = clause.get(count_first)
    # "سجلت 6 وفيات في الخرطوم، و15 في كسلا": when other counts have places of their own the places are
    # distributed, one per count; otherwise a place of the sentence is shared by its counts
    firsts = sorted([*others, count_first])
    bounds = list(zip(firsts, firsts[1:] + [1 << 30]))
    distributive = sum(any(a < p.token < b for p in places) for a, b in bounds) >= 2

    def reachable(p: Place) -> bool:
        lo, hi = sorted((p.token, count_first))
        return not any(lo < w < hi for w in walls)

    before_all, after_all = firsts[0], max(firsts)
    pool = [p for p in places if reachable(p)]
    if joined:
        # "بين 80 و90 قتيلاً في بارا وعشرات المفقودين": a place right after the count before belongs to it, not
        # to the count joined to it by و
        pool = [p for p in pool if not prev_last < p.token < count_first]
    tiers = (
        [p for p in pool if count_last < p.token < next_first],                                   # after it
        [p for p in pool if prev_last < p.token < count_first and clause.get(p.token) == same_clause],
        [p for p in pool if clause.get(p.token) == same_clause],
        # a place opening or closing the sentence scopes over all its counts, unless they have their own
        [] if distributive else [p for p in pool if p.token < before_all or p.token > after_all],
    )
    for weak in (False, True):
        for tier in tiers:
            tier = [p for p in tier if p.weak == weak]
            if tier:
                best = min(tier, key=lambda p: (p.rank, abs(p.token - count_first)))
                return None if _listed(best, places) else best
    return None


def _listed(place: Place, places: list[Place]) -> bool:
    """One of several places joined by و ("من روسيا وبيلاروسيا وأرمينيا"): no single place of the count."""
    return place.joined or any(q.joined and q.token == place.last + 1 for q in places)


def dateline(text: str, body_start: int, body_end: int, named: Iterable[str] = ()) -> tuple[str | None, int, int] | None:
    """(place id or None, start, end) of a dateline opening the body or its second line (after a repeated
    headline): "الفاشر - " (any place), "صفاقس: " (a place the gazetteer knows). None when there is none, or
    when the dateline lies in another country than the places the article names (`named`: their ids):
    "جنيف - " above a story on Sudan is the reporting desk, not where anything was counted."""
    gaz = load_gazetteer()
    line = body_start
    for _ in range(2):
        for pattern, unknown_ok in ((_DATELINE, True), (_HEADLINE_PLACE, False)):
            m = pattern.match(text, line, body_end)
            if not m or len(m.group(1).split()) > 3:
                continue
            start, end = m.span(1)
            place = gaz.lookup(text[start:end])
            if place is not None and gaz.info(place)["type"] != "place":
                return None         # "الأمم المتحدة: ..." names a speaker, not a place
            if place is None and not unknown_ok:
                continue
            return (place, start, end) if place is None or _same_country(place, named) else None
        nl = text.find("\n", line, body_end)
        if nl < 0:
            return None
        line = nl + 1
    return None


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
