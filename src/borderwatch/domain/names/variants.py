"""Name-variant knowledge as objects: particles, variant families, distinct look-alikes, common names.

The tables themselves are data files under `borderwatch/data/names/` (with their sources); a service
(`services/names.load_name_tables`) reads them and builds a `NameTables` with `NameTables.build`, so this
module stays pure. Lookups are by *phonetic key* (`transliterate.latin_phonetic`), so that a spelling
not written in the table (MOUHAMMED) still finds its family when it folds to a listed one.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import Enum


class ParticleKind(Enum):
    """What a name particle does to the parts around it (names.md §1.1, §1.2, §5.5)."""

    ARTICLE = "article"  # al-/el-: belongs to the next part
    ASSIMILATED = "assimilated"  # ar-R, ash-Sh: an article only when the next part starts with its consonant
    NASAB = "nasab"  # ben/bin/ibn/ould: "son of", joinable with the next part
    KUNYA = "kunya"  # abu/umm: "father/mother of", one name with the next part
    ABD = "abd"  # abd/abdel/abdul: "servant of", always one name with the next part
    DIN = "din"  # -al-Din/-eddine: belongs to the part before it
    ALLAH = "allah"  # -allah/-ullah: belongs to the part before it
    TITLE = "title"  # haji, sheikh, moulay: not a name, never scored as one
    LINK = "link"  # de, van, y: joins surnames, carries no identity


@dataclass(frozen=True, slots=True)
class VariantFamily:
    """Spellings of one name that the tables say are the same name."""

    key: str  # e.g. "muhammad"
    spellings: tuple[str, ...]
    note: str = ""


@dataclass(frozen=True, slots=True)
class ArabicLetter:
    """One Arabic-script letter: its Latin rendering, consonant class and ICAO MRZ code."""

    letter: str
    name: str
    latin: str  # English-style rendering used to build the Latin key ("" = dropped)
    skeleton: str  # consonant class ("" = vowel or glide, dropped from the skeleton)
    mrz: str  # ICAO Doc 9303 Part 3 §6 MRZ transliteration
    note: str = ""


@dataclass(frozen=True, slots=True)
class NameTables:
    """Everything the name engine knows about names that is not in the lists, ready for lookups."""

    particles: Mapping[str, ParticleKind]
    families: tuple[VariantFamily, ...]
    distinct: frozenset[frozenset[str]]  # pairs of family keys that look alike but are different names
    common: frozenset[str]  # family keys and spellings of very frequent given names
    letters: tuple[ArabicLetter, ...]
    family_by_key: Mapping[str, frozenset[str]] = field(default_factory=dict)  # phonetic key -> families
    family_by_native: Mapping[str, frozenset[str]] = field(default_factory=dict)  # folded Arabic -> families

    @classmethod
    def build(
        cls,
        *,
        particles: Iterable[tuple[str, ParticleKind]],
        families: Iterable[VariantFamily],
        distinct: Iterable[tuple[str, str]],
        common: Iterable[str],
        letters: Iterable[ArabicLetter],
        phonetic: Callable[[str], str],
        fold_native: Callable[[str], str],
    ) -> NameTables:
        """Return tables with their lookups built; `phonetic` and `fold_native` make the keys."""
        fams = tuple(families)
        by_key: dict[str, set[str]] = {}
        by_native: dict[str, set[str]] = {}
        for fam in fams:
            for spelling in fam.spellings:
                if spelling.isascii():
                    by_key.setdefault(phonetic(spelling), set()).add(fam.key)
                else:
                    by_native.setdefault(fold_native(spelling), set()).add(fam.key)
        return cls(
            particles=dict(particles),
            families=fams,
            distinct=frozenset(frozenset((a, b)) for a, b in distinct),
            common=frozenset(common),
            letters=tuple(letters),
            family_by_key={k: frozenset(v) for k, v in by_key.items()},
            family_by_native={k: frozenset(v) for k, v in by_native.items()},
        )

    def families_of(self, phonetic_key: str, native: str = "") -> frozenset[str]:
        """Return the variant families a spelling belongs to (by phonetic key, or by Arabic form)."""
        found = self.family_by_key.get(phonetic_key, frozenset())
        if native:
            found = found | self.family_by_native.get(native, frozenset())
        return found

    def are_distinct(self, left: frozenset[str], right: frozenset[str]) -> bool:
        """True when the tables say the two spellings are different names that merely look alike."""
        if not left or not right or left & right:
            return False
        return any(frozenset((a, b)) in self.distinct for a in left for b in right)

    def is_common(self, phonetic_key: str, text: str, families: frozenset[str]) -> bool:
        """True when the spelling is a very frequent given name (weak evidence, names.md §1.3)."""
        return text in self.common or phonetic_key in self.common or bool(families & self.common)

    @classmethod
    def empty(cls) -> NameTables:
        """Return tables with no knowledge at all (the engine then relies on keys and edit distance)."""
        return cls(particles={}, families=(), distinct=frozenset(), common=frozenset(), letters=())
