"""UN/EDIFACT PAXLST (Advance Passenger Information): manifests read from bytes, and written back.

`parse_paxlst` returns one domain `Manifest` per UNH message with a `Problem` for everything it could
not read; `merge_paxlst_parts` joins the parts of a multi-part message; `write_paxlst` produces a
correct message (used by the training service and the benchmark).

Rules and their sources are in docs formats.md §1 (WCO/IATA/ICAO API guidelines, D02B and D05B, as
quoted by the GTAS parsers). A traveller group that cannot be read (no family name) becomes an ERROR
problem carrying its raw segments; the other travellers of the message are kept.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime

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
from borderwatch.formats.edifact import (
    DEFAULT_SERVICE_CHARS,
    Interchange,
    Message,
    ServiceChars,
    Tokens,
    escape,
    read_interchange,
)
from borderwatch.formats.problems import ParseResult, Problem, Severity

__all__ = ["merge_paxlst_parts", "parse_paxlst", "write_paxlst"]

# BGM element 1 (document name code), docs formats.md §1.3.
_KIND_BY_BGM = {
    "745": MessageKind.PASSENGER_LIST,
    "250": MessageKind.CREW_LIST,
    "266": MessageKind.FLIGHT_CLOSE_OUT,
    "336": MessageKind.MASTER_CREW_LIST,
}
_BGM_BY_KIND = {kind: code for code, kind in _KIND_BY_BGM.items()}

# NAD element 1 (party function code) of a traveller group, formats.md §1.4.
_ROLE_BY_NAD = {
    "FL": TravellerRole.PASSENGER,
    "FM": TravellerRole.CREW,
    "DDU": TravellerRole.IN_TRANSIT,
    "DDT": TravellerRole.IN_TRANSIT_CREW,
}
_NAD_BY_ROLE = {role: code for code, role in _ROLE_BY_NAD.items()}
_CREW_ROLES = (TravellerRole.CREW, TravellerRole.IN_TRANSIT_CREW)
_GENDERS = {"M": Gender.MALE, "F": Gender.FEMALE, "X": Gender.UNSPECIFIED, "U": Gender.UNKNOWN}

# Segments of the PAXLST directory we read or knowingly skip (COM contacts, FTX bag tags, GEI
# verification, EMP crew function, QTY/CTA/ERP rare D05B extras).
_KNOWN = frozenset(
    (
        "BGM",
        "RFF",
        "NAD",
        "COM",
        "TDT",
        "LOC",
        "DTM",
        "ATT",
        "MEA",
        "GEI",
        "FTX",
        "NAT",
        "DOC",
        "CNT",
        "EMP",
        "QTY",
        "CTA",
        "ERP",
        "FTI",
        "SEQ",
        "GIS",
        "TRA",
    )
)


def _seat(text: str) -> str:
    """Return a seat without leading zeros (`074E` -> `74E`, formats.md §2: seats may be zero-padded)."""
    text = text.strip().upper()
    return text.lstrip("0") if len(text) > 1 and text[0] == "0" else text


class _Doc:
    __slots__ = ("code", "expiry", "issue", "number", "state")

    def __init__(self, code: str, number: str) -> None:
        self.code = code
        self.number = number
        self.expiry: date | None = None
        self.issue: date | None = None
        self.state = ""


class _Draft:
    """A traveller group being read: slots `first`..`end` of the message's raw segments.

    Not slotted on purpose: fields a group does not carry fall back to the class defaults, which
    makes starting a group cheap (this is on the hot path, see bench/bench_ingest.py).
    """

    held = False  # some segment had released characters: restore them when finishing
    birth: date | None = None
    gender = Gender.UNKNOWN
    nationality = ""
    residence = ""
    birth_place = ""
    embark = ""
    debark = ""
    seat = ""
    locator = ""
    pax_ref = ""
    bags: int | None = None

    def __init__(self, first: int, role: TravellerRole, family: str, given: str) -> None:
        self.first = first
        self.end = first + 1
        self.role = role
        self.family = family
        self.given = given
        self.docs: list[_Doc] = []

    @property
    def subject(self) -> str:
        """Return who the group is about, for problems: `passenger FAMILY/GIVEN`."""
        return _subject(self)


class _Leg:
    __slots__ = ("arr_port", "arr_time", "carrier", "dep_port", "dep_time", "is_entry", "number", "open_92")

    def __init__(self, carrier: str, number: str) -> None:
        self.carrier = carrier
        self.number = number
        self.dep_port = ""
        self.arr_port = ""
        self.dep_time: datetime | None = None
        self.arr_time: datetime | None = None
        self.is_entry = False  # LOC+125/87: the leg entering the receiving state
        self.open_92 = ""  # a LOC+92 port not yet given a role by its DTM

    def flight(self) -> Flight:
        return Flight(self.carrier, self.number, self.dep_port, self.arr_port, self.dep_time, self.arr_time)


@dataclass(slots=True)
class _Reader:
    """State shared while reading the messages of one interchange."""

    source: str
    today: date
    tokens: Tokens
    problems: list[Problem] = field(default_factory=list)
    past_dates: dict[str, date | None] = field(default_factory=dict)
    near_dates: dict[str, date | None] = field(default_factory=dict)

    def problem(
        self,
        index: int,
        field_name: str,
        reason: str,
        *,
        subject: str = "",
        severity: Severity = Severity.WARNING,
        raw: str | None = None,
    ) -> None:
        """Record a problem at segment slot `index`."""
        tokens = self.tokens
        text = tokens.raws[index] if raw is None and index < len(tokens.raws) else raw or ""
        self.problems.append(
            Problem(self.source, tokens.position(index), field_name, reason, text, severity, subject)
        )

    def past_date(self, text: str) -> date | None:
        """Return a YYMMDD (or CCYYMMDD) date in the past: the century that puts it on or before today."""
        value = self.past_dates.get(text, _UNSEEN)
        if value is not _UNSEEN:
            return value
        value = _date(text, self.today.year, past=True)
        if value is not None and value > self.today and len(text) == 6:
            value = _replace_year(value, value.year - 100)
        self.past_dates[text] = value
        return value

    def near_date(self, text: str) -> date | None:
        """Return a YYMMDD date whose century puts it within 50 years of today (expiry dates)."""
        value = self.near_dates.get(text, _UNSEEN)
        if value is not _UNSEEN:
            return value
        value = _date(text, self.today.year, past=False)
        self.near_dates[text] = value
        return value


_UNSEEN: date | None = date.min  # marks a date not parsed yet (date.min never comes out of YYMMDD)
_DOC_TYPES: dict[str, DocumentType] = {}


def _doc_type(code: str) -> DocumentType:
    """Return the document type of a DOC code, remembering codes already seen."""
    found = _DOC_TYPES.get(code)
    if found is None:
        found = DocumentType.from_code(code)
        if len(_DOC_TYPES) < 512:
            _DOC_TYPES[code] = found
    return found


def _replace_year(value: date, year: int) -> date | None:
    try:
        return value.replace(year=year)
    except ValueError:  # 29 February of a year that is not leap
        return None


def _date(text: str, this_year: int, *, past: bool) -> date | None:
    """Return the date of `YYMMDD` / `CCYYMMDD`; two-digit years: 20YY unless more than 50 years ahead."""
    if not text.isdigit() or not text.isascii():
        return None
    n = len(text)
    try:
        if n == 6:
            number = int(text)
            year, month_day = divmod(number, 10000)
            year += 2000
            if not past and year > this_year + 50:
                year -= 100
            month, day = divmod(month_day, 100)
            return date(year, month, day)
        if n == 8:
            return date(int(text[:4]), int(text[4:6]), int(text[6:8]))
    except ValueError:
        return None
    return None


def _datetime(text: str, fmt: str, this_year: int) -> datetime | None:
    """Return a DTM date-time: 201 YYMMDDHHMM, 203 CCYYMMDDHHMM, 102 CCYYMMDD, 101 YYMMDD (by length)."""
    text = text.strip()
    if not text.isdigit() or not text.isascii():
        return None
    n = len(text)
    try:
        if n == 10 and fmt in ("201", ""):
            year = 2000 + int(text[:2])
            if year > this_year + 50:
                year -= 100
            return datetime(year, int(text[2:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]))
        if n == 12:
            return datetime(int(text[:4]), int(text[4:6]), int(text[6:8]), int(text[8:10]), int(text[10:12]))
        day = _date(text, this_year, past=False)
        return datetime(day.year, day.month, day.day) if day is not None else None
    except ValueError:
        return None


def _split_flight(ident: str, carrier: str) -> tuple[str, str]:
    """Return (carrier, number) of a TDT conveyance reference such as `UA0989` or `LA532`."""
    ident = ident.strip().replace(" ", "")
    carrier = carrier.strip()
    if carrier and ident.startswith(carrier) and len(ident) > len(carrier):
        return carrier, ident[len(carrier) :]
    # IATA airline designators are two characters (formats.md §1.4: TDT+20+<carrier><flight no>).
    if len(ident) > 2:
        return ident[:2], ident[2:]
    return carrier, ident


def _subject(draft: _Draft) -> str:
    word = "crew member" if draft.role in _CREW_ROLES else "passenger"
    name = f"{draft.family}/{draft.given}" if draft.given else draft.family
    return f"{word} {name}" if name else word


def parse_paxlst(data: bytes, *, source: str, today: date) -> ParseResult[Manifest]:
    """Return one Manifest per PAXLST message in `data`, and a Problem for everything not read.

    `today` fixes the century of two-digit years (birth and issue dates in the past; expiry and flight
    dates within 50 years of today). Raises `FormatError` (with a position) when the input is not
    EDIFACT, holds no PAXLST message, or is a legacy US CEDIPAX message (UNH ...PAXLST:001:000), which
    is not the WCO/IATA format (formats.md §1.1).
    """
    ic = read_interchange(data, source=source)
    reader = _Reader(source, today, ic.tokens)
    reader.problems.extend(ic.problems)
    manifests: list[Manifest] = []
    others: list[Message] = []
    for msg in ic.messages:
        if msg.type != "PAXLST":
            others.append(msg)
            continue
        directory = msg.header.get(2, 1).strip().upper()
        if directory != "D":
            if directory.isdigit():
                raise FormatError(
                    f"{source} {msg.header.position} (UNH): legacy US CEDIPAX PAXLST "
                    f"(PAXLST:{msg.version}) is not the WCO/IATA PAXLST format; send it to a CEDIPAX reader",
                    source=source,
                    position=msg.header.position,
                    field="UNH",
                    reason=f"legacy US CEDIPAX message version PAXLST:{msg.version}",
                )
            reader.problem(
                msg.header.index, "UNH", f"version {msg.version!r} is not D:02B or D:05B; read as D05B"
            )
        manifests.append(_read_message(reader, ic, msg))
    for msg in others:
        reader.problem(
            msg.header.index, "UNH", f"{msg.type or 'unnamed'} message {msg.ref!r} is not PAXLST; ignored"
        )
    if not manifests:
        first = ic.messages[0].header
        raise FormatError(
            f"{source} {first.position} (UNH): no PAXLST message in the interchange (found {first.get(2)!r})",
            source=source,
            position=first.position,
            field="UNH",
            reason="no PAXLST message",
        )
    return ParseResult(tuple(manifests), tuple(reader.problems))


def _code(value: str, comp: str) -> str:
    """Return the first component of an element, stripped and upper-case (a code: port, country)."""
    if comp in value:
        value = value.split(comp, 1)[0]
    return value.strip().upper()


def _read_message(reader: _Reader, ic: Interchange, msg: Message) -> Manifest:
    """Return the manifest of one message; traveller groups are read on the raw segments (hot path)."""
    tokens = ic.tokens
    raws = tokens.raws
    chars = tokens.chars
    elem = chars.element
    comp = chars.component
    rel = chars.release
    unescaper = tokens.unescaper
    check_rel = bool(rel) and rel in tokens.doc.text
    this_year = reader.today.year
    problem = reader.problem
    past_date = reader.past_date
    kind = MessageKind.OTHER
    function = ""
    reporting_party = ""
    legs: list[_Leg] = []
    leg: _Leg | None = None
    last_loc = ""  # qualifier of the last flight-level LOC, for the DTM that follows it
    drafts: list[_Draft] = []
    draft: _Draft | None = None
    doc: _Doc | None = None
    declared_pax: int | None = None
    declared_crew: int | None = None
    cnt_index: int | None = None
    saw_bgm = False
    for i in range(msg.first, msg.end):
        s = raws[i]
        if not s:
            continue
        held = False
        if check_rel and rel in s:
            s = unescaper.hold(s)
            held = True
        p = s.split(elem)
        tag = p[0]
        n = len(p)
        if draft is not None:
            if held:
                draft.held = True
            if tag == "LOC":
                qual = p[1] if n > 1 else ""
                code = p[2] if n > 2 else ""
                if comp in code:
                    code = code.split(comp, 1)[0]
                code = code.strip().upper()
                if qual == "178":
                    draft.embark = code
                elif qual == "179":
                    draft.debark = code
                elif qual == "174":
                    draft.residence = code
                elif qual == "91":
                    if doc is None:
                        problem(i, "LOC 91", "issuing state before any DOC segment", subject=draft.subject)
                    else:
                        doc.state = code
                elif qual == "180":
                    where = p[2].split(comp) if n > 2 else []
                    name = where[3].strip() if len(where) > 3 else ""
                    draft.birth_place = f"{name}, {code}" if name and code else (name or code)
                continue
            if tag == "DTM":
                c = p[1].split(comp) if n > 1 else [""]
                qual = c[0]
                value = c[1].strip() if len(c) > 1 else ""
                if qual == "329":
                    draft.birth = past_date(value) if value else None
                    if draft.birth is None and value:
                        problem(
                            i, "DTM 329", f"birth date {value!r} is not a date YYMMDD", subject=draft.subject
                        )
                elif qual == "36" or qual == "182":
                    if doc is None:
                        problem(
                            i, f"DTM {qual}", "document date before any DOC segment", subject=draft.subject
                        )
                    elif value:
                        day = reader.near_date(value) if qual == "36" else past_date(value)
                        if day is None:
                            problem(i, f"DTM {qual}", f"date {value!r} is not YYMMDD", subject=draft.subject)
                        elif qual == "36":
                            doc.expiry = day
                        else:
                            doc.issue = day
                continue
            if tag == "RFF":
                c = p[1].split(comp) if n > 1 else [""]
                qual = c[0]
                value = c[1].strip() if len(c) > 1 else ""
                if qual == "AVF":
                    draft.locator = value
                elif qual == "ABO":
                    draft.pax_ref = value
                elif qual == "SEA":
                    draft.seat = _seat(value)
                continue
            if tag == "DOC":
                code = _code(p[1], comp) if n > 1 else ""
                number = p[2].split(comp, 1)[0].strip() if n > 2 else ""
                if number:
                    doc = _Doc(code, number)
                    draft.docs.append(doc)
                else:
                    problem(i, "DOC", "document number is empty; document not kept", subject=draft.subject)
                    doc = None
                continue
            if tag == "NAD":
                role = _ROLE_BY_NAD.get(p[1].strip()) if n > 1 else None
                if role is not None:
                    draft.end = i
                    drafts.append(draft)
                    draft = _start_draft(reader, i, p, comp, role, held)
                    doc = None
                continue
            if tag == "ATT":
                code = _code(p[3], comp) if n > 3 else ""
                gender = _GENDERS.get(code)
                if gender is None:
                    if code:
                        problem(i, "ATT", f"gender {code!r} is not M, F, X or U", subject=draft.subject)
                    gender = Gender.UNKNOWN
                draft.gender = gender
                continue
            if tag == "NAT":
                code = p[2] if n > 2 else ""
                if comp in code:
                    code = code.split(comp, 1)[0]
                draft.nationality = code.strip().upper()
                continue
            if tag == "MEA":
                if n > 3 and p[1] == "CT":
                    text = p[3].split(comp, 1)[0].strip()
                    if text.isdigit() and text.isascii() and len(text) < 6:
                        draft.bags = int(text)
                    elif text:
                        problem(i, "MEA CT", f"bag count {text!r} is not a number", subject=draft.subject)
                continue
            if tag == "CNT":
                draft.end = i
                drafts.append(draft)
                draft = None
                doc = None
            else:
                if tag not in _KNOWN:
                    problem(
                        i, tag[:8] or "segment", f"unknown segment {tag[:8]!r} ignored", subject=draft.subject
                    )
                continue
        if tag == "NAD":
            qual = p[1].strip() if n > 1 else ""
            role = _ROLE_BY_NAD.get(qual)
            if role is not None:
                draft = _start_draft(reader, i, p, comp, role, held)
                doc = None
                continue
        # Message header, flight groups and trailer: few segments, read as full `Segment`s.
        seg = tokens.segment(i)
        if tag == "LOC":
            qual = seg.get(1)
            port = seg.get(2).strip().upper()
            if leg is None:
                if qual in ("125", "87", "92", "130", "188", "172"):
                    leg = _Leg("", "")
                    legs.append(leg)
                else:
                    continue
            last_loc = qual
            if qual == "125" or qual == "188":
                leg.dep_port = port
                leg.is_entry = leg.is_entry or qual == "125"
            elif qual == "87" or qual == "172":
                leg.arr_port = port
                leg.is_entry = leg.is_entry or qual == "87"
            elif qual == "92":
                if leg.open_92:
                    _close_92(leg)
                    if leg.dep_port and leg.arr_port:
                        leg = _next_leg(legs, leg)
                leg.open_92 = port
            elif qual == "130" and not leg.arr_port:
                leg.arr_port = port
        elif tag == "DTM":
            if leg is None:
                continue
            qual = seg.get(1, 0)
            value = seg.get(1, 1)
            when = _datetime(value, seg.get(1, 2).strip(), this_year)
            if when is None and value:
                problem(i, f"DTM {qual}", f"flight date and time {value!r} is not YYMMDDHHMM")
            if qual == "189" or (qual == "554" and last_loc == "188"):
                if last_loc == "92":
                    if leg.dep_port and leg.arr_port:
                        leg = _next_leg(legs, leg)
                    leg.dep_port = leg.open_92
                    leg.open_92 = ""
                leg.dep_time = when
            elif qual == "232" or qual == "554":
                if last_loc == "92":
                    leg.arr_port = leg.open_92
                    leg.open_92 = ""
                leg.arr_time = when
        elif tag == "TDT":
            if leg is not None and leg.open_92:
                _close_92(leg)
            carrier, number = _split_flight(seg.get(2), seg.get(5) or seg.get(8))
            leg = _Leg(carrier, number)
            legs.append(leg)
            last_loc = ""
        elif tag == "BGM":
            saw_bgm = True
            code = seg.get(1).strip()
            function = seg.get(2).strip()
            found = _KIND_BY_BGM.get(code)
            if found is None:
                problem(i, "BGM", f"document code {code!r} is not 745, 250, 266 or 336; kind set to other")
                kind = MessageKind.OTHER
            else:
                kind = found
        elif tag == "NAD":
            if seg.get(1).strip() == "MS":
                reporting_party = seg.get(4).strip() or seg.get(3).strip()
        elif tag == "CNT":
            cnt_index = i
            els = seg.elements
            for el_index, comps in enumerate(els):
                qual = comps[0].strip()
                text = comps[1].strip() if len(comps) > 1 else ""
                if not text and el_index + 1 < len(els) and len(comps) == 1:
                    text = els[el_index + 1][0].strip()  # CNT+41+8: composite written with +, formats.md §1.6
                if qual not in ("41", "42"):
                    continue
                count = int(text) if text.isdigit() and text.isascii() and len(text) < 7 else None
                if count is None:
                    problem(i, f"CNT {qual}", f"count {text!r} is not a number")
                elif qual == "42":
                    declared_pax = count
                else:
                    declared_crew = count
        elif tag not in _KNOWN:
            problem(i, tag[:8] or "segment", f"unknown segment {tag[:8]!r} ignored")
    if draft is not None:
        draft.end = msg.end
        drafts.append(draft)
    if leg is not None and leg.open_92:
        _close_92(leg)
    if not saw_bgm:
        problem(msg.header.index, "BGM", "no BGM segment: message kind unknown")
    travellers: list[Traveller] = []
    passengers_read = 0
    crew_read = 0
    for item in drafts:
        if item.role in _CREW_ROLES:
            crew_read += 1
        else:
            passengers_read += 1
        traveller = _finish(reader, item)
        if traveller is not None:
            travellers.append(traveller)
    flight, more = _pick_flight(legs)
    if not legs:
        problem(msg.header.index, "TDT", "no TDT/LOC flight details in the message")
    part = msg.part_number
    indicator = msg.part_indicator
    has_sequence = bool(msg.header.get(4))
    if has_sequence and part is None:
        problem(msg.header.index, "UNH", f"part number {msg.header.get(4)!r} is not a number; read as part 1")
    if indicator not in ("", "C", "F"):
        problem(msg.header.index, "UNH", f"part indicator {indicator!r} is not C or F; read as C")
    # UNH element 4: "01:F" only part; "nn:C" more to come; a missing indicator counts as C (formats.md §1.5).
    is_final = indicator == "F" or not has_sequence
    part_number = part if part is not None and part > 0 else 1
    if part_number == 1 and is_final and cnt_index is not None:
        if declared_pax is not None and declared_pax != passengers_read:
            problem(
                cnt_index,
                "CNT 42",
                f"CNT+42 declares {declared_pax} passengers, the message has {passengers_read}",
            )
        if declared_crew is not None and declared_crew != crew_read:
            problem(
                cnt_index,
                "CNT 41",
                f"CNT+41 declares {declared_crew} crew members, the message has {crew_read}",
            )
    return Manifest(
        kind=kind,
        flight=flight,
        travellers=tuple(travellers),
        sender=ic.sender,
        recipient=ic.recipient,
        message_ref=msg.ref,
        interchange_ref=ic.control_ref,
        reference=msg.common_access_ref,
        part_number=part_number,
        is_final_part=is_final,
        declared_passengers=declared_pax,
        declared_crew=declared_crew,
        legs=more,
        version=msg.version.replace(":", "").upper(),
        reporting_party=reporting_party,
        message_function=function,
    )


def _next_leg(legs: list[_Leg], leg: _Leg) -> _Leg:
    """Return a new leg of the same flight (D05B: several LOC+92 pairs under one TDT)."""
    new = _Leg(leg.carrier, leg.number)
    new.open_92 = leg.open_92
    legs.append(new)
    return new


def _close_92(leg: _Leg) -> None:
    """Give a LOC+92 port without DTM its role: the departure if none yet, else the arrival."""
    if not leg.dep_port:
        leg.dep_port = leg.open_92
    elif not leg.arr_port:
        leg.arr_port = leg.open_92
    leg.open_92 = ""


def _pick_flight(legs: list[_Leg]) -> tuple[Flight, tuple[Flight, ...]]:
    """Return the reported flight (the leg with LOC+125/87, else the first) and the other legs."""
    legs = [leg for leg in legs if leg.carrier or leg.number or leg.dep_port or leg.arr_port]
    if not legs:
        return Flight("", "", "", ""), ()
    main = next((i for i, leg in enumerate(legs) if leg.is_entry), 0)
    flights = [leg.flight() for leg in legs]
    return flights[main], tuple(f for i, f in enumerate(flights) if i != main)


def _start_draft(
    reader: _Reader, index: int, p: list[str], comp: str, role: TravellerRole, held: bool
) -> _Draft:
    name = p[4].split(comp) if len(p) > 4 else []
    if not name or (not name[0].strip() and not any([c.strip() for c in name])):
        # Some senders use the unstructured C058 (element 3) for the name.
        name = p[3].split(comp) if len(p) > 3 else []
    family = name[0].strip() if name else ""
    given = ""
    if len(name) > 1:
        given = " ".join([v for v in [c.strip() for c in name[1:]] if v])
    if held:
        family = reader.tokens.unescaper.restore(family)
        given = reader.tokens.unescaper.restore(given)
    draft = _Draft(index, role, family, given)
    if held:
        draft.held = True
    if family and not given and " " in family:
        reader.problem(
            index,
            "NAD",
            "name in one component: family and given names not told apart",
            subject=draft.subject,
        )
    return draft


def _finish(reader: _Reader, draft: _Draft) -> Traveller | None:
    if not draft.family:
        term = reader.tokens.chars.terminator
        raws = reader.tokens.raws
        raw = "".join(raws[j] + term for j in range(draft.first, draft.end) if raws[j])
        reader.problem(
            draft.first,
            "NAD",
            "traveller has no family name",
            subject=draft.subject if draft.given else draft.subject + " (no name)",
            severity=Severity.ERROR,
            raw=raw,
        )
        return None
    docs = tuple(
        [
            TravelDocument(_doc_type(d.code), d.number, d.state, d.expiry, d.issue, "", d.code)
            for d in draft.docs
        ]
    )
    traveller = Traveller(
        draft.family,
        draft.given,
        draft.birth,
        draft.gender,
        draft.nationality,
        draft.role,
        docs,
        draft.residence,
        draft.birth_place,
        draft.embark,
        draft.debark,
        draft.seat,
        draft.locator,
        draft.pax_ref,
        draft.bags,
    )
    if draft.held:
        traveller = _restored(traveller, reader.tokens.unescaper.restore)
    return traveller


def _restored(traveller: Traveller, restore: Callable[[str], str]) -> Traveller:
    """Return the traveller with released separators put back into every text field."""
    docs = tuple(
        replace(d, number=restore(d.number), issuing_state=restore(d.issuing_state), code=restore(d.code))
        for d in traveller.documents
    )
    return replace(
        traveller,
        nationality=restore(traveller.nationality),
        documents=docs,
        residence_country=restore(traveller.residence_country),
        birth_place=restore(traveller.birth_place),
        embarkation=restore(traveller.embarkation),
        debarkation=restore(traveller.debarkation),
        seat=restore(traveller.seat),
        record_locator=restore(traveller.record_locator),
        passenger_ref=restore(traveller.passenger_ref),
    )


def merge_paxlst_parts(manifests: Sequence[Manifest], *, source: str = "") -> ParseResult[Manifest]:
    """Return one Manifest per multi-part message (same flight and UNH reference), parts joined in order.

    Parts may come out of order or twice (formats.md §1.5). An identical duplicate is dropped quietly;
    a duplicate that differs replaces the earlier copy (a resend corrects), with a warning. A missing
    part or a missing final part is a warning, and the merged manifest then has `is_final_part=False`.
    Travellers of every part received are kept. CNT totals are checked on the merged manifest.
    """
    groups: dict[tuple[str, str, str], list[Manifest]] = {}
    for manifest in manifests:
        key = (manifest.flight.key, manifest.reference, manifest.sender)
        groups.setdefault(key, []).append(manifest)
    problems: list[Problem] = []
    merged: list[Manifest] = []
    for (flight_key, reference, _sender), parts in groups.items():
        label = f"{flight_key} reference {reference!r}"
        by_number: dict[int, Manifest] = {}
        for part in parts:
            earlier = by_number.get(part.part_number)
            if earlier is not None and earlier != part:
                problems.append(
                    Problem(
                        source,
                        Position(record=part.part_number),
                        "UNH",
                        f"{label}: part {part.part_number} received twice with different content; "
                        "the later copy is used",
                        severity=Severity.WARNING,
                    )
                )
            by_number[part.part_number] = part
        numbers = sorted(by_number)
        finals = [n for n in numbers if by_number[n].is_final_part]
        last = finals[0] if finals else None
        if last is None:
            problems.append(
                Problem(
                    source,
                    Position(record=numbers[-1]),
                    "UNH",
                    f"{label}: final part (nn:F) not received; parts so far: {numbers}",
                    severity=Severity.WARNING,
                )
            )
        top = last if last is not None else numbers[-1]
        missing = [n for n in range(1, top + 1) if n not in by_number]
        if missing:
            problems.append(
                Problem(
                    source,
                    Position(record=missing[0]),
                    "UNH",
                    f"{label}: part(s) {missing} missing",
                    severity=Severity.WARNING,
                )
            )
        extra = [n for n in numbers if last is not None and n > last]
        if extra:
            problems.append(
                Problem(
                    source,
                    Position(record=extra[0]),
                    "UNH",
                    f"{label}: part(s) {extra} arrived after the final part {last}",
                    severity=Severity.WARNING,
                )
            )
        ordered = [by_number[n] for n in numbers]
        first = ordered[0]
        travellers = tuple(t for part in ordered for t in part.travellers)
        legs: list[Flight] = []
        for part in ordered:
            for one in part.legs:
                if one not in legs:
                    legs.append(one)
        declared_pax = next(
            (p.declared_passengers for p in reversed(ordered) if p.declared_passengers is not None), None
        )
        declared_crew = next(
            (p.declared_crew for p in reversed(ordered) if p.declared_crew is not None), None
        )
        complete = last is not None and not missing
        result = replace(
            first,
            travellers=travellers,
            part_number=1,
            is_final_part=complete,
            declared_passengers=declared_pax,
            declared_crew=declared_crew,
            legs=tuple(legs),
        )
        if complete:
            crew = sum(1 for t in travellers if t.role in _CREW_ROLES)
            pax = len(travellers) - crew
            if declared_pax is not None and declared_pax != pax:
                problems.append(
                    Problem(
                        source,
                        Position(record=top),
                        "CNT 42",
                        f"{label}: CNT+42 declares {declared_pax} passengers, the parts hold {pax}",
                        severity=Severity.WARNING,
                    )
                )
            if declared_crew is not None and declared_crew != crew:
                problems.append(
                    Problem(
                        source,
                        Position(record=top),
                        "CNT 41",
                        f"{label}: CNT+41 declares {declared_crew} crew members, the parts hold {crew}",
                        severity=Severity.WARNING,
                    )
                )
        merged.append(result)
    return ParseResult(tuple(merged), tuple(problems))


# ---------------------------------------------------------------------------------------------- writing


def _yymmdd(day: date) -> str:
    return f"{day.year % 100:02d}{day.month:02d}{day.day:02d}"


def _stamp(when: datetime) -> str:
    return f"{when.year % 100:02d}{when.month:02d}{when.day:02d}{when.hour:02d}{when.minute:02d}"


def _syntax_level(texts: Sequence[str]) -> tuple[str, str]:
    """Return the UNB syntax identifier and the encoding the values need (UNOA, UNOB or UNOW UTF-8)."""
    joined = "".join(texts)
    if joined.isascii():
        if joined == joined.upper():
            return "UNOA", "ascii"
        return "UNOB", "ascii"
    return "UNOW", "utf-8"


def write_paxlst(
    manifest: Manifest,
    *,
    version: str = "D05B",
    chars: ServiceChars = DEFAULT_SERVICE_CHARS,
    prepared_at: datetime | None = None,
    application_ref: str = "APIS",
) -> bytes:
    """Return a PAXLST interchange (UNA, UNB, one UNH message, UNZ) carrying `manifest`.

    Values are escaped with the release character. `prepared_at` (UNB date/time) defaults to the
    flight's departure time, so the same manifest always gives the same bytes. The syntax level is the
    lowest that holds every value: UNOA (upper-case ASCII), UNOB (ASCII), else UNOW (UTF-8).
    Raises `ValueError` for a manifest kind PAXLST cannot express (PNR push, CSV manifest, other).
    """
    bgm = _BGM_BY_KIND.get(manifest.kind)
    if bgm is None:
        raise ValueError(f"a {manifest.kind.value} cannot be written as PAXLST")
    if len(version) != 4 or not version.startswith("D"):
        raise ValueError(f"PAXLST version must look like D02B or D05B, not {version!r}")
    e = chars.element
    c = chars.component
    t = chars.terminator

    def esc(value: str) -> str:
        return escape(value, chars)

    out: list[str] = []
    add = out.append
    flight = manifest.flight
    msg_ref = esc(manifest.message_ref or "1")
    add(
        f"UNH{e}{msg_ref}{e}PAXLST{c}D{c}{version[1:]}{c}UN{c}IATA{e}{esc(manifest.reference)}{e}"
        f"{manifest.part_number:02d}{c}{'F' if manifest.is_final_part else 'C'}"
    )
    add(f"BGM{e}{bgm}{e}{esc(manifest.message_function)}" if manifest.message_function else f"BGM{e}{bgm}")
    if manifest.reporting_party:
        add(f"NAD{e}MS{e}{e}{e}{esc(manifest.reporting_party)}")
    _write_leg(add, chars, flight, entry=True)
    for leg in manifest.legs:
        _write_leg(add, chars, leg, entry=False)
    passengers = 0
    crew = 0
    for person in manifest.travellers:
        if person.role in _CREW_ROLES:
            crew += 1
        else:
            passengers += 1
        given = f"{c}{esc(person.given_names)}" if person.given_names else ""
        add(f"NAD{e}{_NAD_BY_ROLE[person.role]}{e}{e}{e}{esc(person.family_name)}{given}")
        if person.gender is not Gender.UNKNOWN:
            add(f"ATT{e}2{e}{e}{person.gender.value}")
        if person.birth_date is not None:
            add(f"DTM{e}329{c}{_yymmdd(person.birth_date)}")
        if person.bags is not None:
            add(f"MEA{e}CT{e}{e}{person.bags}")
        if person.embarkation:
            add(f"LOC{e}178{e}{esc(person.embarkation)}")
        if person.debarkation:
            add(f"LOC{e}179{e}{esc(person.debarkation)}")
        if person.residence_country:
            add(f"LOC{e}174{e}{esc(person.residence_country)}")
        if person.birth_place:
            add(f"LOC{e}180{e}{c}{c}{c}{esc(person.birth_place)}")
        if person.nationality:
            add(f"NAT{e}2{e}{esc(person.nationality)}")
        if person.record_locator:
            add(f"RFF{e}AVF{c}{esc(person.record_locator)}")
        if person.passenger_ref:
            add(f"RFF{e}ABO{c}{esc(person.passenger_ref)}")
        if person.seat:
            add(f"RFF{e}SEA{c}{esc(person.seat)}")
        for doc in person.documents:
            # 110:111 = ICAO code list and agency (formats.md §1.4).
            code = f"{esc(doc.code)}{c}110{c}111" if doc.code else ""
            add(f"DOC{e}{code}{e}{esc(doc.number)}")
            if doc.expiry_date is not None:
                add(f"DTM{e}36{c}{_yymmdd(doc.expiry_date)}")
            if doc.issue_date is not None:
                add(f"DTM{e}182{c}{_yymmdd(doc.issue_date)}")
            if doc.issuing_state:
                add(f"LOC{e}91{e}{esc(doc.issuing_state)}")
    crew_list = manifest.kind in (MessageKind.CREW_LIST, MessageKind.MASTER_CREW_LIST)
    if manifest.declared_passengers is not None or passengers or not crew_list:
        count = manifest.declared_passengers if manifest.declared_passengers is not None else passengers
        add(f"CNT{e}42{c}{count}")
    if manifest.declared_crew is not None or crew or crew_list:
        count = manifest.declared_crew if manifest.declared_crew is not None else crew
        add(f"CNT{e}41{c}{count}")
    add(f"UNT{e}{len(out) + 1}{e}{msg_ref}")
    body = t.join(out) + t
    syntax, encoding = _syntax_level(
        [body, manifest.sender, manifest.recipient, manifest.interchange_ref, application_ref]
    )
    when = prepared_at or flight.departure_time or datetime(2000, 1, 1)
    ic_ref = esc(manifest.interchange_ref or "1")
    unb = (
        f"UNB{e}{syntax}{c}4{e}{esc(manifest.sender)}{c}ZZ{e}{esc(manifest.recipient)}{c}ZZ{e}"
        f"{when.year % 100:02d}{when.month:02d}{when.day:02d}{c}{when.hour:02d}{when.minute:02d}{e}"
        f"{ic_ref}{e}{e}{esc(application_ref)}"
    )
    text = f"{chars.una}{unb}{t}{body}UNZ{e}1{e}{ic_ref}{t}"
    return text.encode(encoding)


def _write_leg(emit: Callable[[str], None], chars: ServiceChars, flight: Flight, *, entry: bool) -> None:
    e, c = chars.element, chars.component
    carrier = escape(flight.carrier, chars)
    emit(f"TDT{e}20{e}{carrier}{escape(flight.number, chars)}{e}{e}{e}{carrier}")
    dep, arr = ("125", "87") if entry else ("92", "92")
    emit(f"LOC{e}{dep}{e}{escape(flight.departure_port, chars)}")
    if flight.departure_time is not None:
        emit(f"DTM{e}189{c}{_stamp(flight.departure_time)}{c}201")
    emit(f"LOC{e}{arr}{e}{escape(flight.arrival_port, chars)}")
    if flight.arrival_time is not None:
        emit(f"DTM{e}232{c}{_stamp(flight.arrival_time)}{c}201")
