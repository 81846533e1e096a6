"""OpenSanctions / FollowTheMoney (FtM) entity files, one JSON object a line -> list entries.

Each line is an FtM entity: `{"id", "schema", "properties": {name: [strings]}, "datasets",
"first_seen", "last_seen", ...}`. Lines are validated with pydantic at the edge and then turned
into domain values; a line that is not JSON or not an entity is an ERROR Problem with its line.

- Person -> person; Organization, Company, LegalEntity -> organisation; Vessel, Airplane too.
- Passport and Identification entities point at their person through `holder`: they become that
  person's documents (number, country, type). Sanction entities point through `entity`: their
  `program` and `listingDate`/`startDate` become the entry's programs and listing date.
- Names: the first `name` is the primary name, further `name` values strong aliases (or
  ORIGINAL_SCRIPT when written in another script than Latin); `alias` -> STRONG_ALIAS,
  `weakAlias` -> WEAK_ALIAS, `previousName` -> FORMER. `firstName`/`middleName`/`lastName` give the
  primary name's given and family names.
- Countries are FtM's lower-case ISO alpha-2 codes (`ir`, `ru`), resolved to alpha-3.
- Dates are ISO prefixes (`1970`, `1970-05`, `1970-05-03`): year, month or day.
- Entities of other schemata (Address, Ownership...) are not watch-list entries; each such schema
  gets one warning saying how many lines were not used.
- Id: `FTM:<entity id>`.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, ValidationError

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
from borderwatch.formats.lists.common import (
    ParsedList,
    clean,
    content_hash,
    detect_script,
    month_span,
    plausible_year,
    problem,
    resolve_country,
    year_span,
)
from borderwatch.formats.problems import Problem

LIST_NAME = "OpenSanctions (FollowTheMoney entities)"

_ENTRY_SCHEMATA: dict[str, EntityKind] = {
    "Person": EntityKind.PERSON,
    "Organization": EntityKind.ORGANIZATION,
    "Company": EntityKind.ORGANIZATION,
    "LegalEntity": EntityKind.ORGANIZATION,
    "PublicBody": EntityKind.ORGANIZATION,
    "Vessel": EntityKind.VESSEL,
    "Airplane": EntityKind.AIRCRAFT,
}
_DOCUMENT_SCHEMATA = {"Passport": "passport", "Identification": "national id"}
_NAME_PROPERTIES = (
    ("alias", NameQuality.STRONG_ALIAS),
    ("weakAlias", NameQuality.WEAK_ALIAS),
    ("previousName", NameQuality.FORMER),
)
_GENDERS = {"male": Gender.MALE, "female": Gender.FEMALE, "other": Gender.UNSPECIFIED}
_MAX_LINE = 5_000_000  # bytes; an FtM entity line is a few kilobytes, a larger one is not an entity


class FtmEntity(BaseModel):
    """One line of an FtM entity file, as validated at the edge."""

    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)

    id: str = Field(min_length=1, max_length=1000)
    schema_name: str = Field(alias="schema", min_length=1, max_length=100)
    properties: dict[str, list[str]] = Field(default_factory=dict)
    datasets: list[str] = Field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def values(self, name: str) -> list[str]:
        """Return the cleaned, non-empty values of a property."""
        return [text for value in self.properties.get(name, []) if (text := clean(value))]


@dataclass(slots=True)
class _Pending:
    entity: FtmEntity
    line: int
    kind: EntityKind
    documents: list[ListedDocument] = field(default_factory=list)
    programs: list[str] = field(default_factory=list)
    listed_on: list[date] = field(default_factory=list)


def parse_ftm_date(text: str) -> ListedBirthDate | None:
    """Return the span of an FtM date (`1970`, `1970-05`, `1970-05-03`, or longer ISO), or None."""
    value = text.strip()
    try:
        if re.fullmatch(r"\d{4}", value):
            return year_span(int(value), value)
        if re.fullmatch(r"\d{4}-\d{2}", value):
            year, month = (int(part) for part in value.split("-"))
            return month_span(year, month, value) if 1 <= month <= 12 else None
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}([T ].*)?", value):
            day = date.fromisoformat(value[:10])
            return ListedBirthDate(day, day, DateExactness.EXACT, value[:10])
    except ValueError:
        return None
    return None


def _read_lines(data: bytes, source: str, problems: list[Problem]) -> list[tuple[int, FtmEntity]]:
    entities: list[tuple[int, FtmEntity]] = []
    for number, raw_line in enumerate(data.splitlines(), start=1):
        if not raw_line.strip():
            continue
        fragment = raw_line[:300].decode("utf-8", errors="replace")
        if len(raw_line) > _MAX_LINE:
            problems.append(
                problem(source, f"line is longer than {_MAX_LINE} bytes; not used", line=number, raw=fragment)
            )
            continue
        try:
            payload = json.loads(raw_line)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(problem(source, f"not a JSON object: {exc}", line=number, raw=fragment))
            continue
        try:
            entity = FtmEntity.model_validate(payload)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(part) for part in first["loc"])
            problems.append(
                problem(
                    source,
                    f"not an FtM entity: {where}: {first['msg']}",
                    line=number,
                    field=where,
                    raw=fragment,
                )
            )
            continue
        entities.append((number, entity))
    return entities


def _country(countries: CountryTable, code: str) -> str | None:
    text = code.strip()
    if len(text) == 2:
        return countries.resolve(text.upper())
    return countries.resolve(text.upper() if len(text) == 3 else text) or resolve_country(countries, text)


def parse_ftm(data: bytes, *, countries: CountryTable, source: str = "entities.ftm.json") -> ParsedList:
    """Return the list entries of an FtM JSON-lines file, with a Problem for each line not used."""
    problems: list[Problem] = []
    entities = _read_lines(data, source, problems)
    pending: dict[str, _Pending] = {}
    references: list[tuple[int, FtmEntity]] = []
    skipped: dict[str, list[int]] = defaultdict(list)
    for line, entity in entities:
        kind = _ENTRY_SCHEMATA.get(entity.schema_name)
        if kind is not None:
            if entity.id in pending:
                problems.append(
                    problem(
                        source,
                        f"entity {entity.id} appears twice; the second line is not used",
                        line=line,
                        field="id",
                        raw=entity.id,
                    )
                )
                continue
            pending[entity.id] = _Pending(entity, line, kind)
        elif entity.schema_name in _DOCUMENT_SCHEMATA or entity.schema_name == "Sanction":
            references.append((line, entity))
        else:
            skipped[entity.schema_name].append(line)
    for schema, lines in skipped.items():
        problems.append(
            problem(
                source,
                f"{len(lines)} {schema} entities are not watch-list entries; not used",
                line=lines[0],
                field="schema",
                raw=schema,
                warning=True,
            )
        )
    for line, entity in references:
        _attach(entity, line, pending, countries, source, problems)
    entries: list[ListEntry] = []
    for item in pending.values():
        entry = _entry(item, countries, source, problems)
        if entry is not None:
            entries.append(entry)
    seen = [e.last_seen for _, e in entities if e.last_seen is not None]
    return ParsedList(
        name=LIST_NAME,
        kind=ListSource.FTM,
        entries=tuple(entries),
        source_date=max(seen) if seen else None,
        problems=tuple(problems),
        content_hash=content_hash(data),
        file_name=source,
    )


def _attach(
    entity: FtmEntity,
    line: int,
    pending: dict[str, _Pending],
    countries: CountryTable,
    source: str,
    problems: list[Problem],
) -> None:
    """Add a Passport/Identification to its holder, or a Sanction's program to its entity."""
    link = "entity" if entity.schema_name == "Sanction" else "holder"
    targets = entity.values(link)
    known = [pending[t] for t in targets if t in pending]
    if not known:
        problems.append(
            problem(
                source,
                f"{entity.schema_name} {entity.id} points at {link} {targets or '(none)'}, "
                "which is not in the file; not used",
                line=line,
                field=link,
                raw=entity.id,
            )
        )
        return
    if entity.schema_name == "Sanction":
        for target in known:
            target.programs.extend(entity.values("program") or entity.values("programId"))
            for text in entity.values("listingDate") + entity.values("startDate"):
                span = parse_ftm_date(text)
                if span is not None:
                    target.listed_on.append(span.earliest)
        return
    numbers = entity.values("number") + entity.values("passportNumber")
    if not numbers:
        problems.append(
            problem(
                source,
                f"{entity.schema_name} {entity.id} has no number; not used",
                line=line,
                field="number",
                raw=entity.id,
                warning=True,
            )
        )
        return
    country_text = (entity.values("country") or [""])[0]
    code = _country(countries, country_text) if country_text else None
    if country_text and code is None:
        problems.append(
            problem(
                source,
                f"country {country_text!r} is not known",
                line=line,
                field="country",
                raw=country_text,
                warning=True,
            )
        )
    note = "; ".join(
        f"{label} {value}"
        for label, prop in (
            ("type", "type"),
            ("issued", "startDate"),
            ("expires", "endDate"),
            ("by", "authority"),
        )
        for value in entity.values(prop)
    )
    for target in known:
        for number in numbers:
            target.documents.append(
                ListedDocument(
                    number=number,
                    kind=_DOCUMENT_SCHEMATA[entity.schema_name],
                    issuing_country=code or "",
                    note=note,
                )
            )


def _entry(item: _Pending, countries: CountryTable, source: str, problems: list[Problem]) -> ListEntry | None:
    entity, line = item.entity, item.line
    names_written = entity.values("name")
    subject = f"FTM {entity.id} {names_written[0] if names_written else ''}".strip()

    def warn(field_name: str, reason: str, raw: str) -> None:
        problems.append(
            problem(source, reason, line=line, field=field_name, raw=raw, subject=subject, warning=True)
        )

    if not names_written:
        problems.append(
            problem(
                source,
                f"{entity.schema_name} {entity.id} has no name; not used",
                line=line,
                field="properties.name",
                raw=entity.id,
                subject=subject,
            )
        )
        return None
    names: list[ListedName] = []
    first = names_written[0]
    given = " ".join(entity.values("firstName") + entity.values("secondName") + entity.values("middleName"))
    family = " ".join(entity.values("lastName"))
    names.append(
        ListedName(
            first, NameQuality.PRIMARY, given_names=given, family_name=family, script=detect_script(first)
        )
    )
    for other in names_written[1:]:
        script = detect_script(other)
        quality = NameQuality.ORIGINAL_SCRIPT if script not in ("Latn", "") else NameQuality.STRONG_ALIAS
        names.append(ListedName(other, quality, script=script))
    for prop, quality in _NAME_PROPERTIES:
        names.extend(ListedName(value, quality, script=detect_script(value)) for value in entity.values(prop))
    birth_dates: list[ListedBirthDate] = []
    for text in entity.values("birthDate"):
        span = parse_ftm_date(text)
        if span is None or not plausible_year(span.earliest.year):
            warn(
                "properties.birthDate", f"birth date {text!r} is not an ISO date between 1850 and 2100", text
            )
        else:
            birth_dates.append(span)
    nationalities: list[str] = []
    for text in entity.values("nationality") + entity.values("citizenship"):
        code = _country(countries, text)
        if code is None:
            warn("properties.nationality", f"country {text!r} is not known; not resolved", text)
        else:
            nationalities.append(code)
    genders = {_GENDERS.get(value.lower(), Gender.UNKNOWN) for value in entity.values("gender")}
    documents = list(item.documents)
    documents += [ListedDocument(number=n, kind="passport") for n in entity.values("passportNumber")]
    documents += [ListedDocument(number=n, kind="national id") for n in entity.values("idNumber")]
    remarks = entity.values("notes")
    if entity.values("topics"):
        remarks.append("Topics: " + ", ".join(entity.values("topics")))
    if entity.datasets:
        remarks.append("Datasets: " + ", ".join(entity.datasets))
    if entity.first_seen:
        remarks.append(f"First seen {entity.first_seen.date().isoformat()}")
    listed = sorted(item.listed_on)
    return ListEntry(
        entity_id=EntityId(f"FTM:{entity.id}"),
        source=ListSource.FTM,
        kind=item.kind,
        names=tuple(dict.fromkeys(names)),
        birth_dates=tuple(dict.fromkeys(birth_dates)),
        nationalities=tuple(dict.fromkeys(nationalities)),
        gender=genders.pop() if len(genders) == 1 else Gender.UNKNOWN,
        documents=tuple(dict.fromkeys(documents)),
        birth_places=tuple(entity.values("birthPlace")),
        listed_on=listed[0] if listed else None,
        programs=tuple(dict.fromkeys(item.programs + entity.values("programId"))),
        remarks="; ".join(remarks),
        reference_url=(entity.values("sourceUrl") or [""])[0],
        addresses=tuple(entity.values("address")),
    )
