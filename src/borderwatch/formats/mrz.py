"""ICAO Doc 9303 machine-readable zones (MRZ): untrusted text in, a fully explained result out.

`parse_mrz` never raises on bad input: wrong line counts or lengths, characters outside the MRZ
set, garbage, all end as `Problem` values in an `MrzResult` whose `is_valid` is False. (Only
`MrzResult.to_traveller()` / `to_travel_document()` raise, a `DocumentRuleError`, when there is no
layout to take a traveller from.) The rules themselves live in `domain/documents.py`.

`is_valid` means: a Doc 9303 layout, only MRZ characters, every check digit right, every field
readable, and the country codes known. An expired document, a normalised input, a proven OCR
correction, a possibly truncated name are warnings: they are reported, the MRZ stays valid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from borderwatch.domain.countries import CountryTable
from borderwatch.domain.documents import (
    FILLER,
    LAYOUTS,
    MRZ_ALPHABET,
    CodeStatus,
    DateRole,
    FieldKind,
    FieldSpec,
    Layout,
    MrzFormat,
    OcrCorrection,
    ResolvedCheck,
    Span,
    check_digit,
    correct_ocr,
    country_code_status,
    detect_format,
    evaluate_check,
    is_french_national_id,
    mrz_name_field,
    read_yymmdd,
    resolve_checks,
    resolve_date,
    split_mrz_name,
)
from borderwatch.domain.travellers import DocumentType, Gender, TravelDocument, Traveller, TravellerRole
from borderwatch.errors import DocumentRuleError, Position
from borderwatch.formats.problems import Problem, Severity

SOURCE = "MRZ"
_MAX_CHARACTER_PROBLEMS = 10
_LOWER_TO_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SEX = {"M": Gender.MALE, "F": Gender.FEMALE, "X": Gender.UNSPECIFIED, FILLER: Gender.UNSPECIFIED}


@dataclass(frozen=True, slots=True)
class MrzField:
    """One field of the zone: its raw characters, where they are, and the value read from them."""

    name: str  # snake_case layout name: document_number, birth_date, name...
    raw: str
    value: str  # fillers removed / dates in ISO form / names with spaces
    line: int
    column: int
    length: int

    @property
    def position(self) -> Position:
        """Return the position of the field's first character."""
        return Position(line=self.line, column=self.column)

    def as_dict(self) -> dict[str, object]:
        """Return the field as a JSON-ready mapping."""
        return {
            "name": self.name,
            "raw": self.raw,
            "value": self.value,
            "line": self.line,
            "column": self.column,
            "length": self.length,
        }


@dataclass(frozen=True, slots=True)
class MrzCheck:
    """One check digit: the digit found, the digit expected, whether they agree, and where."""

    name: str  # "document number", "birth date", "expiry date", "optional data", "composite"
    found: str  # the character in the check-digit position
    expected: int | None  # None when the covered text holds characters outside the MRZ set
    ok: bool
    line: int
    column: int
    covers: tuple[Span, ...]  # the characters the digit was computed over
    note: str = ""

    @property
    def position(self) -> Position:
        """Return where the check digit is."""
        return Position(line=self.line, column=self.column)

    def as_dict(self) -> dict[str, object]:
        """Return the check as a JSON-ready mapping."""
        return {
            "name": self.name,
            "found": self.found,
            "expected": self.expected,
            "ok": self.ok,
            "line": self.line,
            "column": self.column,
            "covers": [{"line": s.line, "start": s.start, "end": s.end} for s in self.covers],
            "note": self.note,
        }


@dataclass(frozen=True, slots=True)
class MrzResult:
    """Everything read from one MRZ: layout, fields, checks, corrections and problems."""

    format: MrzFormat | None
    today: date
    input_lines: tuple[str, ...]  # as given
    lines: tuple[str, ...]  # normalised, with proven OCR corrections applied
    fields: tuple[MrzField, ...] = ()
    checks: tuple[MrzCheck, ...] = ()  # field check digits, composite excluded
    composite: MrzCheck | None = None
    corrections: tuple[OcrCorrection, ...] = ()
    problems: tuple[Problem, ...] = ()
    specimen_mode: bool = False
    document_code: str = ""
    issuing_state: str = ""
    document_number: str = ""
    nationality: str = ""
    birth_date: date | None = None
    expiry_date: date | None = None
    gender: Gender = Gender.UNKNOWN
    family_name: str = ""
    given_names: str = ""
    name_truncated: bool = False
    optional_data: str = ""
    optional_data_2: str = ""

    @property
    def is_valid(self) -> bool:
        """True when layout, characters, check digits, fields and country codes are all right."""
        return self.format is not None and not self.errors

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that make the MRZ invalid."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """Problems reported without making the MRZ invalid (expired, normalised, corrected...)."""
        return tuple(p for p in self.problems if p.severity is Severity.WARNING)

    @property
    def is_expired(self) -> bool:
        """True when the expiry date was read and lies before `today`."""
        return self.expiry_date is not None and self.expiry_date < self.today

    @property
    def all_checks(self) -> tuple[MrzCheck, ...]:
        """Return the field checks followed by the composite, if the layout has one."""
        return (*self.checks, self.composite) if self.composite else self.checks

    def field(self, name: str) -> MrzField | None:
        """Return the field called `name`, or None."""
        return next((f for f in self.fields if f.name == name), None)

    def to_travel_document(self) -> TravelDocument:
        """Return the domain travel document; `DocumentRuleError` when no layout could be read."""
        self._require_layout()
        return TravelDocument(
            doc_type=DocumentType.from_code(self.document_code),
            number=self.document_number,
            issuing_state=self.issuing_state,
            expiry_date=self.expiry_date,
            nationality=self.nationality,
            code=self.document_code,
        )

    def to_traveller(self, role: TravellerRole = TravellerRole.PASSENGER) -> Traveller:
        """Return the domain traveller holding this document; `DocumentRuleError` without a layout."""
        document = self.to_travel_document()
        return Traveller(
            family_name=self.family_name,
            given_names=self.given_names,
            birth_date=self.birth_date,
            gender=self.gender,
            nationality=self.nationality,
            role=role,
            documents=(document,),
        )

    def _require_layout(self) -> None:
        if self.format is None:
            reason = "; ".join(p.reason for p in self.errors) or "no ICAO 9303 layout"
            first = self.errors[0] if self.errors else None
            raise DocumentRuleError(
                f"MRZ could not be read: {reason}",
                source=SOURCE,
                position=first.position if first else None,
                field=first.field if first else "",
                reason=reason,
            )

    def as_dict(self) -> dict[str, object]:
        """Return the whole result as a JSON-ready mapping (every field, check and problem)."""
        return {
            "format": self.format.value if self.format else None,
            "valid": self.is_valid,
            "today": self.today.isoformat(),
            "specimen_mode": self.specimen_mode,
            "input_lines": list(self.input_lines),
            "lines": list(self.lines),
            "document": {
                "document_code": self.document_code,
                "issuing_state": self.issuing_state,
                "document_number": self.document_number,
                "nationality": self.nationality,
                "birth_date": self.birth_date.isoformat() if self.birth_date else None,
                "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
                "sex": self.gender.value,
                "family_name": self.family_name,
                "given_names": self.given_names,
                "name_truncated": self.name_truncated,
                "optional_data": self.optional_data,
                "optional_data_2": self.optional_data_2,
                "expired": self.is_expired,
            },
            "fields": [f.as_dict() for f in self.fields],
            "checks": [c.as_dict() for c in self.checks],
            "composite": self.composite.as_dict() if self.composite else None,
            "corrections": [
                {
                    "field": c.field,
                    "line": c.line,
                    "column": c.column,
                    "found": c.found,
                    "corrected": c.corrected,
                    "proven_by": list(c.proven_by),
                }
                for c in self.corrections
            ],
            "problems": [p.as_dict() for p in self.problems],
        }


def parse_mrz(
    lines: Sequence[str], *, today: date, countries: CountryTable, allow_specimen: bool = False
) -> MrzResult:
    """Return what an MRZ says and what is wrong with it; never raises on bad input.

    `lines` are the two or three MRZ lines (one string holding them separated by newlines is
    accepted too). Surrounding whitespace and lower case are normalised and reported. `today`
    resolves two-digit years and expiry; `countries` validates codes; `UTO` (ICAO's Utopia)
    is accepted only with `allow_specimen=True`.
    """
    given, normalised, problems = _normalise(lines)
    fmt, layout_problems = _detect(normalised)
    problems.extend(layout_problems)
    if fmt is None:
        return MrzResult(
            None, today, given, normalised, problems=tuple(problems), specimen_mode=allow_specimen
        )
    layout = LAYOUTS[fmt]
    ocr = correct_ocr(normalised, layout)
    text = ocr.lines
    problems.extend(_character_problems(text))
    for correction in ocr.corrections:
        problems.append(_correction_problem(correction))

    reader = _Reader(text, layout, today, countries, allow_specimen, problems)
    checks = reader.checks(resolve_checks(text, layout), ocr.unproven)
    fields = reader.fields()
    summary = reader.summary
    return MrzResult(
        format=fmt,
        today=today,
        input_lines=given,
        lines=text,
        fields=fields,
        checks=tuple(c for c in checks if c.name != "composite"),
        composite=next((c for c in checks if c.name == "composite"), None),
        corrections=ocr.corrections,
        problems=tuple(problems),
        specimen_mode=allow_specimen,
        document_code=summary.get("document_code", ""),
        issuing_state=summary.get("issuing_state", ""),
        document_number=summary.get("document_number", ""),
        nationality=summary.get("nationality", ""),
        birth_date=reader.birth_date,
        expiry_date=reader.expiry_date,
        gender=reader.gender,
        family_name=summary.get("family_name", ""),
        given_names=summary.get("given_names", ""),
        name_truncated=reader.name_truncated,
        optional_data=summary.get("optional_data", ""),
        optional_data_2=summary.get("optional_data_2", ""),
    )


# --------------------------------------------------------------------------------------------
# Normalisation and layout
# --------------------------------------------------------------------------------------------


def _problem(
    span_or_position: Span | Position,
    field: str,
    reason: str,
    raw: str = "",
    severity: Severity = Severity.ERROR,
) -> Problem:
    if isinstance(span_or_position, Span):
        position = span_or_position.position
        where = f"line {span_or_position.line}, column {span_or_position.start}"
    else:
        position = span_or_position
        where = str(position)
    return Problem(SOURCE, position, field, f"{reason} ({where})", raw, severity)


def _normalise(lines: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...], list[Problem]]:
    problems: list[Problem] = []
    given = (lines,) if isinstance(lines, str) else tuple(str(line) for line in lines)
    pieces = [piece for line in given for piece in line.splitlines()] if given else []
    stripped = [piece.strip() for piece in pieces]
    kept = [piece.translate(_LOWER_TO_UPPER) for piece in stripped if piece]
    changes: list[str] = []
    if len(pieces) != len(given):
        changes.append("split at line breaks")
    if any(piece != s for piece, s in zip(pieces, stripped, strict=True)):
        changes.append("surrounding whitespace removed")
    if len(kept) != len(stripped):
        changes.append("empty lines dropped")
    if any(s != s.translate(_LOWER_TO_UPPER) for s in stripped):
        changes.append("lower-case letters turned to capitals")
    if changes:
        problems.append(
            _problem(
                Position(line=1),
                "",
                "MRZ text was normalised: " + ", ".join(changes),
                severity=Severity.WARNING,
            )
        )
    return given, tuple(kept), problems


def _detect(lines: tuple[str, ...]) -> tuple[MrzFormat | None, list[Problem]]:
    fmt = detect_format(lines)
    if fmt is not None:
        if is_french_national_id(lines):
            return None, [
                _problem(
                    Position(line=1, column=1),
                    "document_code",
                    "this is the pre-2021 French identity card: a national 2 x 36 layout, not ICAO TD2; "
                    "it cannot be checked as an ICAO document",
                    lines[0],
                )
            ]
        return fmt, []
    if not lines:
        return None, [_problem(Position(line=1), "", "no MRZ text was given")]
    if len(lines) not in (2, 3):
        return None, [
            _problem(
                Position(line=1),
                "",
                f"an MRZ has 2 lines (passport, visa, TD2) or 3 lines (identity card), not {len(lines)}",
                "\n".join(lines)[:100],
            )
        ]
    expected = 30 if len(lines) == 3 else min((36, 44), key=lambda n: abs(n - max(len(x) for x in lines)))
    name = "TD1" if len(lines) == 3 else ("TD2/MRV-B" if expected == 36 else "TD3/MRV-A")
    problems = [
        _problem(
            Position(line=number, column=min(len(line), expected) + 1),
            "",
            f"line {number} has {len(line)} characters; a {name} line has {expected}",
            line,
        )
        for number, line in enumerate(lines, start=1)
        if len(line) != expected
    ]
    return None, problems


def _character_problems(lines: Sequence[str]) -> list[Problem]:
    problems: list[Problem] = []
    bad = [
        (number, column, char)
        for number, line in enumerate(lines, start=1)
        for column, char in enumerate(line, start=1)
        if char not in MRZ_ALPHABET
    ]
    for number, column, char in bad[:_MAX_CHARACTER_PROBLEMS]:
        problems.append(
            _problem(
                Position(line=number, column=column),
                "",
                f"character {char!r} is not allowed in an MRZ (only A-Z, 0-9 and <)",
                char,
            )
        )
    if len(bad) > _MAX_CHARACTER_PROBLEMS:
        number, column, _ = bad[_MAX_CHARACTER_PROBLEMS]
        problems.append(
            _problem(
                Position(line=number, column=column),
                "",
                f"{len(bad) - _MAX_CHARACTER_PROBLEMS} more characters outside A-Z, 0-9 and <",
            )
        )
    return problems


def _correction_problem(correction: OcrCorrection) -> Problem:
    proven = " and ".join(correction.proven_by)
    return _problem(
        correction.position,
        correction.field,
        f"{correction.field.replace('_', ' ')}: {correction.found!r} read as {correction.corrected!r}, "
        f"proven by the {proven} check digit{'s' if len(correction.proven_by) > 1 else ''}",
        correction.found,
        Severity.WARNING,
    )


# --------------------------------------------------------------------------------------------
# Fields and checks
# --------------------------------------------------------------------------------------------


class _Reader:
    """Reads the fields and checks of one zone of known layout, adding problems as it goes."""

    def __init__(
        self,
        lines: tuple[str, ...],
        layout: Layout,
        today: date,
        countries: CountryTable,
        allow_specimen: bool,
        problems: list[Problem],
    ) -> None:
        self.lines = lines
        self.layout = layout
        self.today = today
        self.countries = countries
        self.allow_specimen = allow_specimen
        self.problems = problems
        self.summary: dict[str, str] = {}
        self.birth_date: date | None = None
        self.expiry_date: date | None = None
        self.gender = Gender.UNKNOWN
        self.name_truncated = False
        self.long_number: ResolvedCheck | None = None

    def checks(self, resolved: Sequence[ResolvedCheck], unproven: Mapping[str, int]) -> list[MrzCheck]:
        out: list[MrzCheck] = []
        for check in resolved:
            if len(check.variants) > 1:
                self.long_number = check
            outcome = evaluate_check(self.lines, check)
            note = check.note
            if len(check.variants) > 1 and outcome.ok:
                note += (
                    "; the '<' in the check-digit slot is included"
                    if outcome.variant == 1
                    else "; the '<' in the check-digit slot is left out"
                )
            out.append(
                MrzCheck(
                    check.name,
                    outcome.found,
                    outcome.expected,
                    outcome.ok,
                    check.digit.line,
                    check.digit.start,
                    check.variants[outcome.variant],
                    note,
                )
            )
            if not outcome.ok:
                self._check_problem(check, outcome.found, outcome.expected, unproven.get(check.name, 0))
        return out

    def _check_problem(self, check: ResolvedCheck, found: str, expected: int | None, fitting: int) -> None:
        field = check.field or "composite_check"
        raw = check.covered_text(self.lines) + found
        if expected is None:
            reason = (
                f"{check.name} check digit cannot be computed: "
                "the characters it covers are not all A-Z, 0-9 or <"
            )
        else:
            shown = found if found.isdigit() else repr(found)
            reason = f"{check.name} check digit is {shown}, expected {expected}"
            if len(check.variants) > 1:
                reason += " (long document number; with the '<' in the check-digit slot: "
                reason += f"{evaluate_check(self.lines, _only_variant(check, 1)).expected})"
        if fitting:
            reason += (
                f"; {fitting} reading{'s' if fitting > 1 else ''} with OCR confusions "
                "(O/0, I/1, S/5, B/8...) would fit but none is proven by the other check digits"
            )
        self.problems.append(_problem(check.digit, field, reason, raw))

    def fields(self) -> tuple[MrzField, ...]:
        out: list[MrzField] = []
        for spec in self.layout.fields:
            raw = spec.span.take(self.lines)
            value = self._read(spec, raw)
            out.append(MrzField(spec.name, raw, value, spec.span.line, spec.span.start, spec.span.length))
        return tuple(out)

    def _read(self, spec: FieldSpec, raw: str) -> str:
        kind = spec.kind
        if kind is FieldKind.DOCUMENT_CODE:
            return self._document_code(spec, raw)
        if kind is FieldKind.COUNTRY:
            return self._country(spec, raw)
        if kind is FieldKind.NAME:
            return self._name(spec, raw)
        if kind is FieldKind.DATE:
            return self._date(spec, raw)
        if kind is FieldKind.SEX:
            return self._sex(spec, raw)
        if spec.name == "document_number":
            return self._document_number(spec, raw)
        if spec.name.startswith("optional_data") and kind is FieldKind.ALPHANUMERIC:
            value = raw.strip(FILLER)
            if spec.name == "optional_data" and self.long_number is not None:
                # The number and its check digit took the start of the optional data.
                value = self.lines[spec.span.line - 1][self.long_number.digit.start : spec.span.end].strip(
                    FILLER
                )
            self.summary[spec.name] = value
            return value
        return raw  # check digits: the character itself

    def _document_code(self, spec: FieldSpec, raw: str) -> str:
        value = raw.rstrip(FILLER)
        self.summary["document_code"] = value
        first, second = raw[:1], raw[1:2]
        letters = "".join(sorted(self.layout.code_letters))
        if first not in self.layout.code_letters:
            self.problems.append(
                _problem(
                    spec.span,
                    spec.name,
                    f"document code {raw!r} must start with {' or '.join(letters)} "
                    f"in a {self.layout.format.value} zone (ICAO 9303)",
                    raw,
                )
            )
        elif not ("A" <= second <= "Z" or second == FILLER):
            self.problems.append(
                _problem(
                    spec.span,
                    spec.name,
                    f"document code {raw!r}: second character must be a letter or <",
                    raw,
                )
            )
        return value

    def _country(self, spec: FieldSpec, raw: str) -> str:
        value = raw.replace(FILLER, "")
        self.summary[spec.name] = value
        status = country_code_status(raw, self.countries, allow_specimen=self.allow_specimen)
        label = spec.label
        if status is CodeStatus.SPECIMEN_ONLY:
            self.problems.append(
                _problem(
                    spec.span,
                    spec.name,
                    f"{label} {value} is ICAO's fictional Utopia: accepted only in specimen mode",
                    raw,
                )
            )
        elif status is CodeStatus.UNKNOWN:
            self.problems.append(
                _problem(spec.span, spec.name, f"{label} {raw!r} is not an ICAO Doc 9303 country code", raw)
            )
        elif status is CodeStatus.NOT_ICAO:
            self.problems.append(
                _problem(
                    spec.span,
                    spec.name,
                    f"{label} {value} is deprecated or not an ICAO code (seen on real documents)",
                    raw,
                    Severity.WARNING,
                )
            )
        return value

    def _name(self, spec: FieldSpec, raw: str) -> str:
        name = split_mrz_name(raw)
        self.summary["family_name"] = name.family_name
        self.summary["given_names"] = name.given_names
        self.name_truncated = name.is_truncated
        bad = next((i for i, ch in enumerate(raw) if not ("A" <= ch <= "Z" or ch == FILLER)), None)
        if bad is not None:
            self.problems.append(
                _problem(
                    Span(spec.span.line, spec.span.start + bad, spec.span.start + bad),
                    spec.name,
                    f"name holds {raw[bad]!r}: names are written in letters and < only",
                    raw,
                )
            )
        if not name.family_name and not name.given_names:
            self.problems.append(_problem(spec.span, spec.name, "name field is empty", raw))
        elif name.is_truncated:
            self.problems.append(
                _problem(
                    Span(spec.span.line, spec.span.end, spec.span.end),
                    spec.name,
                    "name fills the whole field and may be truncated",
                    raw,
                    Severity.WARNING,
                )
            )
        return f"{name.family_name}/{name.given_names}" if name.given_names else name.family_name

    def _date(self, spec: FieldSpec, raw: str) -> str:
        role = DateRole.BIRTH if spec.name == "birth_date" else DateRole.EXPIRY
        parts = read_yymmdd(raw)
        label = spec.label
        if parts is None:
            self.problems.append(
                _problem(spec.span, spec.name, f"{label} {raw!r} is not a date (YYMMDD)", raw)
            )
            return raw
        _, month, day = parts
        if month is None or day is None:
            if role is DateRole.EXPIRY:
                self.problems.append(
                    _problem(spec.span, spec.name, f"{label} {raw!r} must give day and month", raw)
                )
            else:
                # ICAO 9303 part 3: an unknown day or month of birth is written `<<`.
                self.problems.append(
                    _problem(
                        spec.span,
                        spec.name,
                        f"{label} {raw!r} has an unknown day or month",
                        raw,
                        Severity.WARNING,
                    )
                )
            return raw
        resolved = resolve_date(raw, role=role, today=self.today)
        if resolved is None:
            self.problems.append(
                _problem(spec.span, spec.name, f"{label} {raw!r} is not a calendar date", raw)
            )
            return raw
        if role is DateRole.BIRTH:
            self.birth_date = resolved
        else:
            self.expiry_date = resolved
            if resolved < self.today:
                self.problems.append(
                    _problem(
                        spec.span,
                        spec.name,
                        f"document expired on {resolved.isoformat()}",
                        raw,
                        Severity.WARNING,
                    )
                )
        return resolved.isoformat()

    def _sex(self, spec: FieldSpec, raw: str) -> str:
        gender = _SEX.get(raw)
        if gender is None:
            self.problems.append(_problem(spec.span, spec.name, f"sex {raw!r} must be M, F, X or <", raw))
            return raw
        self.gender = gender
        return gender.value

    def _document_number(self, spec: FieldSpec, raw: str) -> str:
        spans = self.long_number.number_spans if self.long_number else (spec.span,)
        value = "".join(s.take(self.lines) for s in spans).replace(FILLER, "")
        self.summary["document_number"] = value
        if not value:
            self.problems.append(_problem(spec.span, spec.name, "document number is empty", raw))
        return value


def _only_variant(check: ResolvedCheck, index: int) -> ResolvedCheck:
    return ResolvedCheck(check.name, check.field, check.digit, (check.variants[index],))


# --------------------------------------------------------------------------------------------
# Writing (training flights, tests)
# --------------------------------------------------------------------------------------------


def write_mrz(
    fmt: MrzFormat,
    *,
    document_code: str,
    issuing_state: str,
    document_number: str,
    nationality: str,
    birth_date: date,
    sex: Gender,
    expiry_date: date,
    family_name: str,
    given_names: str,
    optional_data: str = "",
    optional_data_2: str = "",
) -> tuple[str, ...]:
    """Return the MRZ lines of a document with these fields, check digits computed (ICAO 9303).

    Names longer than the field are truncated; a TD1/TD2 document number longer than 9
    characters continues in the optional data (the `<` in the check-digit slot left out of its
    check digit). Raises `DocumentRuleError` when a value does not fit its field or holds
    characters outside A-Z, 0-9 and <.
    """
    layout = LAYOUTS[fmt]
    grid = [[FILLER] * layout.line_length for _ in range(layout.line_count)]

    def put(name: str, text: str, *, offset: int = 0) -> None:
        span = layout.field(name).span
        if len(text) + offset > span.length or not set(text) <= MRZ_ALPHABET:
            raise DocumentRuleError(
                f"{name.replace('_', ' ')} {text!r} does not fit a {fmt.value} MRZ",
                source=SOURCE,
                position=span.position,
                field=name,
            )
        for index, char in enumerate(text):
            grid[span.line - 1][span.start - 1 + offset + index] = char

    sex_code = FILLER if sex in (Gender.UNKNOWN, Gender.UNSPECIFIED) else sex.value
    number = document_number.replace(" ", "")
    put("document_code", document_code)
    put("issuing_state", issuing_state)
    put("nationality", nationality)
    put("name", mrz_name_field(family_name, given_names, layout.field("name").span.length))
    put("birth_date", birth_date.strftime("%y%m%d"))
    put("sex", sex_code)
    put("expiry_date", expiry_date.strftime("%y%m%d"))
    if len(number) > 9 and fmt in (MrzFormat.TD1, MrzFormat.TD2):
        # ICAO 9303 part 5 (TD1) / part 6 (TD2): long numbers go on in the optional data.
        put("document_number", number[:9])
        tail = number[9:] + str(check_digit(number))
        put("optional_data", tail)
        put("optional_data", optional_data, offset=len(tail) + (1 if optional_data else 0))
    else:
        put("document_number", number)
        put("optional_data", optional_data)
        slot = layout.field("document_number_check").span
        # Written first: a `<` left in the slot would read as a long-number continuation below.
        grid[slot.line - 1][slot.start - 1] = str(
            check_digit(layout.field("document_number").span.take(["".join(row) for row in grid]))
        )
    if optional_data_2:
        put("optional_data_2", optional_data_2)

    lines = tuple("".join(row) for row in grid)
    for check in resolve_checks(lines, layout):
        covered = check.covered_text(lines)
        digit = str(check_digit(covered))
        if check.may_be_filler_when_empty and set(covered) <= {FILLER}:
            digit = FILLER  # ICAO 9303 part 4: empty personal number, filler check digit
        if check.name == "document number" and len(check.variants) > 1:
            continue  # already written after the number's continuation
        row = grid[check.digit.line - 1]
        row[check.digit.start - 1] = digit
        lines = tuple("".join(r) for r in grid)
    return lines
