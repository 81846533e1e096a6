"""UN Security Council Consolidated List (XML) -> list entries.

The file is untrusted XML: it is read with defusedxml and any DTD is refused (an entity bomb or an
external entity never gets expanded). A file that is not well-formed XML raises `FormatError` with
the line and column expat stopped at; trouble inside one INDIVIDUAL or ENTITY becomes a `Problem`.

How the UN fields are mapped (decided from the list of 2026-02-27, see docs/formats/un-list.md):

- Id: `UN:<REFERENCE_NUMBER>` (`UN:QDi.001`).
- Names: FIRST_NAME..FOURTH_NAME joined with single spaces is the primary name. The UN writes the
  given name first for almost every regime, so `given_names` is every part but the last and
  `family_name` the last part (the way the passports of the Arab states listed most often put
  the family or tribal name, e.g. SADDAM HUSSEIN / AL-TIKRITI). The exception is the DPRK regime:
  Korean names are written family name first (RI / JE-SON, KIM / ...), so there FIRST_NAME is the
  family name and the rest the given name. A single part is a family name with no given name.
  Entities get the joined name only.
- Aliases: QUALITY `Good` and entity `a.k.a.` -> STRONG_ALIAS, `Low` -> WEAK_ALIAS, `f.k.a.` ->
  FORMER; empty alias elements are ignored (the UN writes `<INDIVIDUAL_ALIAS><QUALITY/>...`
  when there is none). NAME_ORIGINAL_SCRIPT -> ORIGINAL_SCRIPT with its ISO 15924 script.
  A birth date or place given with an alias is added to the entry's dates/places.
- Birth dates: EXACT with DATE (a day) or YEAR (a year); APPROXIMATELY YEAR -> one year either
  side; BETWEEN FROM_YEAR/TO_YEAR -> the years; the free-text NOTE forms the UN uses when the
  structured fields are empty ("Nov. 1973", "Between Aug. and Sep. 1977", "30-35 years old",
  "24/06/1402 (Hijri Calendar)") are read too; anything else is a warning with the text kept.
- Nationalities: NATIONALITY/VALUE country names resolved to alpha-3; `na` means not available.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta
from xml.etree.ElementTree import Element, ParseError, TreeBuilder

from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser

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
    hijri_to_gregorian,
    month_number,
    month_span,
    plausible_year,
    problem,
    resolve_country,
    widen_one_year,
    year_span,
    years_span,
)
from borderwatch.formats.problems import Problem

LIST_NAME = "UN Security Council Consolidated List"

_ALIAS_QUALITY: dict[str, NameQuality] = {
    "good": NameQuality.STRONG_ALIAS,
    "a.k.a.": NameQuality.STRONG_ALIAS,
    "low": NameQuality.WEAK_ALIAS,
    "f.k.a.": NameQuality.FORMER,
}
_NOT_AVAILABLE = {"na", "n/a", "not available", "unknown"}
# Korean names are written family name first; the UN keeps that order in FIRST_NAME/SECOND_NAME.
_FAMILY_FIRST_REGIMES = {"DPRK"}


class _LineTreeBuilder(TreeBuilder):
    """A tree builder that remembers the line each INDIVIDUAL/ENTITY element starts on."""

    def __init__(self) -> None:
        super().__init__()
        self.parser: DefusedXMLParser | None = None
        self.lines: dict[int, int] = {}

    def start(self, tag: str, attrs: dict[str, str], /) -> Element:
        element = super().start(tag, attrs)
        if tag in ("INDIVIDUAL", "ENTITY") and self.parser is not None:
            self.lines[id(element)] = int(self.parser.parser.CurrentLineNumber)
        return element


def _read_xml(data: bytes, source: str) -> tuple[Element, dict[int, int]]:
    """Return the root element and the start lines of records, or raise FormatError."""
    if not data.strip():
        raise FormatError(f"{source}: the file is empty", source=source, reason="empty file")
    builder = _LineTreeBuilder()
    parser = DefusedXMLParser(target=builder, forbid_dtd=True, forbid_entities=True, forbid_external=True)
    builder.parser = parser
    try:
        parser.feed(data)
        root: Element = parser.close()
    except ParseError as exc:
        line, column = exc.position
        raise FormatError(
            f"{source} line {line}, column {column}: not well-formed XML ({exc})",
            source=source,
            position=Position(line=line, column=column),
            reason=f"not well-formed XML: {exc}",
        ) from exc
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        line = int(parser.parser.CurrentLineNumber)
        raise FormatError(
            f"{source} line {line}: the file declares a DTD or entities, which a UN list never does "
            f"and which could be an entity bomb; refused ({type(exc).__name__})",
            source=source,
            position=Position(line=line),
            reason="DTD or entity declaration refused",
        ) from exc
    return root, builder.lines


def _text(element: Element, tag: str) -> str:
    child = element.find(tag)
    return clean(child.text) if child is not None else ""


def _values(element: Element, tag: str) -> list[str]:
    """Return the non-empty VALUE texts under each `tag` child."""
    return [
        text
        for child in element.findall(tag)
        for value in child.findall("VALUE")
        if (text := clean(value.text))
    ]


class _RecordReader:
    """Reads one INDIVIDUAL or ENTITY element, collecting problems as it goes."""

    def __init__(
        self,
        element: Element,
        *,
        kind: EntityKind,
        line: int | None,
        source: str,
        countries: CountryTable,
        list_year: int | None,
    ) -> None:
        self.element = element
        self.kind = kind
        self.line = line
        self.source = source
        self.countries = countries
        self.list_year = list_year
        self.problems: list[Problem] = []
        self.subject = ""
        self.remarks: list[str] = []

    def warn(self, field: str, reason: str, raw: str = "") -> None:
        self.problems.append(
            problem(
                self.source, reason, line=self.line, field=field, raw=raw, subject=self.subject, warning=True
            )
        )

    def read(self) -> ListEntry | None:
        element = self.element
        reference = _text(element, "REFERENCE_NUMBER")
        parts = [_text(element, tag) for tag in ("FIRST_NAME", "SECOND_NAME", "THIRD_NAME", "FOURTH_NAME")]
        parts = [part for part in parts if part]
        self.subject = f"UN {reference or '(no reference)'} {' '.join(parts)}".strip()
        if not reference:
            self.problems.append(
                problem(
                    self.source,
                    "REFERENCE_NUMBER is empty: the entry cannot be identified",
                    line=self.line,
                    field="REFERENCE_NUMBER",
                    raw=" ".join(parts),
                    subject=self.subject,
                )
            )
            return None
        programs = tuple(
            dict.fromkeys([p for p in (_text(element, "UN_LIST_TYPE"),) if p] + _values(element, "LIST_TYPE"))
        )
        names = self._names(parts, programs)
        if not names:
            self.problems.append(
                problem(
                    self.source,
                    "the entry has no name at all",
                    line=self.line,
                    field="FIRST_NAME",
                    raw=reference,
                    subject=self.subject,
                )
            )
            return None
        titles = _values(element, "TITLE")
        designations = _values(element, "DESIGNATION")
        if titles:
            self.remarks.append("Title: " + ", ".join(titles))
        if designations:
            self.remarks.append("Designation: " + ", ".join(designations))
        birth_dates, birth_places = self._birth()
        documents = self._documents()
        comments = _text(element, "COMMENTS1")
        if comments:
            self.remarks.append(comments)
        return ListEntry(
            entity_id=EntityId(f"UN:{reference}"),
            source=ListSource.UN,
            kind=self.kind,
            names=names,
            birth_dates=birth_dates,
            nationalities=self._nationalities(),
            gender=self._gender(),
            documents=documents,
            birth_places=birth_places,
            listed_on=self._listed_on(),
            programs=programs,
            remarks="; ".join(self.remarks),
            addresses=self._addresses(),
        )

    # --- names ---------------------------------------------------------------------------------

    def _names(self, parts: list[str], programs: tuple[str, ...]) -> tuple[ListedName, ...]:
        names: list[ListedName] = []
        if parts:
            full = " ".join(parts)
            if self.kind is not EntityKind.PERSON:
                names.append(ListedName(full, NameQuality.PRIMARY, script=detect_script(full)))
            elif len(parts) == 1:
                names.append(
                    ListedName(full, NameQuality.PRIMARY, family_name=full, script=detect_script(full))
                )
            elif _FAMILY_FIRST_REGIMES.intersection(programs):
                names.append(
                    ListedName(
                        full,
                        NameQuality.PRIMARY,
                        given_names=" ".join(parts[1:]),
                        family_name=parts[0],
                        script=detect_script(full),
                    )
                )
            else:
                names.append(
                    ListedName(
                        full,
                        NameQuality.PRIMARY,
                        given_names=" ".join(parts[:-1]),
                        family_name=parts[-1],
                        script=detect_script(full),
                    )
                )
        original = _text(self.element, "NAME_ORIGINAL_SCRIPT")
        if original:
            names.append(ListedName(original, NameQuality.ORIGINAL_SCRIPT, script=detect_script(original)))
        alias_tag = "INDIVIDUAL_ALIAS" if self.kind is EntityKind.PERSON else "ENTITY_ALIAS"
        for alias in self.element.findall(alias_tag):
            alias_name = _text(alias, "ALIAS_NAME")
            quality_text = _text(alias, "QUALITY")
            if not alias_name:
                if quality_text:
                    self.warn(alias_tag, f"alias of quality {quality_text!r} has no name; ignored")
                continue
            quality = _ALIAS_QUALITY.get(quality_text.lower())
            if quality is None:
                self.warn(
                    alias_tag, f"unknown alias quality {quality_text!r}; taken as a strong alias", alias_name
                )
                quality = NameQuality.STRONG_ALIAS
            for written in _split_scripts(alias_name):
                given, family = "", ""
                if self.kind is EntityKind.PERSON and written.count(",") == 1:
                    # Some regimes (Somalia, Al-Qaida) write aliases as "FAMILY, Given".
                    family, given = (p.strip() for p in written.split(","))
                names.append(
                    ListedName(
                        written, quality, given_names=given, family_name=family, script=detect_script(written)
                    )
                )
        return tuple(names)

    # --- dates and places ----------------------------------------------------------------------

    def _birth(self) -> tuple[tuple[ListedBirthDate, ...], tuple[str, ...]]:
        dates: list[ListedBirthDate] = []
        for element in self.element.findall("INDIVIDUAL_DATE_OF_BIRTH"):
            span = self._birth_date(element)
            if span is not None:
                dates.append(span)
        places: list[str] = []
        for element in self.element.findall("INDIVIDUAL_PLACE_OF_BIRTH"):
            place = ", ".join(
                p for p in (_text(element, t) for t in ("CITY", "STATE_PROVINCE", "COUNTRY")) if p
            )
            note = _text(element, "NOTE")
            if note:
                place = f"{place} ({note})" if place else note
            if place:
                places.append(place)
        # Aliases may carry the date and place of birth used with that name (false documents).
        for alias in self.element.findall("INDIVIDUAL_ALIAS"):
            alias_name = _text(alias, "ALIAS_NAME")
            dob = _text(alias, "DATE_OF_BIRTH")
            if dob:
                span = self._iso_or_year(
                    dob, f"{dob} (with alias {alias_name})", "INDIVIDUAL_ALIAS/DATE_OF_BIRTH"
                )
                if span is not None:
                    dates.append(span)
            place = ", ".join(
                p for p in (_text(alias, "CITY_OF_BIRTH"), _text(alias, "COUNTRY_OF_BIRTH")) if p
            )
            if place:
                places.append(place)
        # The same span given again with another alias adds nothing to match on: keep the first wording.
        unique = {(span.earliest, span.latest): span for span in reversed(dates)}
        ordered = sorted(unique.values(), key=dates.index)
        return tuple(ordered), tuple(dict.fromkeys(places))

    def _iso_or_year(self, text: str, label: str, field: str) -> ListedBirthDate | None:
        try:
            if re.fullmatch(r"\d{4}", text):
                return year_span(int(text), label)
            day = date.fromisoformat(text[:10])
        except ValueError:
            self.warn(field, f"birth date {text!r} is not a date; kept in the list only", text)
            return None
        return ListedBirthDate(day, day, DateExactness.EXACT, label)

    def _birth_date(self, element: Element) -> ListedBirthDate | None:
        field = "INDIVIDUAL_DATE_OF_BIRTH"
        kind = _text(element, "TYPE_OF_DATE").upper()
        day_text, year_text = _text(element, "DATE"), _text(element, "YEAR")
        from_year, to_year = _text(element, "FROM_YEAR"), _text(element, "TO_YEAR")
        note = _text(element, "NOTE")
        if not any((kind, day_text, year_text, from_year, to_year, note)):
            return None  # the UN writes an empty element when no date is known
        described = " ".join(p for p in (kind.lower(), day_text, year_text, from_year, to_year, note) if p)
        try:
            if from_year or to_year:
                first, last = int(from_year or to_year), int(to_year or from_year)
                text = f"between {first} and {last}" + (f" ({note})" if note else "")
                return self._checked(years_span(first, last, text), described)
            if year_text:
                year = int(year_text)
                month = month_number(note) if note else None
                if month is not None:
                    return self._checked(month_span(year, month, f"{note} {year}"), described)
                if kind == "APPROXIMATELY":
                    # "approximately 1970" is taken as 1969..1971: born the next year still matches.
                    return self._checked(
                        years_span(year - 1, year + 1, f"approximately {year}", DateExactness.APPROXIMATE),
                        described,
                    )
                return self._checked(year_span(year, f"{year}" + (f" ({note})" if note else "")), described)
            if day_text:
                day = date.fromisoformat(day_text[:10])
                text = day.isoformat() + (f" ({note})" if note else "")
                exactness = DateExactness.APPROXIMATE if kind == "APPROXIMATELY" else DateExactness.EXACT
                if exactness is DateExactness.APPROXIMATE:
                    return widen_one_year(ListedBirthDate(day, day, exactness, text), text)
                return self._checked(ListedBirthDate(day, day, exactness, text), described)
        except ValueError:
            self.warn(field, f"birth date {described!r} could not be read; kept in the list only", described)
            return None
        span = self._note_date(note)
        if span is None:
            self.warn(field, f"birth date {described!r} could not be read; kept in the list only", described)
        return span

    def _checked(self, span: ListedBirthDate, described: str) -> ListedBirthDate | None:
        if not (plausible_year(span.earliest.year) and plausible_year(span.latest.year)):
            self.warn(
                "INDIVIDUAL_DATE_OF_BIRTH",
                f"birth date {described!r} is outside 1850..2100; ignored",
                described,
            )
            return None
        return span

    def _note_date(self, note: str) -> ListedBirthDate | None:
        """Return the span of the free-text date forms the UN writes in NOTE, or None."""
        match = re.fullmatch(r"([A-Za-z]+)\.?\s+(\d{4})", note)
        if match and (month := month_number(match.group(1))) is not None:
            return month_span(int(match.group(2)), month, note)
        match = re.fullmatch(
            r"Between\s+([A-Za-z]+)\.?\s+and\s+([A-Za-z]+)\.?\s+(\d{4})", note, re.IGNORECASE
        )
        if match:
            first, last = month_number(match.group(1)), month_number(match.group(2))
            if first is not None and last is not None:
                year = int(match.group(3))
                start, end = (
                    month_span(year, min(first, last), note),
                    month_span(year, max(first, last), note),
                )
                return ListedBirthDate(start.earliest, end.latest, DateExactness.RANGE, note)
        match = re.fullmatch(r"(\d{1,3})\s*-\s*(\d{1,3})\s+years\s+old", note, re.IGNORECASE)
        if match and self.list_year is not None:
            # An age range is relative to when it was written: the listing year when known.
            youngest, oldest = sorted((int(match.group(1)), int(match.group(2))))
            return years_span(
                self.list_year - oldest - 1,
                self.list_year - youngest,
                f"{note} (in {self.list_year})",
                DateExactness.APPROXIMATE,
            )
        match = re.fullmatch(r"(\d{1,2})/(\d{1,2})/(\d{4})\s*\(Hijri Calendar\)", note, re.IGNORECASE)
        if match:
            try:
                day = hijri_to_gregorian(int(match.group(3)), int(match.group(2)), int(match.group(1)))
            except ValueError:
                return None
            # The arithmetical Hijri calendar can be a day or two off the observed one.
            return ListedBirthDate(
                day - timedelta(days=2),
                day + timedelta(days=2),
                DateExactness.APPROXIMATE,
                f"{note} = about {day.isoformat()}",
            )
        return None

    # --- the rest ------------------------------------------------------------------------------

    def _listed_on(self) -> date | None:
        text = _text(self.element, "LISTED_ON")
        if not text:
            return None
        try:
            return date.fromisoformat(text[:10])  # some carry a zone offset: 2015-04-07-04:00
        except ValueError:
            self.warn("LISTED_ON", f"listing date {text!r} is not a date", text)
            return None

    def _country(self, field: str, text: str) -> str | None:
        if not text or text.lower() in _NOT_AVAILABLE:
            return None
        code = resolve_country(self.countries, text)
        if code is None:
            self.warn(field, f"country {text!r} is not a known country name; not resolved", text)
        return code

    def _nationalities(self) -> tuple[str, ...]:
        codes = [self._country("NATIONALITY", value) for value in _values(self.element, "NATIONALITY")]
        return tuple(dict.fromkeys(code for code in codes if code))

    def _gender(self) -> Gender:
        text = _text(self.element, "GENDER").lower()
        return {"male": Gender.MALE, "female": Gender.FEMALE}.get(text, Gender.UNKNOWN)

    def _documents(self) -> tuple[ListedDocument, ...]:
        documents: list[ListedDocument] = []
        for element in self.element.findall("INDIVIDUAL_DOCUMENT"):
            kind_text = _text(element, "TYPE_OF_DOCUMENT")
            kind2 = _text(element, "TYPE_OF_DOCUMENT2")
            number = _text(element, "NUMBER")
            country_text = _text(element, "ISSUING_COUNTRY") or _text(element, "COUNTRY_OF_ISSUE")
            notes = [
                f"type: {kind2}" if kind2 else "",
                f"issued {_text(element, 'DATE_OF_ISSUE')}" if _text(element, "DATE_OF_ISSUE") else "",
                f"in {_text(element, 'CITY_OF_ISSUE')}" if _text(element, "CITY_OF_ISSUE") else "",
                _text(element, "NOTE"),
            ]
            note = "; ".join(n for n in notes if n)
            if not number:
                if kind_text or note:
                    # Nothing to match on, but the officer should still see it.
                    self.remarks.append(f"Document without number: {kind_text} {country_text} {note}".strip())
                continue
            code = self._country("INDIVIDUAL_DOCUMENT/ISSUING_COUNTRY", country_text)
            if code is None and country_text:
                note = (
                    f"{note}; issuing country {country_text}" if note else f"issuing country {country_text}"
                )
            documents.append(
                ListedDocument(
                    number=number,
                    kind=_document_kind(kind_text, kind2),
                    issuing_country=code or "",
                    note=note,
                )
            )
        return tuple(documents)

    def _addresses(self) -> tuple[str, ...]:
        tag = "INDIVIDUAL_ADDRESS" if self.kind is EntityKind.PERSON else "ENTITY_ADDRESS"
        addresses = []
        for element in self.element.findall(tag):
            parts = [_text(element, t) for t in ("STREET", "CITY", "STATE_PROVINCE", "ZIP_CODE", "COUNTRY")]
            line = ", ".join(p for p in parts if p)
            note = _text(element, "NOTE")
            if note:
                line = f"{line} ({note})" if line else note
            if line:
                addresses.append(line)
        return tuple(dict.fromkeys(addresses))


def _split_scripts(name: str) -> list[str]:
    """Return the names in an alias that adds its other-script writing in brackets.

    The UN writes `Ibrahim Hassan Tali Asiri (إبراهيم حسن طالع عسيري)` and
    `حسن غول (Hassan Ghul; Hassan Gul)`: each writing is a name of its own, with its own script.
    """
    match = re.fullmatch(r"(?P<outer>[^()]+?)\s*\((?P<inner>[^()]+)\)", name)
    if match is None:
        return [name]
    outer, inner = match.group("outer").strip(), match.group("inner").strip()
    if detect_script(outer) == detect_script(inner):
        return [name]  # an ordinary bracket, e.g. a nickname or a note
    return [outer, *(part.strip() for part in inner.split(";") if part.strip())]


def _document_kind(kind: str, kind2: str) -> str:
    """Return `passport`, `national id` or the UN's own wording for a document type."""
    text = f"{kind} {kind2}".lower()
    if any(word in text for word in ("passport", "passeport", "pasaporte")):
        return "passport"
    if "identi" in text or re.search(r"\bid\b", text):
        return "national id"
    return clean(kind2 or kind).lower().rstrip(":")


def parse_un_list(data: bytes, *, countries: CountryTable, source: str = "UN_consolidated.xml") -> ParsedList:
    """Return the entries of a UN Consolidated List XML file, with a Problem for each thing not read.

    Raises FormatError when the bytes are not well-formed XML, carry a DTD or entity declarations
    (refused as a possible entity bomb), or are not a CONSOLIDATED_LIST.
    """
    root, lines = _read_xml(data, source)
    if root.tag != "CONSOLIDATED_LIST":
        raise FormatError(
            f"{source}: the root element is <{root.tag}>, not <CONSOLIDATED_LIST>: not a UN list",
            source=source,
            position=Position(line=1),
            field=root.tag,
            reason="not a UN consolidated list",
        )
    problems: list[Problem] = []
    source_date: datetime | None = None
    generated = root.get("dateGenerated", "")
    if generated:
        try:
            source_date = datetime.fromisoformat(generated)
        except ValueError:
            problems.append(
                problem(
                    source,
                    f"dateGenerated {generated!r} is not a date and time",
                    line=1,
                    field="dateGenerated",
                    raw=generated,
                    warning=True,
                )
            )
    else:
        problems.append(
            problem(source, "the list carries no dateGenerated", line=1, field="dateGenerated", warning=True)
        )
    list_year = source_date.year if source_date else None
    entries: list[ListEntry] = []
    seen: set[str] = set()
    records = [(e, EntityKind.PERSON) for e in root.iterfind("INDIVIDUALS/INDIVIDUAL")]
    records += [(e, EntityKind.ORGANIZATION) for e in root.iterfind("ENTITIES/ENTITY")]
    for element, kind in records:
        line = lines.get(id(element))
        listed = _text(element, "LISTED_ON")[:4]
        reader = _RecordReader(
            element,
            kind=kind,
            line=line,
            source=source,
            countries=countries,
            list_year=int(listed) if listed.isdigit() else list_year,
        )
        entry = reader.read()
        problems.extend(reader.problems)
        if entry is None:
            continue
        if entry.entity_id in seen:
            problems.append(
                problem(
                    source,
                    f"{entry.entity_id} appears twice; the second record is not used",
                    line=line,
                    field="REFERENCE_NUMBER",
                    raw=entry.primary_name,
                    subject=reader.subject,
                )
            )
            continue
        seen.add(entry.entity_id)
        entries.append(entry)
    return ParsedList(
        name=LIST_NAME,
        kind=ListSource.UN,
        entries=tuple(entries),
        source_date=source_date,
        problems=tuple(problems),
        content_hash=content_hash(data),
        file_name=source,
    )
