"""Names to comparable tokens: folding, particles and compounds, in any script.

A name becomes a tuple of `NameToken`s. Each token has one or more `TokenForm`s (canonical Latin
text, phonetic key, skeleton): the first is the name as it is, the others are what it may also be
written as (particle stripped or joined), each with the small penalty that using it costs.

Rules (names.md §1.2, §1.5, §5.5): *abd/abdel/abdul* + next part is one name (Abdel Kader =
Abdelkader = Abd al-Qadir: key ABDKADER/ABDQADIR); *-eddine/-uddin/al-Din* and *-allah/-ullah*
belong to the part before them (Nour Eddine = Noureddine: NOURDIN); *al-/el-* and the
assimilated *ar-R, ash-Sh* belong to the part after them, which is matched with or without them;
*ben/bin/ibn/ould* and *abu/umm* are joined to the next part (Ben Jelloun = Benjelloun) and may be
dropped at a cost; titles (haji, sheikh, moulay) are kept apart and never scored as names;
Romance and Germanic links (de, van, y) are dropped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum

from borderwatch.domain.names.transliterate import (
    BREAK,
    ArabicScript,
    fold_arabic,
    latin_phonetic,
    script_of,
    skeleton_of,
    to_latin_text,
)
from borderwatch.domain.names.variants import NameTables, ParticleKind

_WORD_SPLIT = re.compile(r"[^0-9A-Z|]+")
_ARABIC_SPLIT = re.compile(r"[\s\-_.,;:/()\[\]\"'،]+")
_APOSTROPHES = re.compile("['’‘`´ʿʾʼ]")  # ayn and hamza written as apostrophes: Sa'id = Said
# Abd + (vowel) + (article, or an assimilated sun letter doubled) + divine name (names.md §3 sun letters).
_ABD = re.compile(r"^ABD(?:OU|[AEIOU])?(?:L|(SH|[RSZNTD])(?=\1))?(?P<rest>.{2,})$")
_DIN = re.compile(r"^(?P<stem>.{3,}?)(?:OU|[AEIOU])?(?:[LD]|\|)?D(?:I|EE|II|Y)NE?$")
_ALLAH = re.compile(r"^(?P<stem>.{3,}?)(?:OU|[AEIOU])?LLA?H$")
_REDUCED_ARTICLES = frozenset({"A", "E", "U", "I", "O"})
_STRIP_PREFIXES: tuple[tuple[str, float, str], ...] = (
    ("AL", 0.05, "al- dropped"),
    ("EL", 0.05, "el- dropped"),
    ("BEN", 0.05, "ben dropped"),
    ("BIN", 0.05, "bin dropped"),
    ("ABU", 0.2, "abu dropped"),
    ("ABOU", 0.2, "abou dropped"),
    ("OULD", 0.05, "ould dropped"),
)


class TokenRole(Enum):
    """Whether a token is part of the name proper or a title that goes with it."""

    NAME = "name"
    TITLE = "title"


@dataclass(frozen=True, slots=True)
class TokenForm:
    """One way a name part can be written: canonical Latin text and its keys."""

    text: str  # canonical upper-case Latin, e.g. ABDKADER, NOURDIN
    phonetic: str  # latin_phonetic(text)
    skeleton: str  # skeleton_of(phonetic)
    penalty: float = 0.0  # cost of matching through this form (particle dropped...)
    note: str = ""  # why this form exists ("al- dropped")


@dataclass(frozen=True, slots=True)
class NameToken:
    """One part of a name as written, with the forms it is compared by."""

    raw: str  # as written in the input ("Abd al-Qadir", "محمد")
    forms: tuple[TokenForm, ...]
    script: str = "Latn"  # ISO 15924 of the original
    role: TokenRole = TokenRole.NAME
    native: str = ""  # folded original-script text when not Latin (for variant lookups and display)
    uid: str = ""  # identity for caches: script class and form texts

    @property
    def key(self) -> TokenForm:
        """Return the token's main form."""
        return self.forms[0]

    @property
    def display(self) -> str:
        """Return the token for an explanation: the original, with its Latin key when transliterated."""
        shown = self.key.text.replace(BREAK, "")
        return f"{self.raw} ({shown})" if self.native else self.raw


@dataclass(frozen=True, slots=True)
class ParsedName:
    """A whole name, tokenised: what the engine indexes and compares."""

    raw: str
    tokens: tuple[NameToken, ...]
    script: str = "Latn"
    decoded_from: str = ""  # "ICAO MRZ" when an X-escaped MRZ name was decoded to Arabic

    @property
    def name_tokens(self) -> tuple[NameToken, ...]:
        """Return the tokens that are name parts (titles left out)."""
        return tuple(t for t in self.tokens if t.role is TokenRole.NAME)


@dataclass(slots=True)
class _Word:
    latin: str
    raw: str
    native: str = ""


@dataclass(slots=True)
class _Unit:
    core: str
    raw: str
    native: str = ""
    role: TokenRole = TokenRole.NAME
    article: str = ""  # al-/el- written apart before the core
    prefix: str = ""  # nasab or kunya particle joined before the core
    prefix_kind: ParticleKind | None = None
    suffix: str = ""  # al-Din or Allah after the core
    suffix_kind: ParticleKind | None = None
    natives: list[str] = field(default_factory=list)


def canonical_part(word: str) -> str:
    """Return a name part in canonical form: abd-, -din and -allah compounds folded to one spelling."""
    if word.startswith("ABD"):
        match = _ABD.match(word)
        if match:
            return "ABD" + match.group("rest")
        return word
    match = _DIN.match(word)
    if match:
        # The linking vowel is read into the stem or not (Safi-Din SAF+I+DIN, Safieddine
        # SAFI+E+DDINE): drop the stem's final vowels so that both spellings meet.
        stem = match.group("stem")
        return (stem.rstrip("AEIOU") if len(stem.rstrip("AEIOU")) >= 2 else stem) + "DIN"
    match = _ALLAH.match(word)
    if match:
        return match.group("stem") + "ALLAH"
    return word


_FORMS: dict[tuple[str, float, str], TokenForm] = {}  # memo: a form depends on its arguments only


def forget_forms() -> None:
    """Return nothing; empty the process-wide memo of forms (`make_form`), as in a new process.

    For measurements that must start as a fresh process does (bench/bench_names_scale.py): the
    memo only saves work, so what is screened does not change.
    """
    _FORMS.clear()


def make_form(text: str, penalty: float = 0.0, note: str = "") -> TokenForm:
    """Return a token form with its keys computed (memoised: equal arguments share one form)."""
    key = (text, penalty, note)
    found = _FORMS.get(key)
    if found is None:
        phonetic = latin_phonetic(text)
        found = TokenForm(text, phonetic, skeleton_of(phonetic), penalty, note)
        if len(_FORMS) < 2_000_000:
            _FORMS[key] = found
    return found


class NameParser:
    """Turns names into `ParsedName`s using the tables; memoises per distinct name (pure, deterministic)."""

    __slots__ = ("_cache", "_tokens", "arabic", "tables")

    def __init__(self, tables: NameTables) -> None:
        self.tables = tables
        self.arabic = ArabicScript.build(tables.letters)
        self._cache: dict[str, ParsedName] = {}
        # One NameToken per distinct part (interned): a million listed names share a few
        # hundred thousand parts, each analysed once.
        self._tokens: dict[tuple[object, ...], NameToken] = {}

    def parse(self, text: str) -> ParsedName:
        """Return the tokens of a name written in any script (an X-escaped MRZ name is decoded)."""
        cached = self._cache.get(text)
        if cached is None:
            cached = self._parse(text)
            if len(self._cache) < 500_000:
                self._cache[text] = cached
        return cached

    def _parse(self, text: str) -> ParsedName:
        script = script_of(text)
        decoded_from = ""
        if script == "Latn":
            arabic = self.arabic.from_mrz_name(text) if self.tables.letters else None
            if arabic:
                text_ar, script, decoded_from = arabic, "Arab", "ICAO MRZ"
                words = self._arabic_words(text_ar)
            else:
                words = self._latin_words(text)
        elif script == "Arab":
            words = self._arabic_words(text)
        else:
            words = self._latin_words(to_latin_text(text))
        units = self._units(words)
        tokens = tuple(self._interned(u, script) for u in units)
        return ParsedName(text, tokens, script, decoded_from)

    def _interned(self, unit: _Unit, script: str) -> NameToken:
        key = (
            unit.core,
            unit.raw,
            unit.native,
            unit.role,
            unit.article,
            unit.prefix,
            unit.prefix_kind,
            unit.suffix,
            script,
        )
        found = self._tokens.get(key)
        if found is None:
            found = self._token(unit, script)
            if len(self._tokens) < 2_000_000:
                self._tokens[key] = found
        return found

    def _latin_words(self, text: str) -> list[_Word]:
        folded = _APOSTROPHES.sub("", to_latin_text(text))
        return [_Word(w, w) for w in _WORD_SPLIT.split(folded) if w and not w.isdigit()]

    def _arabic_words(self, text: str) -> list[_Word]:
        words = []
        for word in _ARABIC_SPLIT.split(fold_arabic(text)):
            if not word:
                continue
            latin = self.arabic.word_to_latin(word)
            if latin:
                words.append(_Word(latin, word, word))
        return words

    def _kind(self, word: _Word) -> ParticleKind | None:
        particles = self.tables.particles
        if word.native:
            found = particles.get(word.native)
            if found is not None:
                return found
            if word.native.startswith("عبد") and len(word.native) > 3:
                return None
        return particles.get(word.latin)

    def _units(self, words: list[_Word]) -> list[_Unit]:
        units: list[_Unit] = []
        n = len(words)
        i = 0
        article = ""
        while i < n:
            word = words[i]
            kind = self._kind(word)
            nxt = words[i + 1] if i + 1 < n else None
            if kind is ParticleKind.ASSIMILATED:
                # ar-Rahman: an article only when the next part starts with its consonant.
                kind = ParticleKind.ARTICLE if nxt and nxt.latin.startswith(word.latin[1:]) else None
            if (
                kind is None
                and units
                and word.latin in _REDUCED_ARTICLES
                and nxt is not None
                and self._kind(nxt) in (ParticleKind.DIN, ParticleKind.ALLAH)
            ):
                # Safi a-Din, Nasr u-Llah: the article reduced to its vowel before -al-Din/-Allah
                # (names.md §1.2): the compound belongs to the part before, as with al-Din.
                kind = ParticleKind.ARTICLE
            if n == 1 or kind is None:
                units.append(self._plain(word, article))
                article = ""
            elif kind is ParticleKind.LINK:
                pass
            elif kind is ParticleKind.TITLE:
                units.append(_Unit(word.latin, word.raw, word.native, TokenRole.TITLE))
            elif kind is ParticleKind.ARTICLE:
                if nxt is not None and self._kind(nxt) in (ParticleKind.DIN, ParticleKind.ALLAH) and units:
                    self._attach_suffix(units, nxt, self._kind(nxt))
                    i += 1
                elif nxt is not None:
                    article = word.latin
                else:
                    units.append(self._plain(word, article))
            elif kind is ParticleKind.ABD:
                j = i + 1
                if (
                    j < n
                    and self._kind(words[j]) in (ParticleKind.ARTICLE, ParticleKind.ASSIMILATED)
                    and j + 1 < n
                ):
                    j += 1
                if j < n:
                    parts = words[i : j + 1]
                    joined = "".join(w.latin for w in parts)
                    unit = _Unit(
                        joined, " ".join(w.raw for w in parts), " ".join(w.native for w in parts if w.native)
                    )
                    units.append(unit)
                    i = j
                else:
                    units.append(self._plain(word, article))
            elif kind in (ParticleKind.NASAB, ParticleKind.KUNYA):
                j = i + 1
                art = ""
                if j < n and self._kind(words[j]) is ParticleKind.ARTICLE and j + 1 < n:
                    art = words[j].latin
                    j += 1
                if j < n and self._kind(words[j]) not in (
                    ParticleKind.NASAB,
                    ParticleKind.KUNYA,
                    ParticleKind.TITLE,
                ):
                    core = words[j]
                    raw = " ".join(w.raw for w in words[i : j + 1])
                    native = " ".join(w.native for w in words[i : j + 1] if w.native)
                    unit = _Unit(core.latin, raw, native, article=art, prefix=word.latin, prefix_kind=kind)
                    units.append(unit)
                    i = j
                else:
                    units.append(self._plain(word, article))
            elif kind in (ParticleKind.DIN, ParticleKind.ALLAH):
                last = units[-1] if units else None
                if last is not None and last.role is TokenRole.NAME and not last.suffix:
                    self._attach_suffix(units, word, kind)
                else:
                    units.append(self._plain(word, article))
            else:
                units.append(self._plain(word, article))
                article = ""
            i += 1
        return units

    @staticmethod
    def _plain(word: _Word, article: str) -> _Unit:
        raw = f"{article} {word.raw}" if article else word.raw
        if (
            not article
            and word.native.startswith("ال")
            and len(word.native) > 3
            and word.latin.startswith("AL")
        ):
            # The Arabic article is written joined to its word: المشهداني is al-Mashhadani.
            return _Unit(word.latin[2:], raw, word.native, article="AL")
        return _Unit(word.latin, raw, word.native, article=article)

    @staticmethod
    def _attach_suffix(units: list[_Unit], word: _Word, kind: ParticleKind | None) -> None:
        last = units[-1]
        last.suffix = "DIN" if kind is ParticleKind.DIN else "ALLAH"
        last.suffix_kind = kind
        last.raw = f"{last.raw} {word.raw}"
        if word.native:
            last.native = f"{last.native} {word.native}".strip()

    def _token(self, unit: _Unit, script: str) -> NameToken:
        if unit.role is TokenRole.TITLE:
            title = make_form(unit.core)
            return NameToken(unit.raw, (title,), script, TokenRole.TITLE, unit.native, f"T:{title.text}")
        forms: list[TokenForm] = []
        if unit.suffix:
            stem = unit.core
            forms.append(make_form(canonical_part(stem + unit.suffix)))
            forms.append(make_form(canonical_part(stem), 0.2, f"without {unit.suffix.lower()}"))
        elif unit.prefix:
            core = canonical_part(unit.core)
            forms.append(make_form(unit.prefix + core))
            cost = 0.05 if unit.prefix_kind is ParticleKind.NASAB else 0.2
            forms.append(make_form(core, cost, f"{unit.prefix.lower()} dropped"))
        else:
            core = canonical_part(unit.core)
            forms.append(make_form(core))
            if unit.article:
                forms.append(make_form("AL" + core, 0.02, "al- joined"))
            else:
                for prefix, cost, note in _STRIP_PREFIXES:
                    rest = core[len(prefix) :]
                    if core.startswith(prefix) and len(rest) >= 4 and rest[0] != BREAK:
                        stripped = make_form(canonical_part(rest), cost, note)
                        if len(stripped.skeleton) >= 2:
                            forms.append(stripped)
                        break
        unique: dict[str, TokenForm] = {}
        for form in forms:
            if form.text and form.text not in unique:
                unique[form.text] = form
        kept = tuple(unique.values()) or (make_form(unit.core),)
        family = "A" if script == "Arab" else "L"
        uid = family + ":" + "/".join(f.text for f in kept)
        return NameToken(unit.raw, kept, script, TokenRole.NAME, unit.native, uid)
