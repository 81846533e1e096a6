"""ICAO Doc 9303 rules for travel documents: check digits, MRZ layouts, dates, names, codes, expiry.

Pure: no clock, no files. `today` and the `CountryTable` are passed in. The MRZ parser
(`formats/mrz.py`) applies these rules to untrusted text; the screening services use the
document checks at the end (`is_expired`, `expires_within`).

Positions are 1-based (line, column) everywhere, as Doc 9303 prints them.
"""

from __future__ import annotations

import calendar
import itertools
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from enum import Enum

from borderwatch.domain.countries import CodeKind, CountryTable
from borderwatch.domain.travellers import TravelDocument
from borderwatch.errors import DocumentRuleError, Position

FILLER = "<"
# ICAO 9303 part 3 §4.1: an MRZ holds only capital Latin letters, digits and the filler.
MRZ_ALPHABET = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789<")
_WEIGHTS = (7, 3, 1)
# ICAO 9303 part 3 §4.9: nobody is issued a document valid for decades, so an expiry year more than
# this far ahead of today belongs to the previous century.
EXPIRY_MAX_YEARS_AHEAD = 50


# --------------------------------------------------------------------------------------------
# Check digits
# --------------------------------------------------------------------------------------------


def character_value(char: str) -> int:
    """Return the check-digit value of one MRZ character (ICAO 9303 part 3 §4.9).

    Digits are their value, A=10 ... Z=35, the filler `<` is 0. Anything else raises
    `DocumentRuleError`.
    """
    if len(char) == 1:
        if "0" <= char <= "9":
            return ord(char) - ord("0")
        if "A" <= char <= "Z":
            return ord(char) - ord("A") + 10
        if char == FILLER:
            return 0
    raise DocumentRuleError(
        f"character {char!r} cannot be in a machine-readable zone (only A-Z, 0-9 and <)",
        field="check digit",
    )


def check_digit(text: str) -> int:
    """Return the 7-3-1 check digit of `text` (ICAO 9303 part 3 §4.9): weighted sum modulo 10."""
    return sum(character_value(ch) * _WEIGHTS[i % 3] for i, ch in enumerate(text)) % 10


def try_check_digit(text: str) -> int | None:
    """Return the check digit of `text`, or None when it holds a character outside the MRZ set."""
    if not all(ch in MRZ_ALPHABET for ch in text):
        return None
    return check_digit(text)


# --------------------------------------------------------------------------------------------
# Layouts
# --------------------------------------------------------------------------------------------


class MrzFormat(Enum):
    """The machine-readable zone layouts of ICAO Doc 9303 (parts 4 to 7)."""

    TD1 = "TD1"  # identity card, 3 x 30 (part 5)
    TD2 = "TD2"  # official travel document, 2 x 36 (part 6)
    TD3 = "TD3"  # passport, 2 x 44 (part 4)
    MRV_A = "MRV-A"  # visa, 2 x 44 (part 7)
    MRV_B = "MRV-B"  # visa, 2 x 36 (part 7)

    @property
    def is_visa(self) -> bool:
        """True for the two visa layouts (no composite and no optional-data check digit)."""
        return self in (MrzFormat.MRV_A, MrzFormat.MRV_B)


class FieldKind(Enum):
    """What characters a field may hold and how it is read."""

    DOCUMENT_CODE = "document code"
    COUNTRY = "country code"
    NAME = "name"
    ALPHANUMERIC = "alphanumeric"  # document number, optional data
    DATE = "date"  # YYMMDD
    SEX = "sex"
    CHECK_DIGIT = "check digit"


@dataclass(frozen=True, slots=True)
class Span:
    """A run of characters on one MRZ line, 1-based and inclusive on both ends."""

    line: int
    start: int
    end: int

    @property
    def length(self) -> int:
        """Return how many characters the span covers."""
        return self.end - self.start + 1

    def take(self, lines: Sequence[str]) -> str:
        """Return the characters of the span from `lines` (shorter when a line is short)."""
        return lines[self.line - 1][self.start - 1 : self.end]

    def columns(self) -> range:
        """Return the 1-based columns the span covers."""
        return range(self.start, self.end + 1)

    @property
    def position(self) -> Position:
        """Return the position of the first character, for problems and errors."""
        return Position(line=self.line, column=self.start)

    def __str__(self) -> str:
        cols = f"column {self.start}" if self.start == self.end else f"columns {self.start}-{self.end}"
        return f"line {self.line}, {cols}"


@dataclass(frozen=True, slots=True)
class FieldSpec:
    """Where one field sits in a layout and what it may hold."""

    name: str  # snake_case, e.g. "document_number"
    kind: FieldKind
    span: Span

    @property
    def label(self) -> str:
        """Return the field name as an officer reads it ("document number")."""
        return self.name.replace("_", " ")


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A check digit: which field it protects, where the digit is, which characters it covers."""

    name: str  # "document number", "birth date", "expiry date", "optional data", "composite"
    field: str  # name of the protected field ("" for the composite)
    digit: Span
    covers: tuple[Span, ...]
    may_be_filler_when_empty: bool = False  # TD3 optional data: `<` (or 0) when the field is empty


@dataclass(frozen=True, slots=True)
class Layout:
    """One Doc 9303 layout: line geometry, fields and check digits."""

    format: MrzFormat
    line_count: int
    line_length: int
    fields: tuple[FieldSpec, ...]
    checks: tuple[CheckSpec, ...]
    composite: CheckSpec | None
    code_letters: frozenset[str]  # allowed first letters of the document code

    def field(self, name: str) -> FieldSpec:
        """Return the field spec called `name` (KeyError when the layout has none)."""
        for spec in self.fields:
            if spec.name == name:
                return spec
        raise KeyError(name)


def _f(name: str, kind: FieldKind, line: int, start: int, end: int) -> FieldSpec:
    return FieldSpec(name, kind, Span(line, start, end))


def _two_line_layout(fmt: MrzFormat, length: int) -> Layout:
    # ICAO 9303 parts 4, 6, 7: TD3, TD2, MRV-A and MRV-B share line 2 up to column 28.
    is_visa = fmt.is_visa
    optional_end = length - 1 if not is_visa else length
    fields = [
        _f("document_code", FieldKind.DOCUMENT_CODE, 1, 1, 2),
        _f("issuing_state", FieldKind.COUNTRY, 1, 3, 5),
        _f("name", FieldKind.NAME, 1, 6, length),
        _f("document_number", FieldKind.ALPHANUMERIC, 2, 1, 9),
        _f("document_number_check", FieldKind.CHECK_DIGIT, 2, 10, 10),
        _f("nationality", FieldKind.COUNTRY, 2, 11, 13),
        _f("birth_date", FieldKind.DATE, 2, 14, 19),
        _f("birth_date_check", FieldKind.CHECK_DIGIT, 2, 20, 20),
        _f("sex", FieldKind.SEX, 2, 21, 21),
        _f("expiry_date", FieldKind.DATE, 2, 22, 27),
        _f("expiry_date_check", FieldKind.CHECK_DIGIT, 2, 28, 28),
    ]
    checks = [
        CheckSpec("document number", "document_number", Span(2, 10, 10), (Span(2, 1, 9),)),
        CheckSpec("birth date", "birth_date", Span(2, 20, 20), (Span(2, 14, 19),)),
        CheckSpec("expiry date", "expiry_date", Span(2, 28, 28), (Span(2, 22, 27),)),
    ]
    composite: CheckSpec | None = None
    if fmt is MrzFormat.TD3:
        # ICAO 9303 part 4 §4.2.2: personal number 29-42, its check digit 43, composite 44.
        fields.append(_f("optional_data", FieldKind.ALPHANUMERIC, 2, 29, 42))
        fields.append(_f("optional_data_check", FieldKind.CHECK_DIGIT, 2, 43, 43))
        checks.append(CheckSpec("optional data", "optional_data", Span(2, 43, 43), (Span(2, 29, 42),), True))
    else:
        fields.append(_f("optional_data", FieldKind.ALPHANUMERIC, 2, 29, optional_end))
    if not is_visa:
        fields.append(_f("composite_check", FieldKind.CHECK_DIGIT, 2, length, length))
        # ICAO 9303 parts 4 and 6: composite over 1-10, 14-20 and 22 to the character before it.
        composite = CheckSpec(
            "composite",
            "",
            Span(2, length, length),
            (Span(2, 1, 10), Span(2, 14, 20), Span(2, 22, length - 1)),
        )
    letters = frozenset("V") if is_visa else frozenset("P") if fmt is MrzFormat.TD3 else frozenset("ACI")
    return Layout(fmt, 2, length, tuple(fields), tuple(checks), composite, letters)


def _td1_layout() -> Layout:
    # ICAO 9303 part 5 §4.2.2.
    fields = (
        _f("document_code", FieldKind.DOCUMENT_CODE, 1, 1, 2),
        _f("issuing_state", FieldKind.COUNTRY, 1, 3, 5),
        _f("document_number", FieldKind.ALPHANUMERIC, 1, 6, 14),
        _f("document_number_check", FieldKind.CHECK_DIGIT, 1, 15, 15),
        _f("optional_data", FieldKind.ALPHANUMERIC, 1, 16, 30),
        _f("birth_date", FieldKind.DATE, 2, 1, 6),
        _f("birth_date_check", FieldKind.CHECK_DIGIT, 2, 7, 7),
        _f("sex", FieldKind.SEX, 2, 8, 8),
        _f("expiry_date", FieldKind.DATE, 2, 9, 14),
        _f("expiry_date_check", FieldKind.CHECK_DIGIT, 2, 15, 15),
        _f("nationality", FieldKind.COUNTRY, 2, 16, 18),
        _f("optional_data_2", FieldKind.ALPHANUMERIC, 2, 19, 29),
        _f("composite_check", FieldKind.CHECK_DIGIT, 2, 30, 30),
        _f("name", FieldKind.NAME, 3, 1, 30),
    )
    checks = (
        CheckSpec("document number", "document_number", Span(1, 15, 15), (Span(1, 6, 14),)),
        CheckSpec("birth date", "birth_date", Span(2, 7, 7), (Span(2, 1, 6),)),
        CheckSpec("expiry date", "expiry_date", Span(2, 15, 15), (Span(2, 9, 14),)),
    )
    composite = CheckSpec(
        "composite",
        "",
        Span(2, 30, 30),
        (Span(1, 6, 30), Span(2, 1, 7), Span(2, 9, 15), Span(2, 19, 29)),
    )
    return Layout(MrzFormat.TD1, 3, 30, fields, checks, composite, frozenset("ACI"))


LAYOUTS: Mapping[MrzFormat, Layout] = {
    MrzFormat.TD1: _td1_layout(),
    MrzFormat.TD2: _two_line_layout(MrzFormat.TD2, 36),
    MrzFormat.TD3: _two_line_layout(MrzFormat.TD3, 44),
    MrzFormat.MRV_A: _two_line_layout(MrzFormat.MRV_A, 44),
    MrzFormat.MRV_B: _two_line_layout(MrzFormat.MRV_B, 36),
}


def detect_format(lines: Sequence[str]) -> MrzFormat | None:
    """Return the layout that `lines` have by line count and length, then first letter; None if none.

    Doc 9303 part 3: a 2 x 36 zone starting with `V` is MRV-B, else TD2; a 2 x 44 zone starting
    with `V` is MRV-A, else TD3; 3 x 30 is TD1.
    """
    lengths = [len(line) for line in lines]
    if lengths == [30, 30, 30]:
        return MrzFormat.TD1
    is_visa = bool(lines) and lines[0][:1] == "V"
    if lengths == [36, 36]:
        return MrzFormat.MRV_B if is_visa else MrzFormat.TD2
    if lengths == [44, 44]:
        return MrzFormat.MRV_A if is_visa else MrzFormat.TD3
    return None


def is_french_national_id(lines: Sequence[str]) -> bool:
    """True for the pre-2021 French identity card: 2 x 36 but a national layout, not ICAO TD2.

    Its line 1 is `IDFRA`, the surname and a 6-character office code; its line 2 holds a
    12-character card number and its check digit, given names (14), birth date and its check
    digit, and the sex at column 35. Read as TD2 it gives nonsense fields and false check-digit
    errors, so it is recognised by its own check digits (a real French TD2 fails them).
    """
    if len(lines) != 2 or any(len(line) != 36 for line in lines) or not lines[0].startswith("IDFRA"):
        return False
    second = lines[1]
    number_ok = try_check_digit(second[0:12]) is not None and second[12] == str(check_digit(second[0:12]))
    birth_ok = try_check_digit(second[27:33]) is not None and second[33] == str(check_digit(second[27:33]))
    return number_ok and birth_ok and second[34] in "MF"


# --------------------------------------------------------------------------------------------
# Checks resolved on actual lines (long document numbers)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResolvedCheck:
    """A check digit as it applies to given lines: the digit and one or more ways to compute it.

    Most checks have one variant. A long document number (ICAO 9303 part 5 §4.2.4 note j; part 6)
    has two, because issuers disagree on whether the `<` in the check-digit slot enters the
    computation; either is accepted.
    """

    name: str
    field: str
    digit: Span
    variants: tuple[tuple[Span, ...], ...]
    may_be_filler_when_empty: bool = False
    number_spans: tuple[Span, ...] = ()  # where the value of the protected field lies
    note: str = ""

    def covered_text(self, lines: Sequence[str], variant: int = 0) -> str:
        """Return the characters the check digit is computed over (for one variant)."""
        return "".join(span.take(lines) for span in self.variants[variant])


@dataclass(frozen=True, slots=True)
class CheckOutcome:
    """The result of one check digit on given lines."""

    found: str  # the character at the check-digit position
    expected: int | None  # None when the covered text holds characters outside the MRZ set
    ok: bool
    variant: int = 0  # which variant agreed (long document numbers)


def resolve_checks(lines: Sequence[str], layout: Layout) -> tuple[ResolvedCheck, ...]:
    """Return the layout's check digits resolved on `lines` (long document numbers applied).

    The composite, if any, comes last.
    """
    resolved: list[ResolvedCheck] = []
    for spec in layout.checks:
        long_number = _long_number_check(lines, layout, spec) if spec.field == "document_number" else None
        resolved.append(
            long_number
            or ResolvedCheck(
                spec.name,
                spec.field,
                spec.digit,
                (spec.covers,),
                spec.may_be_filler_when_empty,
                number_spans=spec.covers,
            )
        )
    if layout.composite is not None:
        spec = layout.composite
        resolved.append(ResolvedCheck(spec.name, spec.field, spec.digit, (spec.covers,)))
    return tuple(resolved)


def _long_number_check(lines: Sequence[str], layout: Layout, spec: CheckSpec) -> ResolvedCheck | None:
    # ICAO 9303 part 5 (TD1) and part 6 (TD2): when the number is longer than 9 characters the
    # check-digit slot holds `<` and the number goes on in the optional data, followed by its
    # check digit. Visas and passports have no such rule.
    if layout.format not in (MrzFormat.TD1, MrzFormat.TD2) or spec.digit.take(lines) != FILLER:
        return None
    number = layout.field("document_number").span
    optional = layout.field("optional_data").span
    rest = optional.take(lines)
    run = next((i for i, ch in enumerate(rest) if ch == FILLER), len(rest))
    if run == 0:
        # `<` in the slot and nothing after it: the digit is simply missing (reported by the check).
        return None
    digit = Span(optional.line, optional.start + run - 1, optional.start + run - 1)
    extension = (Span(optional.line, optional.start, digit.start - 1),) if run > 1 else ()
    without_filler = (number, *extension)
    with_filler = (Span(number.line, number.start, spec.digit.end), *extension)
    return ResolvedCheck(
        spec.name,
        spec.field,
        digit,
        (without_filler, with_filler),
        number_spans=without_filler,
        note="long document number continued in the optional data",
    )


def evaluate_check(lines: Sequence[str], check: ResolvedCheck) -> CheckOutcome:
    """Return whether the check digit on `lines` agrees with the characters it covers."""
    found = check.digit.take(lines)
    first_expected: int | None = None
    for index in range(len(check.variants)):
        covered = check.covered_text(lines, index)
        expected = try_check_digit(covered)
        if index == 0:
            first_expected = expected
        if expected is None:
            continue
        if found == str(expected):
            return CheckOutcome(found, expected, True, index)
        # ICAO 9303 part 4 §4.2.2 note: an empty personal number may carry `<` (or 0) as its digit.
        if check.may_be_filler_when_empty and set(covered) <= {FILLER} and found in (FILLER, "0"):
            return CheckOutcome(found, 0, True, index)
    return CheckOutcome(found, first_expected, False, 0)


# --------------------------------------------------------------------------------------------
# OCR confusions
# --------------------------------------------------------------------------------------------

# Letters a reader confuses with digits (and back). In a position that must be a digit (dates,
# check digits) the letter can only be the digit; in a document number either may be right.
LETTER_TO_DIGIT: Mapping[str, str] = {
    "O": "0",
    "Q": "0",
    "D": "0",
    "I": "1",
    "Z": "2",
    "S": "5",
    "G": "6",
    "B": "8",
}
DIGIT_TO_LETTER: Mapping[str, str] = {"0": "O", "1": "I", "2": "Z", "5": "S", "6": "G", "8": "B"}
_ALNUM_LETTER_TO_DIGIT: Mapping[str, str] = {"O": "0", "I": "1", "Z": "2", "S": "5", "G": "6", "B": "8"}
# Above this many readings per check the search stops: too many would agree by chance.
MAX_READINGS = 4096


@dataclass(frozen=True, slots=True)
class OcrCorrection:
    """One character changed because check digits prove the reader confused it."""

    field: str
    line: int
    column: int
    found: str
    corrected: str
    proven_by: tuple[str, ...]  # names of the checks that agree only with the correction

    @property
    def position(self) -> Position:
        """Return where the corrected character is."""
        return Position(line=self.line, column=self.column)


@dataclass(frozen=True, slots=True)
class OcrOutcome:
    """Lines after proven corrections, the corrections, and readings that fit but prove nothing."""

    lines: tuple[str, ...]
    corrections: tuple[OcrCorrection, ...]
    unproven: Mapping[str, int]  # check name -> how many OCR readings would fit it


def position_kinds(layout: Layout) -> dict[tuple[int, int], FieldKind]:
    """Return the field kind of every (line, column) of the layout."""
    kinds: dict[tuple[int, int], FieldKind] = {}
    for spec in layout.fields:
        for column in spec.span.columns():
            kinds[(spec.span.line, column)] = spec.kind
    return kinds


def _alternatives(char: str, must_be_digit: bool) -> tuple[str, ...]:
    if must_be_digit:
        return (LETTER_TO_DIGIT.get(char, char),)
    options = [char]
    if char in DIGIT_TO_LETTER:
        options.append(DIGIT_TO_LETTER[char])
    if char in _ALNUM_LETTER_TO_DIGIT:
        options.append(_ALNUM_LETTER_TO_DIGIT[char])
    return tuple(options)


def _positions(check: ResolvedCheck) -> list[tuple[int, int]]:
    cells = {
        (span.line, column) for variant in check.variants for span in variant for column in span.columns()
    }
    cells.add((check.digit.line, check.digit.start))
    return sorted(cells)


def _apply(lines: Sequence[str], changes: Mapping[tuple[int, int], str]) -> tuple[str, ...]:
    out = [list(line) for line in lines]
    for (line, column), char in changes.items():
        out[line - 1][column - 1] = char
    return tuple("".join(chars) for chars in out)


def _digit_positions_hold_digits(
    lines: Sequence[str], cells: Sequence[tuple[int, int]], kinds: Mapping[tuple[int, int], FieldKind]
) -> bool:
    for line, column in cells:
        char = lines[line - 1][column - 1]
        if kinds.get((line, column)) in (FieldKind.DATE, FieldKind.CHECK_DIGIT) and not (
            "0" <= char <= "9" or char == FILLER
        ):
            return False
    return True


def _check_passes(
    lines: Sequence[str], check: ResolvedCheck, kinds: Mapping[tuple[int, int], FieldKind]
) -> bool:
    return evaluate_check(lines, check).ok and _digit_positions_hold_digits(lines, _positions(check), kinds)


def _readings(
    lines: Sequence[str], check: ResolvedCheck, kinds: Mapping[tuple[int, int], FieldKind]
) -> Iterator[dict[tuple[int, int], str]] | None:
    cells = _positions(check)
    options: list[tuple[str, ...]] = []
    total = 1
    for line, column in cells:
        must_be_digit = kinds.get((line, column)) in (FieldKind.DATE, FieldKind.CHECK_DIGIT)
        choice = _alternatives(lines[line - 1][column - 1], must_be_digit)
        options.append(choice)
        total *= len(choice)
    if total > MAX_READINGS:
        return None
    return (dict(zip(cells, combo, strict=True)) for combo in itertools.product(*options))


def correct_ocr(lines: Sequence[str], layout: Layout) -> OcrOutcome:
    """Return `lines` with OCR confusions corrected where check digits prove them, and what changed.

    A failing check (or a letter where a digit must be) is re-read with the confusions
    O/Q/D->0, I->1, Z->2, S->5, G->6, B->8 (and back, in document numbers and optional data).
    A correction is proven only when exactly one combination of readings makes every failing
    check agree and, on layouts with a composite digit (ICAO 9303 parts 4-6), the composite
    agrees too: a second, independent check. Visas (part 7) have no composite, so there the
    field's own check digit must single out one reading. Nothing else is ever changed.
    """
    kinds = position_kinds(layout)
    checks = resolve_checks(lines, layout)
    field_checks = [c for c in checks if c.name != "composite"]
    composite = next((c for c in checks if c.name == "composite"), None)
    failing = [c for c in checks if not _check_passes(lines, c, kinds)]
    if not failing:
        return OcrOutcome(tuple(lines), (), {})

    per_check: dict[str, list[dict[tuple[int, int], str]]] = {}
    unproven: dict[str, int] = {}
    for check in (c for c in failing if c is not composite):
        readings = _readings(lines, check, kinds)
        fitting: list[dict[tuple[int, int], str]] = []
        if readings is not None:
            for changes in readings:
                candidate = _apply(lines, changes)
                if _check_passes(candidate, check, kinds):
                    fitting.append({k: v for k, v in changes.items() if lines[k[0] - 1][k[1] - 1] != v})
        per_check[check.name] = fitting
        unproven[check.name] = len(fitting)

    options: list[list[dict[tuple[int, int], str]]] = [per_check.get(c.name) or [{}] for c in field_checks]
    if composite is not None:
        composite_cell = (composite.digit.line, composite.digit.start)
        options.append(
            [{composite_cell: LETTER_TO_DIGIT.get(composite.digit.take(lines), composite.digit.take(lines))}]
        )
    agreeing: list[tuple[dict[tuple[int, int], str], tuple[str, ...]]] = []
    for count, combo in enumerate(itertools.product(*options)):
        if count >= MAX_READINGS:
            return OcrOutcome(tuple(lines), (), unproven)
        merged: dict[tuple[int, int], str] = {}
        for part in combo:
            merged.update(part)
        merged = {k: v for k, v in merged.items() if lines[k[0] - 1][k[1] - 1] != v}
        candidate = _apply(lines, merged)
        if all(_check_passes(candidate, c, kinds) for c in checks):
            agreeing.append((merged, candidate))
    if len(agreeing) != 1 or not agreeing[0][0]:
        return OcrOutcome(tuple(lines), (), unproven)

    changes, corrected = agreeing[0]
    corrections: list[OcrCorrection] = []
    for (line, column), char in sorted(changes.items()):
        proven = tuple(c.name for c in checks if (line, column) in _positions(c))
        if composite is not None and composite.name not in proven:
            proven = (*proven, composite.name)
        corrections.append(
            OcrCorrection(
                field=_field_at(layout, line, column),
                line=line,
                column=column,
                found=lines[line - 1][column - 1],
                corrected=char,
                proven_by=proven,
            )
        )
    return OcrOutcome(corrected, tuple(corrections), {})


def _field_at(layout: Layout, line: int, column: int) -> str:
    for spec in layout.fields:
        if spec.span.line == line and spec.span.start <= column <= spec.span.end:
            return spec.name
    return ""


# --------------------------------------------------------------------------------------------
# Dates (two-digit years)
# --------------------------------------------------------------------------------------------


class DateRole(Enum):
    """What a document date means, which decides the century of its two-digit year."""

    BIRTH = "birth"  # in the past (or today)
    EXPIRY = "expiry"  # at most EXPIRY_MAX_YEARS_AHEAD years ahead; may be in the past (expired)


def _is_digits(text: str) -> bool:
    return bool(text) and all("0" <= ch <= "9" for ch in text)


def read_yymmdd(text: str) -> tuple[int, int | None, int | None] | None:
    """Return (yy, month, day) of an MRZ date; month/day None when written `<<` (unknown).

    None when the text is not six characters of digits (with `<<` only for month or day), or the
    month or day is out of range.
    """
    if len(text) != 6 or not _is_digits(text[:2]):
        return None
    parts: list[int | None] = []
    for chunk in (text[2:4], text[4:6]):
        if chunk == FILLER * 2:
            parts.append(None)
        elif _is_digits(chunk):
            parts.append(int(chunk))
        else:
            return None
    month, day = parts
    if month is not None and not 1 <= month <= 12:
        return None
    if day is not None and not 1 <= day <= 31:
        return None
    return int(text[:2]), month, day


def resolve_year(two_digits: int, *, role: DateRole, today: date, month: int = 1, day: int = 1) -> int:
    """Return the four-digit year of a two-digit MRZ year (ICAO dates carry no century).

    Birth: the latest year that does not put the date after `today`. Expiry: the year that puts
    it no more than `EXPIRY_MAX_YEARS_AHEAD` years ahead of today, so a 2004 expiry read in 2026
    stays 2004 (and is reported as expired) while `35` becomes 2035.
    """
    century = today.year - today.year % 100
    year = century + two_digits
    if role is DateRole.BIRTH:
        if (year, month, day) > (today.year, today.month, today.day):
            year -= 100
    elif year > today.year + EXPIRY_MAX_YEARS_AHEAD:
        year -= 100
    elif year <= today.year - 100 + EXPIRY_MAX_YEARS_AHEAD:
        year += 100
    return year


def resolve_date(text: str, *, role: DateRole, today: date) -> date | None:
    """Return the calendar date of an MRZ `YYMMDD`, or None when unknown (`<<`) or not a real date."""
    parts = read_yymmdd(text)
    if parts is None:
        return None
    yy, month, day = parts
    if month is None or day is None:
        return None
    year = resolve_year(yy, role=role, today=today, month=month, day=day)
    if day > calendar.monthrange(year, month)[1]:
        # 29 February: the century decides whether it exists; try the other century once.
        other = year - 100 if role is DateRole.BIRTH else year + 100
        if day > calendar.monthrange(other, month)[1]:
            return None
        year = other
    return date(year, month, day)


# --------------------------------------------------------------------------------------------
# Names
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class MrzName:
    """A name field read into family name and given names."""

    family_name: str  # primary identifier, words joined by spaces
    given_names: str  # secondary identifier, words joined by spaces
    is_truncated: bool  # the field is full to its last character: the name may go on
    has_family_name: bool


def split_mrz_name(field: str) -> MrzName:
    """Return family and given names of an MRZ name field (ICAO 9303 part 3 §4.6).

    `<<` separates the primary identifier (family name) from the secondary (given names); a
    single `<` inside an identifier is a space. A field starting with `<<` has no family name.
    A field with no `<<` holds a family name only. A field full to its last character was
    probably truncated (the last word may be cut, e.g. `ESTEV`).
    """
    is_truncated = bool(field) and not field.endswith(FILLER)
    body = field.rstrip(FILLER)
    if body.startswith(FILLER * 2):
        primary, secondary = "", body.lstrip(FILLER)
    elif FILLER * 2 in body:
        primary, secondary = body.split(FILLER * 2, 1)
    else:
        primary, secondary = body, ""
    family = " ".join(primary.replace(FILLER, " ").split())
    given = " ".join(secondary.replace(FILLER, " ").split())
    return MrzName(family, given, is_truncated, bool(family))


def mrz_name_field(family_name: str, given_names: str, length: int) -> str:
    """Return an MRZ name field of `length` characters for the names (truncating when too long)."""
    primary = FILLER.join(family_name.upper().split())
    secondary = FILLER.join(given_names.upper().split())
    text = f"{primary}{FILLER * 2}{secondary}" if secondary else primary
    return text[:length].ljust(length, FILLER)


# --------------------------------------------------------------------------------------------
# Codes
# --------------------------------------------------------------------------------------------


class CodeStatus(Enum):
    """What a country table says of a three-letter code on a document."""

    KNOWN = "known"
    NOT_ICAO = "not ICAO"  # deprecated (ANT, NTZ) or seen in the wild (RKS, XXK): read, flagged
    SPECIMEN_ONLY = "specimen only"  # UTO without specimen mode
    UNKNOWN = "unknown"


def country_code_status(code: str, countries: CountryTable, *, allow_specimen: bool = False) -> CodeStatus:
    """Return the status of an issuing-state or nationality code (`D<<` padding allowed)."""
    if not code or not all("A" <= ch <= "Z" or ch == FILLER for ch in code) or code.startswith(FILLER):
        return CodeStatus.UNKNOWN
    if FILLER in code.rstrip(FILLER):
        return CodeStatus.UNKNOWN
    country = countries.get(code)
    if country is None:
        return CodeStatus.UNKNOWN
    if country.kind is CodeKind.SPECIMEN:
        return CodeStatus.KNOWN if allow_specimen else CodeStatus.SPECIMEN_ONLY
    if country.kind in (CodeKind.DEPRECATED, CodeKind.NON_ICAO):
        return CodeStatus.NOT_ICAO
    return CodeStatus.KNOWN


# --------------------------------------------------------------------------------------------
# Document checks for screening
# --------------------------------------------------------------------------------------------


def is_expired(doc: TravelDocument, today: date) -> bool:
    """True when the document's expiry date is before `today` (valid through its expiry day).

    A document without an expiry date is not called expired; see `has_unknown_expiry`.
    """
    return doc.expiry_date is not None and doc.expiry_date < today


def has_unknown_expiry(doc: TravelDocument) -> bool:
    """True when the document carries no readable expiry date."""
    return doc.expiry_date is None


def days_until_expiry(doc: TravelDocument, today: date) -> int | None:
    """Return the days from `today` to the expiry date (negative once expired), None if unknown."""
    if doc.expiry_date is None:
        return None
    return (doc.expiry_date - today).days


def expires_within(doc: TravelDocument, today: date, days: int) -> bool:
    """True when the document is still valid today but expires within `days` days.

    Many states require a passport valid for some months beyond the stay; the screening service
    passes its own `days` (e.g. 90 or 180).
    """
    if doc.expiry_date is None or is_expired(doc, today):
        return False
    return doc.expiry_date <= today + timedelta(days=days)
