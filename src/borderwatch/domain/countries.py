"""Country codes: ICAO Doc 9303 three-letter codes, ISO alpha-2, and the names lists write.

Pure: the table is built from rows that a service loads (`services/reference.py`) and passed in.
The canonical code everywhere in borderwatch is the ICAO code as a document carries it, which is
ISO 3166-1 alpha-3 for states, plus ICAO's own codes (`D` for Germany on documents, `GBD`..`GBS`,
`EUE`, `UNO`, `XXA`...). `canonical()` turns `D` into `DEU` for comparisons.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import Enum


class CodeKind(Enum):
    """What a three-letter code stands for."""

    STATE = "state"  # ISO 3166-1 alpha-3
    ICAO_SPECIAL = "icao special"  # non-ISO code of Doc 9303 Part 3 (GBD, EUE, UNO, XXA...)
    DEPRECATED = "deprecated"  # may still appear on old documents (ANT, NTZ)
    NON_ICAO = "non-icao"  # seen in the wild but not in Doc 9303 (RKS, XXK)
    SPECIMEN = "specimen"  # UTO: ICAO's fictional Utopia, valid only on specimens


@dataclass(frozen=True, slots=True)
class Country:
    """One code with its names."""

    code: str  # three letters as on documents (D for Germany is an alias, see CountryTable)
    name: str
    kind: CodeKind = CodeKind.STATE
    alpha2: str = ""
    names: tuple[str, ...] = ()  # other names lists use for it


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    letters = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join("".join(ch if ch.isalnum() else " " for ch in letters.casefold()).split())


@dataclass(slots=True)
class CountryTable:
    """Lookups from codes and names to canonical three-letter codes."""

    by_code: dict[str, Country] = field(default_factory=dict)
    by_alpha2: dict[str, str] = field(default_factory=dict)
    by_name: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, countries: Iterable[Country], aliases: Iterable[tuple[str, str]] = ()) -> CountryTable:
        """Return a table from countries and extra (name, code) aliases."""
        table = cls()
        for country in countries:
            table.by_code[country.code] = country
            if country.alpha2:
                table.by_alpha2.setdefault(country.alpha2.upper(), country.code)
            for name in (country.name, *country.names):
                table.by_name.setdefault(_fold(name), country.code)
        for name, code in aliases:
            table.by_name[_fold(name)] = code
        # ICAO 9303: Germany is written `D` (padded `D<<`) on its documents.
        if "DEU" in table.by_code:
            table.by_code.setdefault("D", table.by_code["DEU"])
        return table

    def is_known(self, code: str, *, allow_specimen: bool = False) -> bool:
        """True when `code` (`D<<` padding allowed) is a code a travel document may carry."""
        country = self.by_code.get(code.replace("<", "").upper())
        if country is None:
            return False
        return allow_specimen or country.kind is not CodeKind.SPECIMEN

    def get(self, code: str) -> Country | None:
        """Return the country for a code, or None."""
        return self.by_code.get(code.replace("<", "").upper())

    def canonical(self, code: str) -> str:
        """Return the comparable code: `D` becomes `DEU`, alpha-2 becomes alpha-3, else unchanged."""
        text = code.replace("<", "").strip().upper()
        if text == "D":
            return "DEU"
        if len(text) == 2:
            return self.by_alpha2.get(text, text)
        return text

    def resolve(self, text: str) -> str | None:
        """Return the code for a code or a country name as lists write it, or None when unknown."""
        raw = text.strip()
        if not raw:
            return None
        # Codes are taken as codes only when written in capitals: the UN list writes "na" for
        # "not available", which must not become Namibia.
        code = raw.replace("<", "")
        if code.isupper() and len(code) in (1, 3) and code in self.by_code:
            return self.canonical(code)
        if code.isupper() and len(code) == 2 and code in self.by_alpha2:
            return self.by_alpha2[code]
        return self.by_name.get(_fold(raw))
