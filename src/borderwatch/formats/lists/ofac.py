"""OFAC SDN list, legacy CSV files (sdn.csv, alt.csv, add.csv) -> list entries.

The legacy format (see docs/formats/ofac.md and ../shared/data/lists/SOURCES.md): no header, CRLF
line ends, a lone Ctrl-Z (0x1A) byte as the last line, empty fields written `-0- `, text fields
double-quoted. sdn.csv columns: ent_num, SDN_Name, SDN_Type, Program, Title, Call_Sign, Vess_type,
Tonnage, GRT, Vess_flag, Vess_owner, Remarks. alt.csv: ent_num, alt_num, alt_type, alt_name,
alt_remarks. add.csv: ent_num, add_num, address, city/state/postal code, country, add_remarks.

- Id: `OFAC:<ent_num>`. SDN_Type `individual` -> person, `-0-` -> organisation, `vessel`, `aircraft`.
- Individuals are named `LAST, Given Names`: the part before the first comma is the family name.
  Names keep the list's own writing in `full_name`.
- alt.csv: `aka` and `nka` (now known as) -> STRONG_ALIAS, `fka` -> FORMER. The remarks' own
  `a.k.a. 'NAME'` clauses are OFAC's weak aliases -> WEAK_ALIAS.
- Remarks are `; `-separated clauses. Read: DOB (`01 Jan 1970`, `Jan 1970`, `1970`, `circa 1970`,
  `1965 to 1967`, `circa 1979-1982`, each also as `alt. DOB`), POB, nationality, citizen, Gender,
  passports and identity numbers with their issuing country. The full remarks stay in `remarks`.
- A row that cannot be read (wrong column count, ent_num not a number) is an ERROR Problem with its
  line number; every other row is kept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date

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
    detect_script,
    month_number,
    month_span,
    plausible_year,
    problem,
    resolve_country,
    widen_one_year,
    year_span,
)
from borderwatch.formats.problems import Problem

LIST_NAME = "OFAC Specially Designated Nationals and Blocked Persons List"
OFAC_ENTRY_URL = "https://sanctionssearch.ofac.treas.gov/Details.aspx?id={ent_num}"

_SDN_COLUMNS = 12
_ALT_COLUMNS = 5
_ADD_COLUMNS = 6
_REMARKS_LIMIT = 1000  # the legacy file cuts remarks here; the rest is in sdn_comments.csv

_KINDS: dict[str, EntityKind] = {
    "individual": EntityKind.PERSON,
    "": EntityKind.ORGANIZATION,
    "vessel": EntityKind.VESSEL,
    "aircraft": EntityKind.AIRCRAFT,
}
_ALT_QUALITY: dict[str, NameQuality] = {
    "aka": NameQuality.STRONG_ALIAS,
    "nka": NameQuality.STRONG_ALIAS,  # "now known as": the name in use today
    "fka": NameQuality.FORMER,
}

# Identity and travel document labels OFAC writes in remarks (taken from the list itself). Other
# numbered clauses (phone, e-mail, digital currency address, vessel or company registration) are
# not documents a traveller carries and stay in the remarks only.
_PASSPORT_LABELS = (
    "Passport",
    "Diplomatic Passport",
    "Passport Booklet",
    "British National Overseas Passport",
    "Travel Document Number",
    "Refugee ID Card",
    "Seafarer's Identification Document",
)
_ID_LABELS = (
    "National ID No.",
    "Cedula No.",
    "C.U.R.P.",
    "R.F.C.",
    "RFC",
    "D.N.I.",
    "Identification Number",
    "Personal ID Card",
    "Tax ID No.",
    "SSN",
    "Driver's License No.",
    "Residency Number",
    "Electoral Registry No.",
    "Credencial electoral",
    "Birth Certificate Number",
    "Italian Fiscal Code",
    "Turkish Identification Number",
    "Kenyan ID No.",
    "National Foreign ID Number",
    "Citizen's Card Number",
    "Numero de Identidad",
    "C.U.I.T.",
    "C.U.I.",
    "C.U.I.P.",
    "I.F.E.",
    "LE Number",
    "Tazkira National ID Card",
    "Bosnian Personal ID No.",
    "Immigration No.",
    "Cartilla de Servicio Militar Nacional",
    "Pilot License Number",
    "NIT #",
    "N.I.T. #",
    "Residency Permit",
    "Stateless Person ID Card",
    "Legal Entity Number",
    "VisaNumberID",
    "Matricula Mercantil No",
    "Public Security and Immigration No.",
    "Moroccan Personal ID No.",
    "Afghan Tazkira",
    "Alien Registration",
    "US FEIN",
    "CUIT",
    "Personal ID",
    "ID No.",
    "Identity Card",
)
_NATIONAL_ID_LABELS = frozenset(
    {
        "National ID No.",
        "Cedula No.",
        "D.N.I.",
        "Personal ID Card",
        "Identification Number",
        "Kenyan ID No.",
        "Turkish Identification Number",
        "Tazkira National ID Card",
        "Bosnian Personal ID No.",
        "Numero de Identidad",
        "Citizen's Card Number",
        "Identity Card",
        "Personal ID",
        "ID No.",
        "Moroccan Personal ID No.",
        "Afghan Tazkira",
    }
)
_DOC_LABEL = re.compile(
    r"^(?:alt\. )?(?P<label>"
    + "|".join(re.escape(label) for label in sorted(_PASSPORT_LABELS + _ID_LABELS, key=len, reverse=True))
    + r") (?P<rest>.+)$"
)
_DOC_REST = re.compile(
    r"^(?P<number>.+?)(?: \((?P<country>[^()]*)\))?"
    r"(?P<tail>(?: (?:issued|expires|Issue Date|Expiration Date)\b.*)?)$"
)
_AKA = re.compile(r"^a\.k\.a\.,? '(?P<name>.*)$")
_DAY = r"\d{1,2} [A-Za-z]{3,9}\.? \d{4}"
_MONTH = r"[A-Za-z]{3,9}\.? \d{4}"
_YEAR = r"\d{4}"


@dataclass(slots=True)
class _Builder:
    """Everything gathered for one ent_num before the ListEntry is made."""

    ent_num: str
    kind: EntityKind
    line: int
    names: list[ListedName] = field(default_factory=list)
    birth_dates: list[ListedBirthDate] = field(default_factory=list)
    nationalities: list[str] = field(default_factory=list)
    gender: Gender = Gender.UNKNOWN
    documents: list[ListedDocument] = field(default_factory=list)
    birth_places: list[str] = field(default_factory=list)
    programs: tuple[str, ...] = ()
    remarks: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)

    def build(self) -> ListEntry:
        return ListEntry(
            entity_id=EntityId(f"OFAC:{self.ent_num}"),
            source=ListSource.OFAC,
            kind=self.kind,
            names=tuple(self.names),  # as many as the files give: counts stay checkable against them
            birth_dates=tuple(dict.fromkeys(self.birth_dates)),
            nationalities=tuple(dict.fromkeys(self.nationalities)),
            gender=self.gender,
            documents=tuple(dict.fromkeys(self.documents)),
            birth_places=tuple(dict.fromkeys(self.birth_places)),
            programs=self.programs,
            remarks="; ".join(self.remarks),
            reference_url=OFAC_ENTRY_URL.format(ent_num=self.ent_num),
            addresses=tuple(dict.fromkeys(self.addresses)),
        )


def _rows(data: bytes, source: str, columns: int, problems: list[Problem]) -> list[tuple[int, list[str]]]:
    """Return (line, fields) for each row with the right column count; a Problem for each other row."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        # Older OFAC files were written in Windows-1252; every byte decodes there.
        text = data.decode("cp1252", errors="replace")
        problems.append(problem(source, "the file is not UTF-8; read as Windows-1252", line=1, warning=True))
    # OFAC ends the legacy files with a DOS end-of-file mark (Ctrl-Z) on a line of its own.
    stripped = text.rstrip("\r\n")
    if stripped.endswith("\x1a"):
        stripped = stripped[:-1]
    rows: list[tuple[int, list[str]]] = []
    reader = csv.reader(io.StringIO(stripped, newline=""), strict=True)
    line = 1
    while True:
        try:
            fields = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise FormatError(
                f"{source} line {reader.line_num}: the CSV cannot be read further ({exc})",
                source=source,
                position=Position(line=reader.line_num),
                reason=f"unreadable CSV: {exc}",
            ) from exc
        start, line = line, reader.line_num + 1
        if not fields or fields == [""]:
            continue
        if len(fields) != columns:
            raw = ",".join(fields)
            problems.append(
                problem(
                    source,
                    f"row has {len(fields)} columns, {columns} expected; row not used",
                    line=start,
                    field="row",
                    raw=raw,
                    subject=f"ent_num {fields[0].strip()}",
                )
            )
            continue
        rows.append((start, [_value(value) for value in fields]))
    return rows


def _value(text: str) -> str:
    """Return a field with OFAC's empty mark `-0- ` turned into an empty string."""
    value = text.strip()
    return "" if value == "-0-" else value


def _split_person_name(name: str) -> tuple[str, str]:
    """Return (given_names, family_name) of an OFAC individual's `LAST, Given Names`."""
    if "," not in name:
        return "", name
    family, given = name.split(",", 1)
    return given.strip(), family.strip()


def _person_name(name: str, quality: NameQuality, kind: EntityKind) -> ListedName:
    if kind is EntityKind.PERSON:
        given, family = _split_person_name(name)
        return ListedName(name, quality, given_names=given, family_name=family, script=detect_script(name))
    return ListedName(name, quality, script=detect_script(name))


class _RemarksReader:
    """Reads the `; `-separated clauses of one sdn.csv Remarks field into a _Builder."""

    def __init__(self, builder: _Builder, *, source: str, countries: CountryTable, subject: str) -> None:
        self.builder = builder
        self.source = source
        self.countries = countries
        self.subject = subject
        self.problems: list[Problem] = []

    def warn(self, field: str, reason: str, raw: str) -> None:
        self.problems.append(
            problem(
                self.source,
                reason,
                line=self.builder.line,
                field=field,
                raw=raw,
                subject=self.subject,
                warning=True,
            )
        )

    def read(self, remarks: str) -> None:
        text = remarks.strip()
        if text.endswith("."):
            text = text[:-1]
        truncated = len(remarks) >= _REMARKS_LIMIT
        clauses = [clause.strip() for clause in text.split(";") if clause.strip()]
        for index, clause in enumerate(clauses):
            last = index == len(clauses) - 1
            self._clause(clause, cut_off=truncated and last)
        if truncated:
            self.warn(
                "Remarks",
                f"remarks reach {_REMARKS_LIMIT} characters and are cut off in the legacy file "
                "(the rest is in sdn_comments.csv, not read)",
                remarks[-80:],
            )

    def _clause(self, clause: str, *, cut_off: bool) -> None:
        builder = self.builder
        if clause.startswith(("DOB ", "alt. DOB ")):
            value = clause.split("DOB ", 1)[1]
            span = parse_ofac_date(value)
            if span is None:
                self.warn(
                    "Remarks/DOB", f"birth date {value!r} could not be read; kept in the remarks", clause
                )
            elif not plausible_year(span.earliest.year) or not plausible_year(span.latest.year):
                self.warn("Remarks/DOB", f"birth date {value!r} is outside 1850..2100; ignored", clause)
            else:
                builder.birth_dates.append(span)
        elif clause.startswith(("POB ", "alt. POB ")):
            builder.birth_places.append(clause.split("POB ", 1)[1].strip())
        elif match := re.match(r"^(?:alt\. )?(nationality|citizen) (.+)$", clause):
            code = resolve_country(self.countries, match.group(2))
            if code is None:
                self.warn(
                    f"Remarks/{match.group(1)}",
                    f"country {match.group(2)!r} is not a known country name; not resolved",
                    clause,
                )
            else:
                builder.nationalities.append(code)
        elif match := re.match(r"^Gender (Male|Female)$", clause, re.IGNORECASE):
            builder.gender = Gender.MALE if match.group(1).lower() == "male" else Gender.FEMALE
        elif clause.startswith("a.k.a."):
            match = _AKA.match(clause)
            # Names hold apostrophes of their own (ABU 'ABDALLAH, ''FOOPIE''): only the outer quotes go.
            alias = clean(match.group("name").strip("' ")) if match else ""
            if not alias:
                self.warn(
                    "Remarks/a.k.a.", "weak alias clause could not be read; kept in the remarks", clause
                )
            elif cut_off and not clause.endswith("'"):
                self.warn(
                    "Remarks/a.k.a.", "weak alias is cut off at the end of the remarks; not used", clause
                )
            else:
                builder.names.append(_person_name(alias, NameQuality.WEAK_ALIAS, builder.kind))
        elif builder.kind is EntityKind.PERSON and (match := _DOC_LABEL.match(clause)):
            self._document(match.group("label"), match.group("rest"), clause, cut_off=cut_off)

    def _document(self, label: str, rest: str, clause: str, *, cut_off: bool) -> None:
        match = _DOC_REST.match(rest)
        if match is None:  # pragma: no cover - the pattern accepts any non-empty text
            return
        number = match.group("number").strip()
        country_text = (match.group("country") or "").strip()
        notes = [] if label in ("Passport", "National ID No.") else [label]
        if match.group("tail"):
            notes.append(match.group("tail").strip())
        code = ""
        if country_text:
            code = resolve_country(self.countries, country_text) or ""
            if not code:
                self.warn(
                    "Remarks/document",
                    f"issuing country {country_text!r} is not a known country name",
                    clause,
                )
                notes.append(f"issuing country {country_text}")
        if cut_off and not country_text:
            self.warn("Remarks/document", "document clause may be cut off at the end of the remarks", clause)
        if label in _PASSPORT_LABELS:
            kind = "passport"
        elif label in _NATIONAL_ID_LABELS:
            kind = "national id"
        else:
            kind = label
        self.builder.documents.append(
            ListedDocument(number=number, kind=kind, issuing_country=code, note="; ".join(notes))
        )


def _one_date(text: str) -> ListedBirthDate | None:
    """Return the span of one OFAC date: `01 Jan 1970`, `Jan 1970` or `1970`."""
    text = text.strip()
    if re.fullmatch(_YEAR, text):
        return year_span(int(text), text)
    if re.fullmatch(_MONTH, text):
        name, year = text.split()
        month = month_number(name)
        return month_span(int(year), month, text) if month else None
    if re.fullmatch(_DAY, text):
        day_text, name, year = text.split()
        month = month_number(name)
        if month is None:
            return None
        try:
            day = date(int(year), month, int(day_text))
        except ValueError:
            return None
        return ListedBirthDate(day, day, DateExactness.EXACT, text)
    return None


def parse_ofac_date(text: str) -> ListedBirthDate | None:
    """Return the birth-date span of an OFAC DOB value (exact, month, year, circa, `X to Y`), or None."""
    value = clean(text)
    circa = value.lower().startswith("circa ")
    if circa:
        value = value[6:].strip()
    parts = re.split(r" to |(?<=\d{4})-(?=\d{4}$)", value)
    if len(parts) == 2:
        first, last = _one_date(parts[0]), _one_date(parts[1])
        if first is None or last is None:
            return None
        low, high = min(first.earliest, last.earliest), max(first.latest, last.latest)
        exactness = DateExactness.APPROXIMATE if circa else DateExactness.RANGE
        return ListedBirthDate(low, high, exactness, clean(text))
    span = _one_date(value)
    if span is None or not circa:
        return span
    # "circa 1970": one year either side, so a traveller born in 1969 or 1971 still matches.
    return widen_one_year(span, clean(text))


def parse_ofac(
    sdn: bytes,
    alt: bytes | None = None,
    add: bytes | None = None,
    *,
    countries: CountryTable,
    source: str = "sdn.csv",
    alt_source: str = "alt.csv",
    add_source: str = "add.csv",
) -> ParsedList:
    """Return the entries of the OFAC SDN legacy CSV files, with a Problem for each row not read.

    `alt` (alternate names) and `add` (addresses) are optional. Raises FormatError only when a file
    cannot be read as CSV at all (an unterminated quote, for instance).
    """
    problems: list[Problem] = []
    builders: dict[str, _Builder] = {}
    for line, fields in _rows(sdn, source, _SDN_COLUMNS, problems):
        ent_num, name, sdn_type, program, title = fields[:5]
        call_sign, vess_type, tonnage, grt, vess_flag, vess_owner, remarks = fields[5:]
        subject = f"OFAC {ent_num} {name}".strip()
        if not ent_num.isdigit():
            problems.append(
                problem(
                    source,
                    f"ent_num {ent_num!r} is not a number; row not used",
                    line=line,
                    field="ent_num",
                    raw=",".join(fields),
                    subject=subject,
                )
            )
            continue
        if not name:
            problems.append(
                problem(
                    source,
                    "SDN_Name is empty; row not used",
                    line=line,
                    field="SDN_Name",
                    raw=",".join(fields),
                    subject=subject,
                )
            )
            continue
        if ent_num in builders:
            problems.append(
                problem(
                    source,
                    f"ent_num {ent_num} appears twice; the second row is not used",
                    line=line,
                    field="ent_num",
                    raw=",".join(fields),
                    subject=subject,
                )
            )
            continue
        kind = _KINDS.get(sdn_type.lower())
        if kind is None:
            problems.append(
                problem(
                    source,
                    f"unknown SDN_Type {sdn_type!r}; read as an organisation",
                    line=line,
                    field="SDN_Type",
                    raw=sdn_type,
                    subject=subject,
                    warning=True,
                )
            )
            kind = EntityKind.ORGANIZATION
        builder = _Builder(ent_num=ent_num, kind=kind, line=line)
        builder.names.append(_person_name(name, NameQuality.PRIMARY, kind))
        builder.programs = tuple(p.strip(" []") for p in program.split("] [") if p.strip(" []"))
        labelled = (
            ("Title", title),
            ("Call sign", call_sign),
            ("Vessel type", vess_type),
            ("Tonnage", tonnage),
            ("GRT", grt),
            ("Flag", vess_flag),
            ("Owner", vess_owner),
        )
        builder.remarks.extend(f"{label}: {value}" for label, value in labelled if value)
        if remarks:
            reader = _RemarksReader(builder, source=source, countries=countries, subject=subject)
            reader.read(remarks)
            problems.extend(reader.problems)
            builder.remarks.append(remarks)
        builders[ent_num] = builder
    if alt is not None:
        for line, fields in _rows(alt, alt_source, _ALT_COLUMNS, problems):
            ent_num, _alt_num, alt_type, alt_name, alt_remarks = fields
            target = builders.get(ent_num)
            if target is None:
                problems.append(
                    problem(
                        alt_source,
                        f"alternate name for ent_num {ent_num!r}, which sdn.csv does not hold; not used",
                        line=line,
                        field="ent_num",
                        raw=",".join(fields),
                    )
                )
                continue
            if not alt_name:
                problems.append(
                    problem(
                        alt_source,
                        "alt_name is empty",
                        line=line,
                        field="alt_name",
                        raw=",".join(fields),
                        warning=True,
                    )
                )
                continue
            quality = _ALT_QUALITY.get(alt_type.lower())
            if quality is None:
                problems.append(
                    problem(
                        alt_source,
                        f"unknown alt_type {alt_type!r}; taken as a strong alias",
                        line=line,
                        field="alt_type",
                        raw=",".join(fields),
                        warning=True,
                    )
                )
                quality = NameQuality.STRONG_ALIAS
            target.names.append(_person_name(alt_name, quality, target.kind))
            if alt_remarks:
                target.remarks.append(f"{alt_name}: {alt_remarks}")
    if add is not None:
        for line, fields in _rows(add, add_source, _ADD_COLUMNS, problems):
            ent_num, _add_num, address, city, country, add_remarks = fields
            target = builders.get(ent_num)
            if target is None:
                problems.append(
                    problem(
                        add_source,
                        f"address for ent_num {ent_num!r}, which sdn.csv does not hold; not used",
                        line=line,
                        field="ent_num",
                        raw=",".join(fields),
                    )
                )
                continue
            text = ", ".join(part for part in (address, city, country) if part)
            if add_remarks:
                text = f"{text} ({add_remarks})" if text else add_remarks
            if text:
                target.addresses.append(text)
    return ParsedList(
        name=LIST_NAME,
        kind=ListSource.OFAC,
        entries=tuple(builder.build() for builder in builders.values()),
        source_date=None,  # the legacy files carry no publication date
        problems=tuple(problems),
        content_hash=content_hash(sdn, alt, add),
        file_name=source,
    )
