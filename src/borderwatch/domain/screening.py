"""Screening: a traveller against the indexed watch lists, giving hits that explain themselves.

The types here are the contract between the name engine (`domain/names/`), the services and the
console: a `ScreeningSubject` goes in, `Hit`s with `Evidence` come out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from borderwatch.domain.travellers import Gender, Traveller
from borderwatch.domain.watchlists import EntityId


@dataclass(frozen=True, slots=True)
class ScreeningSubject:
    """What screening knows of a traveller: names as presented, and the facts that confirm or refute."""

    names: tuple[str, ...]  # whole names as presented, any script ("YOUSSEF BENJELLOUN", "يوسف بن جلون")
    family_name: str = ""
    given_names: str = ""
    birth_date: date | None = None
    nationality: str = ""  # ICAO/ISO alpha-3
    gender: Gender = Gender.UNKNOWN
    document_numbers: tuple[str, ...] = ()

    @classmethod
    def from_traveller(cls, traveller: Traveller) -> ScreeningSubject:
        """Return the subject for a traveller of a manifest."""
        return cls(
            names=(traveller.full_name,),
            family_name=traveller.family_name,
            given_names=traveller.given_names,
            birth_date=traveller.birth_date,
            nationality=traveller.nationality,
            gender=traveller.gender,
            document_numbers=tuple(d.number for d in traveller.documents if d.number),
        )


@dataclass(frozen=True, slots=True)
class Evidence:
    """One reason for (or against) a hit, in a form an officer can check."""

    feature: str  # name, given name, family name, birth date, nationality, gender, document
    rule: str  # exact, transliteration variant, phonetic key, edit distance, initial, missing, swapped...
    score: float  # this feature's own agreement in [0, 1] (or its weight of evidence for non-name facts)
    traveller_value: str = ""
    list_value: str = ""
    note: str = ""  # "Abdelkader ~ Abd al-Qadir (variant table)", "common name: weak evidence"


@dataclass(frozen=True, slots=True)
class Hit:
    """A list entry that may be the traveller: the score, which listed name matched, and why."""

    entity_id: EntityId
    score: float  # in [0, 1]; behaves like a probability that traveller and entry are one person
    matched_name: str
    evidence: tuple[Evidence, ...] = ()
    name_score: float = 0.0

    @property
    def reason(self) -> str:
        """Return a one-line reason for tables and logs."""
        notes = [e.note or f"{e.feature}: {e.rule}" for e in self.evidence if e.score > 0][:3]
        return f"name ~ {self.matched_name}" + (f"; {'; '.join(notes)}" if notes else "")
