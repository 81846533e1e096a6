"""Token against token, name against name: which part aligned with which, by what rule, how well.

Names are compared as bags of parts (order-free, names.md §5.4): every traveller part is paired
with its best listed part, best pairs first; what is left over on either side is reported as
missing. Each pair carries the rule that matched it, so an officer reads *why* (names.md §5.1):

exact . . . . . . . . same canonical spelling (after particles and compounds were folded)
variant . . . . . . . the variant table says it is the same name (Youssef ~ Yusuf)
phonetic key  . . . . same key after folding French/English romanisation (Mohamed ~ Muhammad)
consonant skeleton  . same consonants, vowels differ (Othmane ~ Athmane)
transliteration . . . Arabic script against Latin: same consonant skeleton (محمد ~ Mohammed)
edit distance . . . . close spellings (Katranji ~ Qatranji)
truncated . . . . . . one is the start of the other (MRZ cut long names, names.md §5.11)
initial . . . . . . . a single letter against a name starting with it
joined / split  . . . two parts on one side written as one on the other (Bun Hieng ~ Bunheung)
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import Final, final

from rapidfuzz.distance import Levenshtein

from borderwatch.domain.names.normalize import NameToken, TokenForm, TokenRole, make_form
from borderwatch.domain.names.variants import NameTables


class MatchRule(Enum):
    """How a traveller's name part met a listed one."""

    EXACT = "exact"
    VARIANT = "transliteration variant"
    PHONETIC = "phonetic key"
    SKELETON = "consonant skeleton"
    TRANSLITERATION = "Arabic script transliterated"
    EDIT = "edit distance"
    TRUNCATED = "truncated"
    INITIAL = "initial"
    JOINED = "joined or split"
    DIFFERENT = "different names"
    NONE = "no match"


@dataclass(frozen=True, slots=True)
class TokenMatch:
    """How well two name parts agree, in [0, 1], and by which rule."""

    score: float
    rule: MatchRule
    note: str = ""


NO_MATCH = TokenMatch(0.0, MatchRule.NONE)


# AlignedPair and NameComparison are made for every candidate aligned, several per traveller: they
# are plain classes with read-only (Final) attributes, which mypyc compiles to native classes made
# in a tenth of the time of a frozen dataclass (whose generated __init__ runs as Python, one
# object.__setattr__ a field). Unlike TokenMatch they are never compared or hashed by value.


@final
class AlignedPair:
    """A traveller name part paired with a listed one."""

    __slots__ = ("listed", "listed_pos", "match", "traveller", "traveller_pos")

    def __init__(
        self, traveller: NameToken, listed: NameToken, match: TokenMatch, traveller_pos: int, listed_pos: int
    ) -> None:
        self.traveller: Final = traveller
        self.listed: Final = listed
        self.match: Final = match
        self.traveller_pos: Final = traveller_pos
        self.listed_pos: Final = listed_pos

    def __repr__(self) -> str:
        return (
            f"AlignedPair({self.traveller.display!r} ~ {self.listed.display!r}, {self.match!r}, "
            f"{self.traveller_pos}, {self.listed_pos})"
        )


@final
class NameComparison:
    """The alignment of a traveller's name with a listed name."""

    __slots__ = ("pairs", "swapped", "unmatched_listed", "unmatched_traveller")

    def __init__(
        self,
        pairs: tuple[AlignedPair, ...],
        unmatched_traveller: tuple[NameToken, ...],
        unmatched_listed: tuple[NameToken, ...],
        swapped: bool,  # the aligned parts come in a different order on the two sides
    ) -> None:
        self.pairs: Final = pairs
        self.unmatched_traveller: Final = unmatched_traveller
        self.unmatched_listed: Final = unmatched_listed
        self.swapped: Final = swapped

    def __repr__(self) -> str:
        return (
            f"NameComparison(pairs={self.pairs!r}, unmatched_traveller={len(self.unmatched_traveller)}, "
            f"unmatched_listed={len(self.unmatched_listed)}, swapped={self.swapped})"
        )


def _ratio(a: str, b: str) -> float:
    return float(Levenshtein.normalized_similarity(a, b))


class NameComparer:
    """Scores name parts against each other with explicit rules; memoises pairs (pure, deterministic)."""

    __slots__ = ("_cache", "_families", "_joined", "_known", "_type_of", "min_score", "tables")

    def __init__(self, tables: NameTables, min_score: float = 0.55) -> None:
        self.tables = tables
        self.min_score = min_score
        self._cache: dict[tuple[str, str], TokenMatch] = {}
        self._joined: dict[tuple[str, str, str, bool], TokenMatch] = {}
        self._families: dict[tuple[str, str], frozenset[str]] = {}
        self._known: Mapping[str, tuple[Sequence[int], Sequence[TokenMatch]]] = {}
        self._type_of: Mapping[str, int] = {}

    def read_known(
        self, known: Mapping[str, tuple[Sequence[int], Sequence[TokenMatch]]], type_of: Mapping[str, int]
    ) -> None:
        """Answer `token_match` from matches worked out elsewhere by these very rules, before working a
        pair out: `known[traveller uid]` holds (listed type ids sorted, their matches in step) (an
        index's expansions of a part, which its C pass scores), `type_of[listed uid]` the listed
        part's type id. Both are read as they are filled; a pair not found there is worked out here."""
        self._known = known
        self._type_of = type_of

    def families(self, phonetic: str, native: str = "") -> frozenset[str]:
        """Return the variant families of a form's phonetic key (and original-script text), memoised."""
        return self._families_of(phonetic, native)

    def _families_of(self, phonetic: str, native: str) -> frozenset[str]:
        key = (phonetic, native)
        found = self._families.get(key)
        if found is None:
            found = self.tables.families_of(phonetic, native)
            if len(self._families) < 1_000_000:
                self._families[key] = found
        return found

    def joined_match(
        self, first: NameToken, second: NameToken, single: NameToken, traveller_side: bool
    ) -> TokenMatch:
        """Return how well two adjacent parts written as one match a single part on the other side.

        `traveller_side`: the two parts are the traveller's (else the listed name's). Memoised.
        """
        key = (first.uid, second.uid, single.uid, traveller_side)
        found = self._joined.get(key) if first.uid and second.uid and single.uid else None
        if found is None:
            joined = make_form(first.key.text + second.key.text)
            cross = (single.script == "Arab") != (first.script == "Arab")
            found = (
                self.form_match(joined, single.key, cross)
                if traveller_side
                else self.form_match(single.key, joined, cross)
            )
            if first.uid and second.uid and single.uid and len(self._joined) < 1_000_000:
                self._joined[key] = found
        return found

    def token_match(self, traveller: NameToken, listed: NameToken) -> TokenMatch:
        """Return how well a traveller's name part matches a listed one (best over their forms)."""
        key = (traveller.uid, listed.uid)
        found = self._cache.get(key)
        if found is None:
            found = self._known_match(traveller, listed) or self._token_match(traveller, listed)
            if len(self._cache) < 2_000_000:
                self._cache[key] = found
        return found

    def _known_match(self, traveller: NameToken, listed: NameToken) -> TokenMatch | None:
        scored = self._known.get(traveller.uid) if traveller.uid else None
        if scored is None:
            return None
        ids, matches = scored
        type_id = self._type_of.get(listed.uid) if listed.uid else None
        if type_id is None or not ids:
            return None
        lo, hi = 0, len(ids)
        while lo < hi:  # the type ids come sorted
            mid = (lo + hi) // 2
            if ids[mid] < type_id:
                lo = mid + 1
            else:
                hi = mid
        return matches[lo] if lo < len(ids) and ids[lo] == type_id else None

    def score_pair(self, traveller: NameToken, listed: NameToken) -> TokenMatch:
        """Return `token_match` worked out by the rules anew (the memo neither read nor filled)."""
        return self._token_match(traveller, listed)

    def _token_match(self, traveller: NameToken, listed: NameToken) -> TokenMatch:
        cross = (traveller.script == "Arab") != (listed.script == "Arab")
        best = NO_MATCH
        for fq in traveller.forms:
            for fl in listed.forms:
                found = self.form_match(
                    fq,
                    fl,
                    cross,
                    traveller.native if fq is traveller.forms[0] else "",
                    listed.native if fl is listed.forms[0] else "",
                )
                if found.rule is MatchRule.DIFFERENT and fq is traveller.forms[0] and fl is listed.forms[0]:
                    return found
                penalty = fq.penalty + fl.penalty
                if not penalty and not fq.note and not fl.note:
                    # Plain forms (nine pairs in ten): the form match as it is (its score has 4 decimals).
                    if found.score > best.score:
                        best = found
                    continue
                score = max(0.0, found.score - penalty)
                if score > best.score:
                    note = "; ".join(n for n in (found.note, fq.note, fl.note) if n)
                    best = TokenMatch(round(score, 4), found.rule, note)
        return best

    def form_match(
        self, fq: TokenForm, fl: TokenForm, cross: bool, native_q: str = "", native_l: str = ""
    ) -> TokenMatch:
        """Return the rule-based agreement of two token forms (`cross`: one side was Arabic script).

        A rule changed here must be changed alike in `_gains.c` (`token_scores`, which scores a new
        part against the index's types in bulk; the tests hold the two to each other) and let through
        by the index's bulk filter (`index._FormTable.possible`), which sets aside the pairs no rule
        here can score above zero.
        """
        if fq.text == fl.text:
            return TokenMatch(1.0, MatchRule.EXACT)
        fam_q = self._families_of(fq.phonetic, native_q)
        fam_l = self._families_of(fl.phonetic, native_l)
        if fam_q and fam_l:
            shared = fam_q & fam_l
            if shared:
                return TokenMatch(0.95, MatchRule.VARIANT, f"variant table: {min(shared)}")
            if self.tables.are_distinct(fam_q, fam_l):
                return TokenMatch(0.0, MatchRule.DIFFERENT, f"{min(fam_q)} is not {min(fam_l)}")
        if cross:
            return self._cross_script(fq, fl)
        if fq.phonetic == fl.phonetic:
            return TokenMatch(0.92, MatchRule.PHONETIC, "same phonetic key")
        ratio = _ratio(fq.phonetic, fl.phonetic)
        best = NO_MATCH
        if fq.skeleton == fl.skeleton and len(fq.skeleton) >= 2:
            best = TokenMatch(round(0.6 + 0.3 * ratio, 4), MatchRule.SKELETON, f"skeleton {fq.skeleton}")
        shorter = min(len(fq.phonetic), len(fl.phonetic))
        if shorter >= 3 and ratio >= 0.75:
            score = round(0.95 * ratio, 4)
            if score > best.score:
                best = TokenMatch(score, MatchRule.EDIT, f"{ratio:.2f} similar")
        qt, lt = fq.text, fl.text
        if min(len(qt), len(lt)) >= 5 and (qt.startswith(lt) or lt.startswith(qt)) and best.score < 0.75:
            best = TokenMatch(0.75, MatchRule.TRUNCATED, "one is the start of the other")
        if (len(qt) == 1 or len(lt) == 1) and qt[:1] == lt[:1] and best.score < 0.6:
            best = TokenMatch(0.6, MatchRule.INITIAL, "an initial: reported, earns no weight")
        return best

    @staticmethod
    def _cross_script(fq: TokenForm, fl: TokenForm) -> TokenMatch:
        # Arabic script writes no short vowels: compare consonant skeletons; the phonetic keys
        # (which keep the long vowels the Arabic writes) only refine the score.
        sq, sl = fq.skeleton, fl.skeleton
        if not sq or not sl:
            return NO_MATCH
        vowels = _ratio(fq.phonetic, fl.phonetic)
        if sq == sl:
            return TokenMatch(round(0.85 + 0.1 * vowels, 4), MatchRule.TRANSLITERATION, f"skeleton {sq}")
        if min(len(sq), len(sl)) >= 3:
            dist = Levenshtein.distance(sq, sl)
            if dist == 1:
                return TokenMatch(
                    round(0.65 + 0.1 * vowels, 4), MatchRule.TRANSLITERATION, f"skeletons {sq} ~ {sl}"
                )
        return NO_MATCH

    def align(
        self,
        traveller: Sequence[NameToken],
        listed: Sequence[NameToken],
    ) -> NameComparison:
        """Return the best order-free pairing of two names' parts (titles set aside)."""
        q_tokens = [(i, t) for i, t in enumerate(traveller) if t.role is TokenRole.NAME]
        l_tokens = [(j, t) for j, t in enumerate(listed) if t.role is TokenRole.NAME]
        scored: list[tuple[float, int, int, TokenMatch]] = []
        for qi, (_, qt) in enumerate(q_tokens):
            for li, (_, lt) in enumerate(l_tokens):
                found = self.token_match(qt, lt)
                if found.score >= self.min_score:
                    scored.append((found.score, qi, li, found))
        scored.sort(key=lambda s: (-s[0], s[1] + s[2], s[1]))
        used_q: set[int] = set()
        used_l: set[int] = set()
        pairs: list[AlignedPair] = []
        for _, qi, li, found in scored:
            if qi in used_q or li in used_l:
                continue
            used_q.add(qi)
            used_l.add(li)
            pairs.append(
                AlignedPair(q_tokens[qi][1], l_tokens[li][1], found, q_tokens[qi][0], l_tokens[li][0])
            )
        rest_q = [qi for qi in range(len(q_tokens)) if qi not in used_q]
        rest_l = [li for li in range(len(l_tokens)) if li not in used_l]
        if rest_q and rest_l:
            pairs, rest_q, rest_l = self._join_split(q_tokens, l_tokens, pairs, rest_q, rest_l)
        pairs.sort(key=lambda p: p.traveller_pos)
        order = [p.listed_pos for p in pairs]
        return NameComparison(
            tuple(pairs),
            tuple(q_tokens[i][1] for i in rest_q),
            tuple(l_tokens[j][1] for j in rest_l),
            swapped=order != sorted(order),
        )

    def _join_split(
        self,
        q_tokens: list[tuple[int, NameToken]],
        l_tokens: list[tuple[int, NameToken]],
        pairs: list[AlignedPair],
        rest_q: list[int],
        rest_l: list[int],
    ) -> tuple[list[AlignedPair], list[int], list[int]]:
        """Pair two adjacent parts on one side with one part on the other (Abdel Aziz ~ Abdelaziz)."""
        for side_q in (True, False):
            singles, doubles = (rest_l, rest_q) if side_q else (rest_q, rest_l)
            tokens2 = q_tokens if side_q else l_tokens
            tokens1 = l_tokens if side_q else q_tokens
            for a in list(doubles):
                b = a + 1
                if b not in doubles:
                    continue
                ta, tb = tokens2[a][1], tokens2[b][1]
                if ta.script != tb.script:
                    continue
                for s in list(singles):
                    ts = tokens1[s][1]
                    found = self.joined_match(ta, tb, ts, side_q)
                    if found.score >= 0.85:
                        match = TokenMatch(
                            round(found.score - 0.05, 4), MatchRule.JOINED, f"{ta.raw} {tb.raw} ~ {ts.raw}"
                        )
                        if side_q:
                            pairs.append(AlignedPair(ta, ts, match, tokens2[a][0], tokens1[s][0]))
                            pairs.append(AlignedPair(tb, ts, match, tokens2[b][0], tokens1[s][0]))
                        else:
                            pairs.append(AlignedPair(ts, ta, match, tokens1[s][0], tokens2[a][0]))
                            pairs.append(AlignedPair(ts, tb, match, tokens1[s][0], tokens2[b][0]))
                        doubles.remove(a)
                        doubles.remove(b)
                        singles.remove(s)
                        break
        return pairs, rest_q, rest_l


WeightOf = Callable[[NameToken], float]
