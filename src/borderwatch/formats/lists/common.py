"""What every watch-list importer returns, and the small readers they share (dates, scripts, hashes).

An importer turns the bytes of one published list into a `ParsedList`: the entries it could read,
a `Problem` for everything it could not (or found odd), the date the publisher gave the list, and the
sha256 of the bytes so a list version can be recognised when the same file is imported again.
"""

from __future__ import annotations

import calendar
import csv
import hashlib
import io
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime

from borderwatch.domain.countries import CountryTable
from borderwatch.domain.watchlists import (
    DateExactness,
    ListedBirthDate,
    ListEntry,
    ListId,
    ListSource,
    ListVersion,
)
from borderwatch.errors import FormatError, Position
from borderwatch.formats.problems import Problem, Severity


@dataclass(frozen=True, slots=True)
class ParsedList:
    """One imported list file: its entries, its problems, its publication date and content hash."""

    name: str  # the publisher's name for the list, e.g. "UN Security Council Consolidated List"
    kind: ListSource
    entries: tuple[ListEntry, ...]
    source_date: datetime | None
    problems: tuple[Problem, ...]
    content_hash: str  # sha256 (hex) of the input bytes, several files hashed in the order given
    file_name: str = ""

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Return the problems that cost a record (severity ERROR)."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    def to_version(self, list_id: ListId, version: int, imported_at: datetime) -> ListVersion:
        """Return the `ListVersion` describing this import (imported_at is passed in: no clock here)."""
        return ListVersion(
            list_id=list_id,
            version=version,
            source=self.kind,
            source_date=self.source_date,
            imported_at=imported_at,
            content_hash=self.content_hash,
            entries=len(self.entries),
            file_name=self.file_name,
        )


def content_hash(*parts: bytes | None) -> str:
    """Return the sha256 hex digest of the given byte strings (None parts skipped), in order."""
    digest = hashlib.sha256()
    for part in parts:
        if part is not None:
            digest.update(part)
    return digest.hexdigest()


def problem(
    source: str,
    reason: str,
    *,
    line: int | None = None,
    record: int | None = None,
    field: str = "",
    raw: str = "",
    subject: str = "",
    warning: bool = False,
) -> Problem:
    """Return a Problem with a position built from a line and/or record number."""
    return Problem(
        source=source,
        position=Position(line=line, record=record),
        field=field,
        reason=reason,
        raw=raw[:500],
        severity=Severity.WARNING if warning else Severity.ERROR,
        subject=subject,
    )


def clean(text: str | None) -> str:
    """Return text with runs of whitespace (including line breaks inside XML values) made one space."""
    return " ".join((text or "").split())


def resolve_country(countries: CountryTable, text: str) -> str | None:
    """Return the alpha-3 code for a country as lists write it, trying the forms lists use, or None.

    Beyond `CountryTable.resolve`: OFAC's inverted names ("Congo, Democratic Republic of the"), a
    trailing explanation ("Cabo Verde.  Previously Cape Verde.") and a qualified first part
    ("Macedonia, The Former Yugoslav Republic of").
    """
    value = clean(text).strip(" .")
    if not value:
        return None
    code = countries.resolve(value)
    if code is not None:
        return code
    if ". " in value:
        code = countries.resolve(value.split(". ", 1)[0])
        if code is not None:
            return code
    if ", " in value:
        head, tail = value.split(", ", 1)
        return countries.resolve(f"{tail} {head}") or countries.resolve(head)
    return None


# --- CSV -------------------------------------------------------------------------------------


def decode_csv_text(data: bytes, source: str) -> str:
    """Return a CSV file's text (UTF-8, byte-order mark allowed), or raise FormatError."""
    try:
        return data.decode("utf-8-sig")  # spreadsheet programs add a byte-order mark
    except UnicodeDecodeError as exc:
        raise FormatError(
            f"{source}: the file is not UTF-8 (byte {exc.start}); save it as CSV UTF-8",
            source=source,
            position=Position(offset=exc.start),
            reason="not UTF-8",
        ) from exc


def read_header(
    text: str, source: str, required: tuple[str, ...]
) -> tuple[csv.DictReader[str], list[Problem]]:
    """Return a DictReader over `text` whose header holds the required columns, or raise FormatError."""
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter, restkey="_extra")
    header = [name.strip().lower() for name in (reader.fieldnames or [])]
    if not header:
        raise FormatError(f"{source}: the file is empty", source=source, reason="empty file")
    reader.fieldnames = header
    missing = [name for name in required if name not in header]
    if missing:
        raise FormatError(
            f"{source} line 1: the header lacks the column(s) {', '.join(missing)}; see the template",
            source=source,
            position=Position(line=1),
            field=", ".join(missing),
            reason="missing columns",
        )
    return reader, []


# --- dates ------------------------------------------------------------------------------------

_MONTHS: dict[str, int] = {}
for _number in range(1, 13):
    _MONTHS[calendar.month_name[_number].lower()] = _number
    _MONTHS[calendar.month_abbr[_number].lower()] = _number
_MONTHS["sept"] = 9


def month_number(text: str) -> int | None:
    """Return 1..12 for an English month name or abbreviation (`Jan`, `Jan.`, `January`), else None."""
    return _MONTHS.get(text.strip().rstrip(".").lower())


def year_span(year: int, text: str, exactness: DateExactness = DateExactness.YEAR) -> ListedBirthDate:
    """Return the span of a whole year."""
    return ListedBirthDate(date(year, 1, 1), date(year, 12, 31), exactness, text)


def month_span(year: int, month: int, text: str) -> ListedBirthDate:
    """Return the span of a whole month."""
    last = calendar.monthrange(year, month)[1]
    return ListedBirthDate(date(year, month, 1), date(year, month, last), DateExactness.MONTH, text)


def years_span(
    first: int, last: int, text: str, exactness: DateExactness = DateExactness.RANGE
) -> ListedBirthDate:
    """Return the span from 1 January of `first` to 31 December of `last` (swapped when reversed)."""
    low, high = min(first, last), max(first, last)
    return ListedBirthDate(date(low, 1, 1), date(high, 12, 31), exactness, text)


def widen_one_year(span: ListedBirthDate, text: str) -> ListedBirthDate:
    """Return `span` stretched by one calendar year on each side, marked APPROXIMATE ("circa 1970")."""

    def shift(day: date, years: int) -> date:
        try:
            return day.replace(year=day.year + years)
        except ValueError:  # 29 February in a year without one
            return day.replace(year=day.year + years, day=28)

    return ListedBirthDate(shift(span.earliest, -1), shift(span.latest, 1), DateExactness.APPROXIMATE, text)


def plausible_year(year: int) -> bool:
    """True for a year a living or recently living person could be born in (1850..2100)."""
    return 1850 <= year <= 2100


# Tabular Islamic calendar (the arithmetical "civil" variant, epoch 16 July 622 Julian). Real
# Hijri dates depend on moon sighting and may differ by a day or two, so callers widen the span.
_HIJRI_EPOCH_JDN = 1948440


def hijri_to_gregorian(year: int, month: int, day: int) -> date:
    """Return the Gregorian date of a Hijri date by the tabular Islamic calendar (+/- 2 days in reality)."""
    jdn = (
        day
        + ((295 * (month - 1) + 9) // 10)  # 29/30-day months alternating, as ceil(29.5 * (m - 1))
        + 354 * (year - 1)
        + (3 + 11 * year) // 30  # 11 leap years in each 30-year cycle
        + _HIJRI_EPOCH_JDN
        - 1
    )
    return date.fromordinal(jdn - 1721425)


# --- scripts ----------------------------------------------------------------------------------

_SCRIPT_PREFIXES: tuple[tuple[str, str], ...] = (
    ("LATIN", "Latn"),
    ("ARABIC", "Arab"),
    ("CYRILLIC", "Cyrl"),
    ("GREEK", "Grek"),
    ("HEBREW", "Hebr"),
    ("CJK", "Hani"),
    ("HANGUL", "Hang"),
    ("HIRAGANA", "Hira"),
    ("KATAKANA", "Kana"),
    ("DEVANAGARI", "Deva"),
    ("BENGALI", "Beng"),
    ("GURMUKHI", "Guru"),
    ("THAI", "Thai"),
    ("GEORGIAN", "Geor"),
    ("ARMENIAN", "Armn"),
    ("ETHIOPIC", "Ethi"),
    ("SYRIAC", "Syrc"),
    ("THAANA", "Thaa"),
    ("TAMIL", "Taml"),
    ("MYANMAR", "Mymr"),
    ("KHMER", "Khmr"),
)


def detect_script(text: str) -> str:
    """Return the ISO 15924 code of the script most letters of `text` are written in ("" if none)."""
    counts: Counter[str] = Counter()
    for ch in text:
        if not ch.isalpha():
            continue
        name = unicodedata.name(ch, "")
        for prefix, code in _SCRIPT_PREFIXES:
            if name.startswith(prefix):
                counts[code] += 1
                break
        else:
            counts["Zyyy"] += 1  # a letter of a script not in the table above
    if not counts:
        return ""
    return counts.most_common(1)[0][0]


_NON_LATIN = re.compile(r"[^\x00-\u024f\u1e00-\u1eff]")


def has_non_latin(text: str) -> bool:
    """True when `text` holds a letter outside the Latin blocks (Arabic, Cyrillic...)."""
    return any(ch.isalpha() for ch in _NON_LATIN.findall(text))
