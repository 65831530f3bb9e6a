"""Counted groups: whose count a figure is, as a span of the text ("12 من الأطفال" -> الأطفال, children).

Given the group words of a sentence (the "group_words" layer of kzlib.doc: subjects.tsv + groups.tsv, one
Lexicon; label = coarse subject, attrs form / prefix / detail) and its counts, each count gets a Group: the coarse `subject`, the fine `detail` of groups.tsv (or None) and the offsets of the group as
written. The rules read the grammar of Arabic counted phrases, not particular sentences:

- the noun right after the number ("12 طفلاً"), and an adjective after a casualty noun ("97 قتيلاً مدنياً");
- a partitive after the number or after a generic head: "12 من الأطفال", "21 فرداً من قوات الأمن",
  "15 من عناصر الشرطة"; a word the lexicons do not know is kept as written ("ثمانية من أبنائها") with
  the coarse subject `people`;
- a pronoun or "other(s)": "ثلاثة منهم", "14 آخرون" -> the group of the count before (any earlier
  sentence of the article), or the last group named;
- "في صفوف Y" later in the clause: "بمقتل 9 وإصابة 240 في صفوف القوات الأمنية" gives Y to the counts
  before it that name no group;
- a count with no noun coordinated by و with the count before it shares that count's group.
"""

from __future__ import annotations

from functools import lru_cache
from typing import NamedTuple

from kzlib.doc import Span
from kzlib.gazetteer import Token, _prefix_length
from kzlib.normalize import normalize_word


class Group(NamedTuple):
    subject: str                 # coarse subject id (VOCABULARY.md)
    detail: str | None           # fine id of groups.tsv, or None
    start: int | None            # offsets of the group as written (None when no group is named)
    end: int | None
    head_last: int | None = None  # last token of the counted phrase right after the number (for the quote)
    partitive: bool = False       # named by "من" after the number ("ثلاثة من الموقوفين")


NO_GROUP = Group("unspecified", None, None, None)
# a casualty noun counted ("30 قتيلاً", "40 جريحاً"): persons, no group named
CASUALTY_NOUN = "people"


@lru_cache(maxsize=1)
def _words() -> dict[str, frozenset[str]]:
    w = lambda *xs: frozenset(normalize_word(x) for x in xs)  # noqa: E731
    return {
        "of": w("من"),
        # "منهم" / "بينهم" glued to the pronoun: the count is part of a group named before
        "pronoun": w("منهم", "منهن", "منها", "منهما", "بينهم", "بينهن"),
        # generic heads that a partitive names more precisely ("21 فرداً من قوات الأمن")
        "generic": w("فرد", "فردا", "أفراد", "عنصر", "عنصرا", "عناصر", "منتسب", "منتسبي", "منتسبا", "شخص",
                     "شخصا", "أشخاص", "واحد", "واحدا", "واحدة"),
        # "في صفوف Y", "بين صفوف Y", "في أوساط Y"
        "ranks": w("صفوف", "أوساط"),
        # words that end a group phrase kept as written (a partitive the lexicons do not know)
        "one": w("واحدة", "واحد"),
        "on": w("على"),
        "least": w("الأقل"),
        "stop": w("في", "على", "إلى", "الى", "عن", "مع", "خلال", "جراء", "بعد", "قبل", "منذ", "حتى", "أن",
                  "إن", "الذي", "التي", "الذين", "و", "أو", "ثم", "بسبب", "إثر", "اثر", "نتيجة"),
    }


def _detail(m: Span) -> str | None:
    return m.attrs.get("detail") or None


def _is_casualty_noun(m: Span) -> bool:
    return m.label == CASUALTY_NOUN and not _detail(m) and m.attrs["form"] != "speaker"


def _group_of(m: Span, tokens: list[Token], text: str, head_last: int | None = None) -> Group:
    token = tokens[m.first]
    # conjunctions and prepositions glued to the group are not part of it; its article is ("والأطفال" -> الأطفال)
    prefix = m.attrs["prefix"]
    clitic = prefix[:-2] if prefix.endswith("ال") and not prefix.endswith("لل") else prefix
    return Group(m.label, _detail(m), token.start + _prefix_length(text, token, clitic),
                 tokens[m.last].end, m.last if head_last is None else head_last)


def _self_group(m: Span, tokens: list[Token]) -> Group:
    """"من أفرادها": the speaker's own people, resolved by the caller."""
    return Group("self", None, tokens[m.first].start, tokens[m.last].end, m.last)


def _given(head_last: int | None, default: int) -> int:
    """The counted phrase's last token: `head_last` when the caller knows it, else `default`."""
    return default if head_last is None else head_last


class SentenceGroups:
    """The counted group of each count of one sentence (see the module docstring)."""

    def __init__(self, text: str, tokens: list[Token], subs: list[Span], stop: int):
        self.text, self.tokens, self.stop = text, tokens, stop
        self.subs = subs
        self.at = {m.first: m for m in subs}
        self.words = _words()

    def head(self, first: int, last: int, previous: Group | None) -> Group | None:
        """The group named by the phrase right after the number (tokens first..last), or None.
        `previous`: the group of the article's count before (for "آخرون")."""
        k = self._past_qualifier(last + 1)
        if k >= self.stop:
            return None
        norm, words = self.tokens[k].norm, self.words
        if norm in words["pronoun"]:
            return self._antecedent(first, previous, k)
        if norm in words["of"]:
            g = self._partitive(k + 1, head_last=None, first=first, previous=previous)
            return None if g is None else g._replace(partitive=True)
        m = self.at.get(k)
        if m is None:
            return self._generic_partitive(k, first, previous)
        return self._listed_head(m, k, first, previous)

    def _past_qualifier(self, k: int) -> int:
        """"ستة على الأقل من المحتجزين": the token after a qualifier at token k, else k."""
        tokens, words = self.tokens, self.words
        if k + 1 < self.stop and tokens[k].norm in words["on"] and tokens[k + 1].norm in words["least"]:
            return k + 2
        return k

    def _generic_partitive(self, k: int, first: int, previous: Group | None) -> Group | None:
        """"60 عنصراً من الجيش": a generic head at token k that no lexicon lists, and a partitive after it."""
        tokens, words = self.tokens, self.words
        if tokens[k].norm in words["generic"] and k + 1 < self.stop and tokens[k + 1].norm in words["of"]:
            return self._partitive(k + 2, head_last=k, first=first, previous=previous)
        return None

    def _listed_head(self, m: Span, k: int, first: int, previous: Group | None) -> Group:
        """The group of the lexicon entry `m` right after the number (at token k)."""
        if m.label == "inherit":        # "14 آخرون": the group of the count before
            return previous._replace(head_last=m.last) if previous is not None else Group("people", None, None, None, m.last)
        if m.label == "self":           # "من أفرادها": resolved against the speaker by the caller
            return _self_group(m, self.tokens)
        if m.last + 1 < self.stop:
            named = self._adjective_group(m) or self._partitive_after_head(m, k, first, previous)
            if named is not None:
                return named
        if _is_casualty_noun(m):
            return Group(CASUALTY_NOUN, None, None, None, m.last)
        return self._with_second_word(m, _group_of(m, self.tokens, self.text))

    def _adjective_group(self, m: Span) -> Group | None:
        """"97 قتيلاً مدنياً": a group adjective after a casualty noun names the group."""
        adjective = self.at.get(m.last + 1)
        if adjective is None or not _is_casualty_noun(m) or _is_casualty_noun(adjective) \
                or adjective.label in ("inherit", "self"):
            return None
        return _group_of(adjective, self.tokens, self.text, head_last=adjective.last)

    def _partitive_after_head(self, m: Span, k: int, first: int, previous: Group | None) -> Group | None:
        """"21 فرداً من قوات الأمن", "30 قتيلاً من المدنيين": a partitive after a generic head or a casualty noun
        (after a casualty noun, only one that names more than persons)."""
        tokens, words = self.tokens, self.words
        generic = tokens[k].norm in words["generic"]
        if tokens[m.last + 1].norm not in words["of"] or not (_is_casualty_noun(m) or generic):
            return None
        named = self._partitive(m.last + 2, head_last=m.last, first=first, previous=previous)
        if named is not None and (generic or named.subject != "people" or named.detail):
            return named
        return None

    def _with_second_word(self, m: Span, group: Group) -> Group:
        """"26 مجرما مسلحا": a second word of the same subject continues the counted phrase (not after و:
        "امرأتين وطفلين" are two groups)."""
        second = self.at.get(m.last + 1) if m.last + 1 < self.stop else None
        if second is None or second.label != m.label or second.attrs["prefix"].startswith("و"):
            return group
        return group._replace(end=self.tokens[second.last].end, head_last=second.last)

    def _partitive(self, k: int, head_last: int | None, first: int, previous: Group | None) -> Group | None:
        """The group after "من" at token k: a listed group (through "من عناصر Y" to Y), else the words as written."""
        tokens, words = self.tokens, self.words
        if k >= self.stop:
            return None
        if tokens[k].norm in words["pronoun"]:        # "سبعة من بينهم"
            return self._antecedent(first, previous, k)
        if k + 1 < self.stop and tokens[k + 1].norm in words["one"]:
            return None             # "14 شخصاً من عائلة واحدة": one family, not a group of families
        m = self.at.get(k)
        if m is not None and m.label != "inherit":
            return self._listed_partitive(m, head_last)
        return self._unlisted_partitive(k, head_last)

    def _listed_partitive(self, m: Span, head_last: int | None) -> Group | None:
        """The group of the lexicon entry `m` after "من"."""
        if m.label == "thing":
            return None             # "300 شخص من قرية ...": where they came from, not who they are
        if m.label == "self":
            return _self_group(m, self.tokens)
        if _is_casualty_noun(m):
            return Group(CASUALTY_NOUN, None, None, None, _given(head_last, m.last))
        # "من عناصر / أفراد / صفوف Y": a generic head before the group names nothing itself
        if self.tokens[m.last].norm in self.words["generic"]:
            inner = self._group_after(m.last, head_last)
            if inner is not None:
                return inner
        return _group_of(m, self.tokens, self.text, _given(head_last, m.last))

    def _unlisted_partitive(self, k: int, head_last: int | None) -> Group | None:
        """After "من", a word at token k that no lexicon lists: "من صفوف Y" gives Y; else the head and a
        definite genitive after it as written ("أبناء القبيلة"), persons; None for a stop word or a number."""
        tokens, words = self.tokens, self.words
        word = tokens[k].norm
        if word in words["ranks"] or word in words["generic"]:
            inner = self._group_after(k, head_last)
            if inner is not None:
                return inner
        if word in words["stop"] or word.isdigit():
            return None
        end = k + 1 if self._definite_genitive_after(k) else k
        return Group("people", None, tokens[k].start, tokens[end].end, _given(head_last, end))

    def _group_after(self, k: int, head_last: int | None) -> Group | None:
        """The group of the lexicon entry right after token k, or None."""
        inner = self.at.get(k + 1) if k + 1 < self.stop else None
        if inner is None:
            return None
        return _group_of(inner, self.tokens, self.text, _given(head_last, inner.last))

    def _definite_genitive_after(self, k: int) -> bool:
        """A definite word that is no stop word, written right after token k."""
        if k + 1 >= self.stop:
            return False
        tokens = self.tokens
        word = tokens[k + 1].norm
        return word.startswith("ال") and word not in self.words["stop"] and tokens[k + 1].start - tokens[k].end <= 1

    def ranks_after(self, last: int, limit: int) -> Group | None:
        """A group named by "في صفوف Y" / "بين صفوف Y" after token `last`, before token `limit`."""
        tokens, ranks = self.tokens, self.words["ranks"]
        for k in range(last + 1, min(limit, self.stop)):
            if tokens[k].norm in ranks and (k + 1) in self.at:
                m = self.at[k + 1]
                if m.label not in ("inherit", "self") and not _is_casualty_noun(m):
                    g = _group_of(m, tokens, self.text)
                    return g._replace(head_last=None)
        return None

    def _antecedent(self, first: int, previous: Group | None, head_last: int) -> Group:
        """What "منهم" / "بينهم" after a count refers to: the nearest group or casualty noun named before the
        count in the sentence, else the article's count before; persons when there is none."""
        best = None
        for m in self.subs:
            if m.last >= first:
                break
            if m.label in ("inherit", "self", "aircraft", "checkpoints"):
                continue
            best = m
        if best is not None:
            if _is_casualty_noun(best):
                return Group(CASUALTY_NOUN, None, None, None, head_last)
            return _group_of(best, self.tokens, self.text, head_last)
        if previous is not None:
            return previous._replace(head_last=head_last)
        return Group("people", None, None, None, head_last)

    def last_named_before(self, token: int) -> Group | None:
        """The last group (not a casualty noun) named before a token of this sentence."""
        best = None
        for m in self.subs:
            if m.last >= token:
                break
            if m.label not in ("inherit", "self") and not _is_casualty_noun(m) \
                    and m.label not in ("aircraft", "checkpoints"):
                best = _group_of(m, self.tokens, self.text)._replace(head_last=None)
        return best


# --- duals: a noun that counts two without a numeral ("مقتل جنديين", "طفلان") ------------------------------

DUAL_ENDINGS = ("ين", "ان")        # oblique / nominative dual (folded: "طفلين", "طفلان", "امرأتين")
_DUAL_CLITICS = ("", "و", "ف", "ب", "ل", "وب", "ول")
_duals: dict[str, int] = {}


@lru_cache(maxsize=1)
def _singulars() -> frozenset[str]:
    """Folded one-word nouns of the group and casualty lexicons (groups.tsv, subjects.tsv, the counted nouns of
    categories.tsv): the words whose dual counts two."""
    from kzlib.lexicon_files import lexicon_rows

    rows = lexicon_rows("groups") + lexicon_rows("subjects")
    rows = [r for r in rows if r["subject"] not in ("self", "inherit")]
    rows += [r for r in lexicon_rows("categories") if r["form"] == "counted_noun"]
    # and the generic heads ("عنصرين من الحرس الثوري")
    return frozenset(normalize_word(r["term"]) for r in rows if " " not in r["term"].strip()) | _words()["generic"]


def dual_clitic(norm: str) -> int:
    """Length of the clitic before a dual of a listed noun ("وطفلين" -> 1), or -1 when `norm` is none:
    "طفلين", "طفلان", "امرأتين" (ة -> ت), "مدنيان"; not definite ("الطفلين" refers
    back); a participle (مـ, فاعل) or a nisba (ـي) takes ـين in its plural too ("مصابين", "نازحين", "مدنيين"),
    so only its ـان form is a dual. Worked out once per distinct word (bounded)."""
    found = _duals.get(norm)
    if found is not None:
        return found
    if len(_duals) > 100_000:
        _duals.clear()
    found = _duals[norm] = _find_dual_clitic(norm)
    return found


def _find_dual_clitic(norm: str) -> int:
    singulars, ta = _singulars(), normalize_word("ة")
    for n in range(0, 3):
        clitic, word = norm[:n], norm[n:]
        if clitic in _DUAL_CLITICS and len(word) >= 5 and _is_dual(word, singulars, ta):
            return n
    return -1


def _is_dual(word: str, singulars: frozenset[str], ta: str) -> bool:
    """`word` (no clitic) is the dual of a listed noun."""
    stem, ending = word[:-2], word[-2:]
    if ending not in DUAL_ENDINGS:
        return False
    if stem.endswith("ت") and stem[:-1] + ta in singulars:
        return True         # "امرأتين": ة written ت before the ending
    if stem not in singulars or stem.startswith("ال"):
        return False
    # "مصابين", "مدنيين", "نازحين" (فاعل): a plural as well
    return ending == "ان" or not (stem.startswith("م") or stem.endswith("ي") or stem[1:2] == "ا")
