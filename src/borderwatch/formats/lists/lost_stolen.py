"""Lost and stolen travel documents, CSV -> `LostStolenDocument` values.

Columns (header required, any order, see docs/formats/lost-stolen.md and the template
src/borderwatch/data/templates/lost_stolen_template.csv):

    issuing_state, document_number, document_type, date_reported, record_id

`issuing_state` is the ICAO code as on the document (`FRA`, `D` for Germany, `GBR`) or an ISO
alpha-2 code; `document_number` as printed (spaces and hyphens are ignored when matching);
`document_type` the ICAO document code (`P`, `ID`...); `date_reported` YYYY-MM-DD; `record_id`
the reporting system's own id (an Interpol SLTD or national record number).

A row without a state or a number cannot be looked up and is an ERROR Problem; an unknown state
code, a bad date or a duplicate record is a WARNING and the row is kept.
"""

from __future__ import annotations

import csv
from datetime import date

from borderwatch.domain.countries import CountryTable
from borderwatch.domain.watchlists import LostStolenDocument, normalise_document_number
from borderwatch.errors import FormatError, Position
from borderwatch.formats.lists.common import decode_csv_text, problem, read_header
from borderwatch.formats.problems import ParseResult

COLUMNS = ("issuing_state", "document_number", "document_type", "date_reported", "record_id")
REQUIRED = ("issuing_state", "document_number")


def parse_lost_stolen(
    data: bytes, *, countries: CountryTable, source: str = "lost_stolen.csv"
) -> ParseResult[LostStolenDocument]:
    """Return the documents of a lost/stolen CSV file, with a Problem for each row not (fully) read."""
    reader, problems = read_header(decode_csv_text(data, source), source, REQUIRED)
    unknown = [name for name in reader.fieldnames or [] if name not in COLUMNS]
    if unknown:
        problems.append(
            problem(
                source,
                f"column(s) {', '.join(unknown)} are not known; ignored",
                line=1,
                field="header",
                warning=True,
            )
        )
    documents: list[LostStolenDocument] = []
    seen: set[tuple[str, str]] = set()
    line = 1
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            raw = ",".join(str(v) for v in row.values() if v is not None)
            if row.get("_extra") or None in row.values():
                problems.append(
                    problem(
                        source,
                        "the row does not have as many fields as the header; not used",
                        line=start,
                        field="row",
                        raw=raw,
                    )
                )
                continue
            state_text = (row.get("issuing_state") or "").strip()
            number = (row.get("document_number") or "").strip()
            if not state_text or not normalise_document_number(number):
                field = "issuing_state" if not state_text else "document_number"
                problems.append(
                    problem(
                        source,
                        f"{field} is empty; the document cannot be looked up",
                        line=start,
                        field=field,
                        raw=raw,
                    )
                )
                continue
            state = countries.canonical(state_text)
            if not countries.is_known(state):
                resolved = countries.resolve(state_text)
                if resolved is None:
                    problems.append(
                        problem(
                            source,
                            f"issuing state {state_text!r} is not an ICAO code; kept as written",
                            line=start,
                            field="issuing_state",
                            raw=raw,
                            warning=True,
                        )
                    )
                else:
                    state = resolved
            reported: date | None = None
            reported_text = (row.get("date_reported") or "").strip()
            if reported_text:
                try:
                    reported = date.fromisoformat(reported_text)
                except ValueError:
                    problems.append(
                        problem(
                            source,
                            f"date_reported {reported_text!r} is not YYYY-MM-DD",
                            line=start,
                            field="date_reported",
                            raw=raw,
                            warning=True,
                        )
                    )
            document = LostStolenDocument(
                issuing_state=state,
                number=number,
                doc_type=(row.get("document_type") or "").strip().upper(),
                reported_on=reported,
                record_id=(row.get("record_id") or "").strip(),
            )
            if document.key in seen:
                problems.append(
                    problem(
                        source,
                        f"document {state} {number} is listed twice",
                        line=start,
                        field="document_number",
                        raw=raw,
                        warning=True,
                    )
                )
            seen.add(document.key)
            documents.append(document)
    except csv.Error as exc:
        raise FormatError(
            f"{source} line {line}: the CSV cannot be read further ({exc})",
            source=source,
            position=Position(line=line),
            reason=f"unreadable CSV: {exc}",
        ) from exc
    return ParseResult(records=tuple(documents), problems=tuple(problems))
