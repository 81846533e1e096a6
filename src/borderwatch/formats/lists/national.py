"""An agency's national watch list, CSV -> list entries with ids `NAT:<agency>:<id>`.

Columns (header required, any order; docs/formats/national-list.md; template
src/borderwatch/data/templates/national_list_template.csv):

    id, family_name, given_names, aliases, birth_date, nationality, gender, document_numbers,
    category, remarks

- `aliases`, `nationality`, `document_numbers`: several values separated by `|`.
- `birth_date`: `YYYY-MM-DD`, `YYYY-MM` or `YYYY`; several separated by `|`.
- `nationality`: ICAO/ISO three-letter code (`MAR`), alpha-2 (`MA`) or English name.
- `gender`: `M`, `F`, `X` or empty.
- `document_numbers`: `NUMBER` or `STATE:NUMBER` (`FRA:12AB34567`); a `P-` or `ID-` prefix before
  the state says passport or identity card (`P-MAR:AB1234567`).
- `category`: `arrest`, `refuse entry` or `monitor` (what the officer must do on a hit).

A row without an id, without any name or with an unknown category is an ERROR Problem (it is not
clear what the officer should do); other trouble is a WARNING and the row is kept.

`write_national_list` writes entries back in this format (a partner's shared subset is kept as a
national list version this way); reading what it wrote gives the same entries.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable
from enum import Enum

from borderwatch.domain.countries import CountryTable
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import (
    DateExactness,
    EntityId,
    EntityKind,
    ListedBirthDate,
    ListedDocument,
    ListedName,
    ListEntry,
    ListSource,
    NameQuality,
)
from borderwatch.errors import FormatError, Position
from borderwatch.formats.lists.common import (
    ParsedList,
    clean,
    content_hash,
    decode_csv_text,
    detect_script,
    problem,
    read_header,
    resolve_country,
)
from borderwatch.formats.lists.ftm import parse_ftm_date
from borderwatch.formats.problems import Problem

COLUMNS = (
    "id",
    "family_name",
    "given_names",
    "aliases",
    "birth_date",
    "nationality",
    "gender",
    "document_numbers",
    "category",
    "remarks",
)
REQUIRED = ("id", "family_name", "given_names", "category")


class NationalCategory(Enum):
    """What the officer must do when a traveller matches a national list entry."""

    ARREST = "arrest"
    REFUSE_ENTRY = "refuse entry"
    MONITOR = "monitor"

    @classmethod
    def from_text(cls, text: str) -> NationalCategory | None:
        """Return the category for `arrest`, `refuse entry` / `refuse_entry`, `monitor`; else None."""
        value = " ".join(text.strip().lower().replace("_", " ").replace("-", " ").split())
        return next((member for member in cls if member.value == value), None)


_DOCUMENT = re.compile(r"^(?:(?P<kind>P|ID)-)?(?:(?P<state>[A-Za-z]{1,3}):)?(?P<number>.+)$")


def _split(value: str | None) -> list[str]:
    return [clean(part) for part in (value or "").split("|") if clean(part)]


def parse_national_list(
    data: bytes, *, agency: str, countries: CountryTable, source: str = "national_list.csv"
) -> ParsedList:
    """Return the entries of a national watch-list CSV of `agency`, with a Problem for each row not read."""
    agency_code = agency.strip().upper()
    if not re.fullmatch(r"[A-Z0-9_-]{1,20}", agency_code):
        raise FormatError(
            f"agency code {agency!r} must be 1-20 letters or digits", source=source, field="agency"
        )
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
    entries: list[ListEntry] = []
    seen: set[str] = set()
    line = 1
    try:
        for row in reader:
            start, line = line + 1, reader.line_num
            entry = _row(row, start, agency_code, countries, source, problems)
            if entry is None:
                continue
            if entry.entity_id in seen:
                problems.append(
                    problem(
                        source,
                        f"id {entry.entity_id} appears twice; the second row is not used",
                        line=start,
                        field="id",
                        raw=entry.primary_name,
                    )
                )
                continue
            seen.add(entry.entity_id)
            entries.append(entry)
    except csv.Error as exc:
        raise FormatError(
            f"{source} line {line}: the CSV cannot be read further ({exc})",
            source=source,
            position=Position(line=line),
            reason=f"unreadable CSV: {exc}",
        ) from exc
    return ParsedList(
        name=f"National watch list ({agency_code})",
        kind=ListSource.NATIONAL,
        entries=tuple(entries),
        source_date=None,  # the file carries none; the service records when it was imported
        problems=tuple(problems),
        content_hash=content_hash(data),
        file_name=source,
    )


def _row(
    row: dict[str, str | None],
    line: int,
    agency: str,
    countries: CountryTable,
    source: str,
    problems: list[Problem],
) -> ListEntry | None:
    raw = ",".join(str(v) for v in row.values() if v is not None)
    if row.get("_extra") or None in row.values():
        problems.append(
            problem(
                source,
                "the row does not have as many fields as the header; not used",
                line=line,
                field="row",
                raw=raw,
            )
        )
        return None
    record_id = clean(row.get("id"))
    family, given = clean(row.get("family_name")), clean(row.get("given_names"))
    subject = f"NAT {agency} {record_id} {family}/{given}".strip()

    def error(field: str, reason: str) -> None:
        problems.append(problem(source, reason, line=line, field=field, raw=raw, subject=subject))

    def warn(field: str, reason: str) -> None:
        problems.append(
            problem(source, reason, line=line, field=field, raw=raw, subject=subject, warning=True)
        )

    if not record_id:
        error("id", "id is empty: the entry cannot be identified")
        return None
    if not family and not given:
        error("family_name", "family_name and given_names are both empty")
        return None
    category = NationalCategory.from_text(row.get("category") or "")
    if category is None:
        error("category", f"category {row.get('category')!r} is not one of arrest, refuse entry, monitor")
        return None
    full = " ".join(part for part in (given, family) if part)
    names = [
        ListedName(
            full, NameQuality.PRIMARY, given_names=given, family_name=family, script=detect_script(full)
        )
    ]
    names += [
        ListedName(alias, NameQuality.STRONG_ALIAS, script=detect_script(alias))
        for alias in _split(row.get("aliases"))
    ]
    birth_dates: list[ListedBirthDate] = []
    for text in _split(row.get("birth_date")):
        span = parse_ftm_date(text)
        if span is None:
            warn("birth_date", f"birth date {text!r} is not YYYY-MM-DD, YYYY-MM or YYYY")
        else:
            birth_dates.append(span)
    nationalities: list[str] = []
    for text in _split(row.get("nationality")):
        code = resolve_country(countries, text.upper() if len(text) <= 3 else text)
        if code is None:
            warn("nationality", f"nationality {text!r} is not a known country code or name")
        else:
            nationalities.append(code)
    gender_text = clean(row.get("gender"))
    gender = Gender.from_code(gender_text)
    if gender_text and gender is Gender.UNKNOWN:
        warn("gender", f"gender {gender_text!r} is not M, F or X")
    documents: list[ListedDocument] = []
    for text in _split(row.get("document_numbers")):
        match = _DOCUMENT.match(text)
        if match is None:  # pragma: no cover - the pattern accepts any non-empty text
            continue
        state_text = match.group("state") or ""
        state = ""
        if state_text:
            state = resolve_country(countries, state_text.upper()) or ""
            if not state:
                warn("document_numbers", f"issuing state {state_text!r} of document {text!r} is not known")
        kind = {"P": "passport", "ID": "national id"}.get(match.group("kind") or "", "")
        documents.append(
            ListedDocument(number=match.group("number").strip(), kind=kind, issuing_country=state)
        )
    return ListEntry(
        entity_id=EntityId(f"NAT:{agency}:{record_id}"),
        source=ListSource.NATIONAL,
        kind=EntityKind.PERSON,
        names=tuple(names),
        birth_dates=tuple(birth_dates),
        nationalities=tuple(dict.fromkeys(nationalities)),
        gender=gender,
        documents=tuple(documents),
        category=category.value,
        remarks=clean(row.get("remarks")),
    )


_KIND_PREFIX = {"passport": "P-", "national id": "ID-"}


def document_parts(text: str) -> tuple[str, str, str]:
    """Return (kind prefix `P`/`ID`/empty, issuing-state text, number) of a `document_numbers` value."""
    match = _DOCUMENT.match(text.strip())
    if match is None:
        return "", "", text.strip()
    return match.group("kind") or "", match.group("state") or "", match.group("number").strip()


def record_id(entry: ListEntry) -> str:
    """Return the agency's own record number of a national entry (`NAT:UKBF:2024-7` -> `2024-7`)."""
    parts = str(entry.entity_id).split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == ListSource.NATIONAL.value else str(entry.entity_id)


def _birth_date_text(span: ListedBirthDate) -> str:
    # The source's own wording round-trips when it is one of the three forms the format reads.
    if span.text and parse_ftm_date(span.text) == span:
        return span.text
    if span.exactness is DateExactness.MONTH:
        return span.earliest.isoformat()[:7]
    if span.exactness is DateExactness.YEAR:
        return str(span.earliest.year)
    return span.earliest.isoformat()  # exact; a range or circa date keeps its first possible day


def _document_text(document: ListedDocument) -> str:
    state = f"{document.issuing_country}:" if document.issuing_country else ""
    return f"{_KIND_PREFIX.get(document.kind, '')}{state}{document.number}"


def national_row(entry: ListEntry) -> dict[str, str]:
    """Return one entry as a national-list CSV row (column -> text), the inverse of reading a row.

    Aliases are the names other than the primary one; several values are joined with `|`.
    """
    primary = next((n for n in entry.names if n.quality is NameQuality.PRIMARY), None)
    aliases = [n.full_name for n in entry.names if n is not primary]
    return {
        "id": record_id(entry),
        "family_name": primary.family_name if primary else "",
        "given_names": primary.given_names if primary else "",
        "aliases": "|".join(aliases),
        "birth_date": "|".join(_birth_date_text(d) for d in entry.birth_dates),
        "nationality": "|".join(entry.nationalities),
        "gender": "" if entry.gender is Gender.UNKNOWN else entry.gender.value,
        "document_numbers": "|".join(_document_text(d) for d in entry.documents),
        "category": entry.category,
        "remarks": entry.remarks,
    }


def write_national_rows(rows: Iterable[dict[str, str]]) -> bytes:
    """Return national-list CSV bytes (header, UTF-8) for rows keyed by column; missing columns stay empty."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in rows:
        writer.writerow({column: row.get(column, "") for column in COLUMNS})
    return out.getvalue().encode("utf-8")


def write_national_list(entries: Iterable[ListEntry]) -> bytes:
    """Return national-list CSV bytes holding the entries, in the format `parse_national_list` reads.

    The record number is the part of the entity id after `NAT:<agency>:`, so reading the bytes
    back for the same agency gives the same ids.
    """
    return write_national_rows(national_row(entry) for entry in entries)
