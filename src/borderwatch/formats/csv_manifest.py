"""CSV manifests: one flight's travellers from partners that cannot send EDIFACT PAXLST.

One file is one flight. Every row is one traveller and repeats the flight columns (carrier,
number, ports, dates): a clerk fills them with the spreadsheet's fill-down, every row stands on
its own when sorted or filtered, and no header block breaks CSV tools. The parser checks that
every row names the same flight. Columns are documented in docs/formats/csv-manifest.md; the
template is `borderwatch/data/templates/manifest_template.csv`.

Untrusted input: a bad row becomes an error `Problem` (row, line, column, reason, raw row) and
the other rows are kept; a file that cannot be read as a whole (not UTF-8, not CSV, no header,
a required column missing, no readable flight) raises `FormatError`.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time

from borderwatch.domain.travellers import (
    DocumentType,
    Flight,
    Gender,
    Manifest,
    MessageKind,
    TravelDocument,
    Traveller,
    TravellerRole,
)
from borderwatch.errors import FormatError, Position
from borderwatch.formats.problems import ParseResult, Problem, Severity

FLIGHT_COLUMNS = (
    "carrier",
    "flight_number",
    "departure_port",
    "arrival_port",
    "departure_date",
    "departure_time",
    "arrival_date",
    "arrival_time",
)
TRAVELLER_COLUMNS = (
    "role",
    "family_name",
    "given_names",
    "birth_date",
    "gender",
    "nationality",
    "document_type",
    "document_number",
    "document_issuing_state",
    "document_expiry",
    "seat",
    "record_locator",
)
COLUMNS = FLIGHT_COLUMNS + TRAVELLER_COLUMNS
REQUIRED_COLUMNS = frozenset(
    {
        "carrier",
        "flight_number",
        "departure_port",
        "arrival_port",
        "departure_date",
        "family_name",
        "given_names",
        "birth_date",
        "document_number",
    }
)
_CODE = re.compile(r"^[A-Z]{3}$|^D$")  # ICAO 9303 part 3: three letters, or D for Germany
_PORT = re.compile(r"^[A-Z]{3}$")  # IATA airport code
_CARRIER = re.compile(r"^[A-Z0-9]{2}[A-Z]?$")  # IATA (2) or ICAO (3) airline designator
_FLIGHT_NUMBER = re.compile(r"^[0-9]{1,4}[A-Z]?$")
_DOCUMENT_NUMBER = re.compile(r"^[A-Z0-9]{1,20}$")
_SEAT = re.compile(r"^[0-9]{1,3}[A-Z]$")
_LOCATOR = re.compile(r"^[A-Z0-9]{5,8}$")
_ROLES = {
    "passenger": TravellerRole.PASSENGER,
    "crew": TravellerRole.CREW,
    "in_transit": TravellerRole.IN_TRANSIT,
}
_DOCUMENT_TYPES = {"P": DocumentType.PASSPORT, "I": DocumentType.ID_CARD, "V": DocumentType.VISA}
_DOCUMENT_TYPES.update(
    {"R": DocumentType.RESIDENCE_PERMIT, "C": DocumentType.CREW_CARD, "O": DocumentType.OTHER}
)


def _column_key(header: str) -> str:
    return "_".join(header.strip().lower().replace("-", " ").split())


@dataclass(frozen=True, slots=True)
class _Row:
    number: int  # 1 = first row after the header
    line: int  # physical line in the file
    cells: dict[str, str]
    raw: str
    cell_count: int


class _RowErrors:
    """Collects the problems of one row."""

    def __init__(self, source: str, row: _Row, columns: Sequence[str]) -> None:
        self.source = source
        self.row = row
        self.columns = columns
        self.problems: list[Problem] = []

    def add(self, column: str, reason: str, severity: Severity = Severity.ERROR) -> None:
        index = self.columns.index(column) + 1 if column in self.columns else None
        who = f"{self.row.cells.get('family_name', '')}/{self.row.cells.get('given_names', '')}".strip("/")
        self.problems.append(
            Problem(
                self.source,
                Position(line=self.row.line, column=index, record=self.row.number),
                column,
                f"row {self.row.number}, column {column}: {reason}",
                self.row.raw,
                severity,
                subject=f"traveller {who}" if who else f"row {self.row.number}",
            )
        )

    @property
    def has_errors(self) -> bool:
        return any(p.severity is Severity.ERROR for p in self.problems)


def parse_csv_manifest(data: bytes, *, source: str) -> ParseResult[Manifest]:
    """Return the flight's manifest (good rows) and a problem for each bad row.

    Raises `FormatError` when the file cannot be read as a whole.
    """
    text = _decode(data, source)
    rows, columns = _read_rows(text, source)
    problems: list[Problem] = []
    unknown = [c for c in columns if c and c not in COLUMNS]
    if unknown:
        problems.append(
            Problem(
                source,
                Position(line=1),
                ", ".join(unknown),
                f"unknown column(s) ignored: {', '.join(unknown)}",
                severity=Severity.WARNING,
            )
        )

    flight: Flight | None = None
    flight_row = 0
    travellers: list[Traveller] = []
    for row in rows:
        errors = _RowErrors(source, row, columns)
        if row.cell_count != len(columns):
            errors.add("", f"has {row.cell_count} cells; the header has {len(columns)}")
            problems.extend(errors.problems)
            continue
        row_flight = _read_flight(row, errors)
        traveller = _read_traveller(row, errors)
        if row_flight is not None:
            if flight is None:
                flight, flight_row = row_flight, row.number
            elif row_flight != flight:
                errors.add(
                    "flight_number",
                    f"flight {row_flight.key} differs from {flight.key} on row {flight_row}; "
                    "one file holds one flight",
                )
        problems.extend(errors.problems)
        if traveller is not None and not errors.has_errors:
            travellers.append(traveller)
    if flight is None:
        raise FormatError(
            f"{source}: no row names a readable flight (carrier, flight_number, ports, departure_date)",
            source=source,
            position=Position(line=2),
            field="flight_number",
            reason="no readable flight",
        )
    manifest = Manifest(kind=MessageKind.CSV_MANIFEST, flight=flight, travellers=tuple(travellers))
    return ParseResult((manifest,), tuple(problems))


def _decode(data: bytes, source: str) -> str:
    if not data.strip():
        raise FormatError(
            f"{source}: the file is empty; a header row is needed", source=source, position=Position(line=1)
        )
    if b"\x00" in data[:4096]:
        raise FormatError(
            f"{source}: binary data (NUL bytes), not a CSV text file",
            source=source,
            position=Position(offset=data.index(b"\x00")),
        )
    try:
        # UTF-8, with or without the byte-order mark spreadsheet programs write.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FormatError(
            f"{source}: not UTF-8 at byte {exc.start} (line {line}); save the file as 'CSV UTF-8'",
            source=source,
            position=Position(line=line, offset=exc.start),
            reason="wrong encoding",
        ) from exc


def _read_rows(text: str, source: str) -> tuple[list[_Row], list[str]]:
    first_line = text.splitlines()[0] if text.splitlines() else ""
    # Spreadsheets set to a comma decimal separator export with semicolons.
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None or not any(cell.strip() for cell in header):
            raise FormatError(f"{source}: no header row", source=source, position=Position(line=1))
        columns = [_column_key(cell) for cell in header]
        missing = sorted(REQUIRED_COLUMNS - set(columns))
        if missing:
            raise FormatError(
                f"{source}: no header row with the manifest columns; missing {', '.join(missing)} "
                "(see docs/formats/csv-manifest.md)",
                source=source,
                position=Position(line=1),
                field=missing[0],
                reason="missing columns",
            )
        rows: list[_Row] = []
        number = 0
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                continue  # blank rows between travellers
            number += 1
            named = {col: cells[i].strip() for i, col in enumerate(columns) if i < len(cells)}
            rows.append(_Row(number, reader.line_num, named, delimiter.join(cells), len(cells)))
    except csv.Error as exc:
        raise FormatError(
            f"{source}: not readable as CSV at line {reader.line_num}: {exc}",
            source=source,
            position=Position(line=reader.line_num),
            reason=str(exc),
        ) from exc
    return rows, columns


def _read_date(value: str, column: str, errors: _RowErrors, *, required: bool) -> date | None:
    if not value:
        if required:
            errors.add(column, "is empty")
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        errors.add(column, f"{value!r} is not a date written YYYY-MM-DD")
        return None


def _read_time(value: str, column: str, errors: _RowErrors) -> time | None:
    if not value:
        return None
    try:
        return time.fromisoformat(value)
    except ValueError:
        errors.add(column, f"{value!r} is not a time written HH:MM (24-hour, local time)")
        return None


def _upper(row: _Row, column: str) -> str:
    return row.cells.get(column, "").upper().replace(" ", "")


def _read_flight(row: _Row, errors: _RowErrors) -> Flight | None:
    before = len(errors.problems)
    carrier, number = _upper(row, "carrier"), _upper(row, "flight_number").lstrip("0") or "0"
    departure, arrival = _upper(row, "departure_port"), _upper(row, "arrival_port")
    if not _CARRIER.match(carrier):
        errors.add("carrier", f"{carrier!r} is not an airline designator (2 or 3 characters, e.g. AT)")
    if not _FLIGHT_NUMBER.match(number):
        errors.add(
            "flight_number", f"{row.cells.get('flight_number', '')!r} is not a flight number (e.g. 800)"
        )
    for column, port in (("departure_port", departure), ("arrival_port", arrival)):
        if not _PORT.match(port):
            errors.add(column, f"{port!r} is not a three-letter IATA airport code")
    day = _read_date(row.cells.get("departure_date", ""), "departure_date", errors, required=True)
    at = _read_time(row.cells.get("departure_time", ""), "departure_time", errors)
    arrival_day = _read_date(row.cells.get("arrival_date", ""), "arrival_date", errors, required=False)
    arrival_at = _read_time(row.cells.get("arrival_time", ""), "arrival_time", errors)
    if len(errors.problems) != before or day is None:
        return None
    return Flight(
        carrier,
        number,
        departure,
        arrival,
        datetime.combine(day, at or time(0, 0)),
        datetime.combine(arrival_day, arrival_at or time(0, 0)) if arrival_day else None,
    )


def _read_traveller(row: _Row, errors: _RowErrors) -> Traveller | None:
    cells = row.cells
    role_text = cells.get("role", "").strip().lower().replace(" ", "_") or "passenger"
    role = _ROLES.get(role_text)
    if role is None:
        errors.add("role", f"{cells.get('role', '')!r} must be passenger or crew (or in_transit)")
    family = " ".join(cells.get("family_name", "").split())
    given = " ".join(cells.get("given_names", "").split())
    if not family and not given:
        errors.add("family_name", "family_name and given_names are both empty")
    birth = _read_date(cells.get("birth_date", ""), "birth_date", errors, required=True)
    gender_text = cells.get("gender", "").strip().upper()
    gender = Gender.from_code(gender_text)
    if gender_text and gender is Gender.UNKNOWN:
        errors.add("gender", f"{gender_text!r} must be M, F or X (or empty)")
    codes: dict[str, str] = {}
    for column in ("nationality", "document_issuing_state"):
        code = _upper(row, column).rstrip("<")
        if code and not _CODE.match(code):
            errors.add(column, f"{code!r} is not a three-letter ICAO country code (e.g. MAR, GBR, D)")
        codes[column] = code
    doc_type_text = _upper(row, "document_type") or "P"
    doc_type = _DOCUMENT_TYPES.get(doc_type_text[:1])
    if doc_type is None:
        errors.add("document_type", f"{doc_type_text!r} must be P, I, V, R, C or O")
    number = _upper(row, "document_number")
    if not _DOCUMENT_NUMBER.match(number):
        errors.add("document_number", f"{cells.get('document_number', '')!r} must be 1-20 letters and digits")
    expiry = _read_date(cells.get("document_expiry", ""), "document_expiry", errors, required=False)
    seat = _upper(row, "seat")
    if seat and not _SEAT.match(seat):
        errors.add("seat", f"{seat!r} is not a seat (row number and letter, e.g. 12A)")
    locator = _upper(row, "record_locator")
    if locator and not _LOCATOR.match(locator):
        errors.add("record_locator", f"{locator!r} is not a booking reference (5-8 letters and digits)")
    if errors.has_errors or role is None or doc_type is None:
        return None
    document = TravelDocument(
        doc_type=doc_type,
        number=number,
        issuing_state=codes["document_issuing_state"],
        expiry_date=expiry,
        nationality=codes["nationality"],
        code=doc_type.value,
    )
    return Traveller(
        family_name=family.upper(),
        given_names=given.upper(),
        birth_date=birth,
        gender=gender,
        nationality=codes["nationality"],
        role=role,
        documents=(document,),
        seat=seat.lstrip("0"),
        record_locator=locator,
    )


def write_csv_manifest(manifest: Manifest) -> bytes:
    """Return the manifest as a CSV file of this format (UTF-8, comma, header row first)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    flight = manifest.flight
    flight_cells = [
        flight.carrier,
        flight.number,
        flight.departure_port,
        flight.arrival_port,
        flight.departure_time.date().isoformat() if flight.departure_time else "",
        flight.departure_time.strftime("%H:%M") if flight.departure_time else "",
        flight.arrival_time.date().isoformat() if flight.arrival_time else "",
        flight.arrival_time.strftime("%H:%M") if flight.arrival_time else "",
    ]
    for traveller in manifest.travellers:
        doc = traveller.main_document
        writer.writerow(
            [
                *flight_cells,
                traveller.role.value,
                traveller.family_name,
                traveller.given_names,
                traveller.birth_date.isoformat() if traveller.birth_date else "",
                "" if traveller.gender is Gender.UNKNOWN else traveller.gender.value,
                traveller.nationality,
                doc.doc_type.value if doc else "",
                doc.number if doc else "",
                doc.issuing_state if doc else "",
                doc.expiry_date.isoformat() if doc and doc.expiry_date else "",
                traveller.seat,
                traveller.record_locator,
            ]
        )
    return out.getvalue().encode("utf-8")
