"""Travel-document checks as the rest of borderwatch asks for them: the reference tables are loaded here."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from borderwatch.formats.mrz import MrzResult, parse_mrz
from borderwatch.services.reference import country_table


def check_mrz(lines: Sequence[str], *, today: date, allow_specimen: bool = False) -> MrzResult:
    """Return the checked MRZ (fields, check digits, codes, problems) for two or three MRZ lines.

    Never raises on bad MRZ text: problems are in the result. `allow_specimen` accepts ICAO's
    fictional Utopia (`UTO`) of the Doc 9303 specimens.
    """
    return parse_mrz(lines, today=today, countries=country_table(), allow_specimen=allow_specimen)
