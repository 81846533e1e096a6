"""PNRGOV (PNR data pushed to governments): messages read from bytes into domain `PnrMessage`s.

`parse_pnrgov` returns one `PnrMessage` per UNH message: the reported flight (message-level TVL) and
one `Booking` per SRC group, with its travellers (every TIF of the SRC: co-travellers), documents
(SSR DOCS/DOCO/DOCA), itinerary (TVL), payments (FOP, payer IFT+4:43), agency (ORG), contacts (IFT
CTCx, ADD), seats (SSR SEAT and check-in SSD) and bags (TBD). Layout and sources: docs formats.md §2
(PNRGOV implementation guide as reproduced by the GTAS fixtures).

Choices worth knowing:

- `Booking.bag_count` / `bag_weight_kg` add up every TBD of the booking, leg by leg, as GTAS does
  (`pnrExampleTest` expects 18 for `pnrMessageExample.txt`); `Traveller.bags` is the most bags one
  traveller checked on any leg. TBD weight unit 700 is kilograms and 701 pounds (PADIS code set,
  [unverified] against the IATA text).
- TVL segments after ABI (history) or in a non-air group (EQN ... MSG+8) are not itinerary legs.
- A full card number (PAN) received in clear is masked before it is stored (PCI DSS 3.4) and the
  problem reported without the number.
- Given names as booked carry the title (`MOLLYMRS`, `KONG CHUN MRS`); it is moved to
  `BookedTraveller.title` so names screen like names.

`write_pnrgov` is the other direction (used by the training service to produce realistic flights):
it writes what `parse_pnrgov` reads, so `parse_pnrgov(write_pnrgov(m))` gives back `m`'s bookings.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import date, datetime

from borderwatch.domain.travellers import (
    BookedTraveller,
    Booking,
    DocumentType,
    Flight,
    Gender,
    PaymentMethod,
    PnrMessage,
    Segment,
    TravelDocument,
    Traveller,
)
from borderwatch.errors import FormatError
from borderwatch.formats.edifact import (
    DEFAULT_SERVICE_CHARS,
    Interchange,
    Message,
    ServiceChars,
    escape,
    read_interchange,
)
from borderwatch.formats.edifact import Segment as EdiSegment
from borderwatch.formats.problems import ParseResult, Problem, Severity

__all__ = ["parse_pnrgov", "write_pnrgov"]

_MONTHS = {
    m: i
    for i, m in enumerate(
        ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"], start=1
    )
}
_SPACED_TITLES = (
    "MSTR",
    "MISS",
    "MRS",
    "MR",
    "MS",
    "DR",
    "PROF",
    "REV",
    "CAPT",
    "SIR",
    "MME",
    "MLLE",
    "CHD",
    "INF",
)
_GLUED_TITLES = ("MSTR", "MISS", "MRS", "MR")
_SEAT_SSRS = frozenset(("SEAT", "NSST", "NSSA", "NSSW", "SMST", "SMSA", "SMSW", "RQST"))
_CONTACT = re.compile(r"CTC([A-Z])\s*(.*)")
_NOT_PHONE = re.compile(r"[^0-9+]")
_POUND_KG = 0.45359237


def _seat(text: str) -> str:
    """Return a seat without leading zeros (`074E` -> `74E`); "" for the XXX placeholder."""
    text = text.strip().upper()
    if not text or text == "XXX" or not any(ch.isdigit() for ch in text):
        return ""
    return text.lstrip("0") or text


def _split_title(given: str) -> tuple[str, str]:
    """Return (given names, title) with a booking title taken off the end (`MOLLYMRS` -> MOLLY, MRS)."""
    text = " ".join(given.split())
    for title in _SPACED_TITLES:
        if text.endswith(" " + title):
            return text[: -len(title) - 1].rstrip(), title
    for title in _GLUED_TITLES:
        if text.endswith(title) and len(text) - len(title) >= 2 and " " not in text[-len(title) - 1 :]:
            return text[: -len(title)], title
    return text, ""


def _ddmmyy(text: str, time: str = "") -> datetime | None:
    """Return the date-time of PNRGOV `DDMMYY` (+ `HHMM` or `HHMMSS`); None when unreadable."""
    text = text.strip()
    time = time.strip()
    if len(text) != 6 or not text.isdigit() or not text.isascii():
        return None
    hour = minute = second = 0
    if time:
        if not time.isdigit() or not time.isascii() or len(time) not in (4, 6):
            return None
        hour, minute = int(time[:2]), int(time[2:4])
        second = int(time[4:6]) if len(time) == 6 else 0
    try:
        return datetime(2000 + int(text[4:6]), int(text[2:4]), int(text[:2]), hour, minute, second)
    except ValueError:
        return None


def _ddmmmyy(text: str, today: date, *, past: bool) -> date | None:
    """Return the date of an SSR `13AUG54`; two-digit years: past dates never after today, others 20YY."""
    text = text.strip().upper()
    if len(text) != 7 or not text[:2].isdigit() or not text[5:].isdigit() or text[2:5] not in _MONTHS:
        return None
    year = 2000 + int(text[5:])
    try:
        value = date(year, _MONTHS[text[2:5]], int(text[:2]))
        if (past and value > today) or (not past and year > today.year + 50):
            value = value.replace(year=year - 100)
    except ValueError:
        return None
    return value


def _same_ref(a: str, b: str) -> bool:
    """True when two traveller references are the same (`002` and `2` are)."""
    return bool(a) and (a == b or a.lstrip("0") == b.lstrip("0"))


@dataclass(slots=True)
class _Person:
    """A TIF being read."""

    index: int  # TIF segment slot
    family: str
    given: str
    title: str
    ref: str
    is_infant: bool
    with_infant: bool
    infant_of: str = ""
    birth: date | None = None
    gender: Gender = Gender.UNKNOWN
    nationality: str = ""
    residence: str = ""
    birth_place: str = ""
    passenger_ref: str = ""
    ticket: str = ""
    frequent_flyer: str = ""
    docs: list[TravelDocument] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    seats: list[tuple[str, str, str]] = field(default_factory=list)  # (from, to, seat)
    bags: int | None = None

    @property
    def subject(self) -> str:
        name = f"{self.family}/{self.given}" if self.given else self.family
        return f"passenger {name}" if name else "passenger"


@dataclass(slots=True)
class _Pnr:
    """A SRC group being read."""

    index: int
    locator: str = ""
    created: datetime | None = None
    modified: datetime | None = None
    ticketed: datetime | None = None
    agency: str = ""
    country: str = ""
    originator: str = ""
    other_locators: list[str] = field(default_factory=list)
    people: list[_Person] = field(default_factory=list)
    legs: list[Segment] = field(default_factory=list)
    payments: list[PaymentMethod] = field(default_factory=list)
    contacts: list[str] = field(default_factory=list)
    addresses: list[str] = field(default_factory=list)
    seats: list[tuple[str, str]] = field(default_factory=list)
    bag_count: int | None = None
    bag_weight: float | None = None


class _Reader:
    def __init__(self, ic: Interchange, source: str, today: date) -> None:
        self.ic = ic
        self.source = source
        self.today = today
        self.problems: list[Problem] = list(ic.problems)

    def problem(
        self,
        seg: EdiSegment,
        field_name: str,
        reason: str,
        *,
        subject: str = "",
        raw: str | None = None,
        severity: Severity = Severity.WARNING,
    ) -> None:
        self.problems.append(
            Problem(
                self.source,
                seg.position,
                field_name,
                reason,
                seg.raw if raw is None else raw,
                severity,
                subject,
            )
        )


def parse_pnrgov(data: bytes, *, source: str, today: date) -> ParseResult[PnrMessage]:
    """Return one PnrMessage per PNRGOV message in `data`, and a Problem for everything not read.

    `today` fixes the century of two-digit birth years in SSR DOCS (a birth date is never after today).
    Raises `FormatError` (with a position) when the input is not EDIFACT or holds no PNRGOV message.
    """
    ic = read_interchange(data, source=source)
    reader = _Reader(ic, source, today)
    records: list[PnrMessage] = []
    for msg in ic.messages:
        if msg.type != "PNRGOV":
            reader.problem(
                msg.header, "UNH", f"{msg.type or 'unnamed'} message {msg.ref!r} is not PNRGOV; ignored"
            )
            continue
        records.append(_read_message(reader, msg))
    if not records:
        first = ic.messages[0].header
        raise FormatError(
            f"{source} {first.position} (UNH): no PNRGOV message in the interchange (found {first.get(2)!r})",
            source=source,
            position=first.position,
            field="UNH",
            reason="no PNRGOV message",
        )
    return ParseResult(tuple(records), tuple(reader.problems))


def _tvl(seg: EdiSegment) -> Segment | None:
    """Return the flight of a TVL segment, None when it names no ports (codeshare operating TVL)."""
    dep_port = seg.get(2).strip().upper()
    arr_port = seg.get(3).strip().upper()
    if not dep_port and not arr_port:
        return None
    dep_day, dep_time, arr_day, arr_time = (seg.get(1, k) for k in range(4))
    if not arr_time and len(arr_day.strip()) == 4:
        arr_day, arr_time = "", arr_day  # TVL+280918:1220:1505: the third component is a time
    departure = _ddmmyy(dep_day, dep_time)
    arrival = _ddmmyy(arr_day or dep_day, arr_time) if (arr_day or arr_time) else None
    return Segment(
        carrier=seg.get(4, 0).strip(),
        number=seg.get(5, 0).strip(),
        departure_port=dep_port,
        arrival_port=arr_port,
        departure_time=departure,
        arrival_time=arrival,
        booking_class=seg.get(5, 1).strip(),
    )


def _read_message(reader: _Reader, msg: Message) -> PnrMessage:
    flight = Flight("", "", "", "")
    declared: int | None = None
    pnrs: list[_Pnr] = []
    pnr: _Pnr | None = None
    person: _Person | None = None  # TIF group being read (booking part)
    checkin: _Person | None = None  # TIF inside a TRI check-in group
    leg: Segment | None = None
    mode = "pnr"  # pnr -> itinerary (first TVL) -> history (ABI, LTS) / nonair (EQN in a SRC)
    last_payment = -1  # index in pnr.payments of the FOP an IFT+4:43 would belong to
    money: tuple[str, str] = ("", "")  # MON total amount and currency of the current TIF group
    for seg in msg.body:
        tag = seg.tag
        if tag == "SRC":
            pnr = _Pnr(seg.index)
            pnrs.append(pnr)
            person = checkin = None
            leg = None
            mode = "pnr"
            last_payment = -1
            continue
        if pnr is None:
            if tag == "TVL":
                found = _tvl(seg)
                if found is None:
                    reader.problem(seg, "TVL", "reported flight has no ports")
                else:
                    flight = Flight(
                        found.carrier,
                        found.number,
                        found.departure_port,
                        found.arrival_port,
                        found.departure_time,
                        found.arrival_time,
                    )
            elif tag == "EQN":
                text = seg.get(1).strip()
                declared = int(text) if text.isdigit() and text.isascii() and len(text) < 7 else None
            continue
        if tag in ("ABI", "LTS"):
            mode = "history"
            continue
        if mode in ("history", "nonair"):
            continue
        if tag == "TVL":
            mode = "itinerary"
            person = checkin = None
            leg = _tvl(seg)
            if leg is not None:
                pnr.legs.append(leg)
            continue
        if tag == "EQN" and mode == "itinerary":
            mode = "nonair"
            continue
        if mode == "pnr":
            if tag == "TIF":
                person = _tif(reader, seg, pnr)
                last_payment = -1
                money = ("", "")
                continue
            if tag == "RCI":
                _rci(reader, seg, pnr)
            elif tag == "DAT":
                _dat(seg, pnr, booking_level=person is None)
            elif tag == "ORG" and person is None:
                pnr.originator = " ".join(p for p in (seg.get(1, 0).strip(), seg.get(1, 1).strip()) if p)
                pnr.agency = seg.get(2, 0).strip() or seg.get(2, 1).strip()
                pnr.country = seg.get(6, 0).strip().upper()
            elif tag == "ADD":
                address, phone = _address(seg)
                target_addresses = person.addresses if person is not None else pnr.addresses
                target_contacts = person.contacts if person is not None else pnr.contacts
                if address and address not in target_addresses:
                    target_addresses.append(address)
                if phone and phone not in target_contacts:
                    target_contacts.append(phone)
            elif tag == "IFT":
                if seg.get(1, 1) == "43":
                    _payer(seg, pnr, last_payment)
                else:
                    contact = _contact(seg)
                    target = person.contacts if person is not None else pnr.contacts
                    if contact and contact not in target:
                        target.append(contact)
            elif tag == "FOP":
                pnr.payments.append(_fop(reader, seg, money, person))
                last_payment = len(pnr.payments) - 1
            elif tag == "MON":
                for element in seg.elements:
                    if element and element[0] == "T" and len(element) > 1:
                        money = (element[1].strip(), element[2].strip() if len(element) > 2 else "")
            elif person is not None:
                if tag == "SSR":
                    _ssr(reader, seg, pnr, person, leg=None)
                elif tag == "REF":
                    person.passenger_ref = seg.get(1, 1).strip() or seg.get(1, 0).strip()
                elif tag == "TKT":
                    ticket = seg.get(1, 0).strip()
                    if ticket and not person.ticket:
                        person.ticket = ticket
                elif tag == "FTI":
                    airline, number = seg.get(1, 0).strip(), seg.get(1, 1).strip()
                    if number:
                        person.frequent_flyer = f"{airline} {number}".strip()
            elif tag == "SSR":
                _ssr(reader, seg, pnr, None, leg=None)
            continue
        # Itinerary: SSR per leg, check-in groups (TRI, TIF, SSD, TBD).
        if tag == "SSR":
            _ssr(reader, seg, pnr, None, leg=leg)
        elif tag == "TRI":
            checkin = None
        elif tag == "TIF":
            checkin = _match(pnr, seg)
            if checkin is None:
                reader.problem(seg, "TIF", "checked-in traveller not among the booking's travellers")
        elif tag == "SSD":
            seat = _seat(seg.get(1, 0))
            if seat and checkin is not None:
                _add_seat(pnr, checkin, leg, seat)
        elif tag == "TBD":
            _bags(reader, seg, pnr, checkin)
    bookings = tuple(_booking(reader, msg, item, flight) for item in pnrs)
    if declared is not None and declared != len(pnrs):
        reader.problem(msg.header, "EQN", f"EQN declares {declared} PNRs, the message holds {len(pnrs)}")
    return PnrMessage(
        flight=flight,
        bookings=bookings,
        sender=reader.ic.sender,
        message_ref=msg.ref,
        version=msg.version.replace(":", "."),
        declared_bookings=declared,
    )


def _tif(reader: _Reader, seg: EdiSegment, pnr: _Pnr) -> _Person | None:
    """Return the traveller a TIF names, added to the booking (an infant met in SSR INFT is reused)."""
    family = seg.get(1, 0).strip()
    given, title = _split_title(seg.get(2, 0))
    kind = seg.get(2, 1).strip().upper()
    person = _Person(
        index=seg.index,
        family=family,
        given=given,
        title=title,
        ref=seg.get(2, 2).strip(),
        is_infant=kind in ("IN", "INF", "I"),
        with_infant=seg.get(2, 3).strip() == "1",
    )
    if not family:
        reader.problem(
            seg,
            "TIF",
            "traveller has no family name",
            subject=person.subject + " (no name)",
            severity=Severity.ERROR,
        )
        return None
    if person.is_infant:
        for known in pnr.people:
            if known.is_infant and known.family == family and known.given == given:
                known.ref = person.ref or known.ref
                return known
    pnr.people.append(person)
    return person


def _match(pnr: _Pnr, seg: EdiSegment) -> _Person | None:
    """Return the booking's traveller a TIF (check-in, history) refers to: by reference, else by name."""
    ref = seg.get(2, 2).strip()
    if ref:
        for person in pnr.people:
            if _same_ref(person.ref, ref):
                return person
    family = seg.get(1, 0).strip()
    given, _title = _split_title(seg.get(2, 0))
    for person in pnr.people:
        if person.family == family and person.given == given:
            return person
    return None


def _rci(reader: _Reader, seg: EdiSegment, pnr: _Pnr) -> None:
    comps = seg.elements[0] if seg.elements else []
    locator = comps[1].strip() if len(comps) > 1 else ""
    if not pnr.locator:
        pnr.locator = locator
        # RCI C330: airline, locator, type, date DDMMYY, time. Some senders leave out the type.
        for k in (3, 2):
            if len(comps) > k and len(comps[k].strip()) == 6:
                created = _ddmmyy(comps[k], comps[k + 1] if len(comps) > k + 1 else "")
                if created is not None:
                    pnr.created = created
                    break
    elif locator and locator != pnr.locator:
        pnr.other_locators.append(f"{comps[0].strip()} {locator}".strip())
    for element in seg.elements[1:]:
        other = element[1].strip() if len(element) > 1 else ""
        if other:
            text = f"{element[0].strip()} {other}".strip()
            if text not in pnr.other_locators:
                pnr.other_locators.append(text)


def _dat(seg: EdiSegment, pnr: _Pnr, *, booking_level: bool) -> None:
    for element in seg.elements:
        qual = element[0].strip() if element else ""
        when = _ddmmyy(element[1] if len(element) > 1 else "", element[2] if len(element) > 2 else "")
        if when is None:
            continue
        if qual == "700" and pnr.modified is None and booking_level:
            pnr.modified = when
        elif qual == "710" and pnr.ticketed is None:
            pnr.ticketed = when  # GTAS: "date booked" is the first DAT 710


def _address(seg: EdiSegment) -> tuple[str, str]:
    comps = seg.elements[1] if len(seg.elements) > 1 else []
    parts = [comps[k].strip() for k in (1, 2, 3, 6, 5) if len(comps) > k and comps[k].strip()]
    # The phone component may hold several numbers marked H(ome), W(ork)...: keep the first.
    numbers = [_NOT_PHONE.sub("", p) for p in re.split(r"[A-Z]", comps[7])] if len(comps) > 7 else []
    phone = next((n for n in numbers if len(n) >= 6), "")
    return ", ".join(parts), phone


def _contact(seg: EdiSegment) -> str:
    """Return the e-mail or phone of an IFT CTCx free text (CTCE: `//` = @, `..` = _), or ""."""
    text = " ".join(c for element in seg.elements[1:] for c in element if c)
    match = _CONTACT.search(text)
    if match is None:
        return ""
    kind, value = match.group(1), match.group(2).strip()
    if kind == "E":
        return value.replace("//", "@").replace("..", "_").replace(" ", "")
    return _NOT_PHONE.sub("", value)


def _mask(number: str) -> tuple[str, bool]:
    """Return a card number with all but the last four digits masked, and whether it came in clear."""
    digits = sum(ch.isdigit() for ch in number)
    if digits >= 12 and number.isdigit():
        return "X" * (len(number) - 4) + number[-4:], True
    return number, False


def _fop(reader: _Reader, seg: EdiSegment, money: tuple[str, str], person: _Person | None) -> PaymentMethod:
    kind = seg.get(1, 0).strip().upper()
    amount = seg.get(1, 2).strip() or money[0]
    number, in_clear = _mask(seg.get(1, 4).strip())
    if in_clear:
        reader.problem(
            seg,
            "FOP",
            "card number received in clear; masked before storing",
            subject=person.subject if person is not None else "",
            raw="",
        )
    return PaymentMethod(
        kind=kind,
        amount=amount,
        currency=money[1],
        card_type=seg.get(1, 3).strip(),
        card_number_masked=number,
        card_expiry=seg.get(1, 5).strip(),
    )


def _payer(seg: EdiSegment, pnr: _Pnr, last_payment: int) -> None:
    """Put an IFT+4:43 (payer name, address, phone) on the FOP it follows."""
    if last_payment < 0:
        return
    texts = [" ".join(c for c in element if c).strip() for element in seg.elements[1:]]
    name = texts[0] if texts else ""
    address = texts[1] if len(texts) > 1 else ""
    phone = _NOT_PHONE.sub("", texts[2]) if len(texts) > 2 else ""
    pnr.payments[last_payment] = replace(
        pnr.payments[last_payment], payer_name=name, payer_address=address, payer_phone=phone
    )


def _ssr_text(seg: EdiSegment) -> str:
    comps = seg.elements[0] if seg.elements else []
    return ":".join(comps[8:]) if len(comps) > 8 else ""


def _ssr_refs(seg: EdiSegment) -> list[str]:
    return [element[2].strip() for element in seg.elements[1:] if len(element) > 2 and element[2].strip()]


def _ssr(reader: _Reader, seg: EdiSegment, pnr: _Pnr, person: _Person | None, *, leg: Segment | None) -> None:
    code = seg.get(1, 0).strip().upper()
    if code in _SEAT_SSRS:
        board, off = seg.get(1, 6).strip().upper(), seg.get(1, 7).strip().upper()
        for element in seg.elements[1:]:
            seat = _seat(element[0]) if element else ""
            ref = element[2].strip() if len(element) > 2 else ""
            target = person or next((p for p in pnr.people if _same_ref(p.ref, ref)), None)
            if seat and target is not None:
                _add_seat(pnr, target, Segment("", "", board, off) if (board or off) else leg, seat)
        return
    if code not in ("DOCS", "DOCO", "DOCA", "INFT"):
        return
    targets = [person] if person is not None else []
    if not targets:
        refs = _ssr_refs(seg)
        targets = [p for p in pnr.people if any(_same_ref(p.ref, r) for r in refs)]
        if not targets and len(pnr.people) == 1:
            targets = pnr.people[:]
    if not targets:
        return
    text = _ssr_text(seg)
    fields = text.split("/")
    if fields and not fields[0].strip() and text.startswith("/"):
        fields = fields[1:]
    fields = [f.strip() for f in fields] + [""] * 11
    for target in targets:
        if code == "DOCS":
            if len(fields[5]) == 2 and fields[5].upper().endswith("I") and not target.is_infant:
                # Gender FI / MI: the document of the lap infant carried by this adult (IATA SSR DOCS).
                infant = next((p for p in pnr.people if p.is_infant and p.infant_of == target.ref), None)
                if infant is None:
                    _infant(reader, seg, pnr, target, [fields[7], fields[8], fields[4]])
                    infant = pnr.people[-1] if pnr.people[-1].is_infant else None
                if infant is not None:
                    target = infant
            _docs(reader, seg, target, fields)
        elif code == "DOCO":
            _doco(reader, seg, target, fields)
        elif code == "DOCA":
            if fields[0].upper() == "R" and fields[1]:
                target.residence = fields[1].upper()
            address = ", ".join(f for f in fields[2:6] if f)
            if address and address not in target.addresses:
                target.addresses.append(address + (f", {fields[1].upper()}" if fields[1] else ""))
        else:
            _infant(reader, seg, pnr, target, fields)


def _docs(reader: _Reader, seg: EdiSegment, person: _Person, fields: list[str]) -> None:
    # SSR DOCS free text: type/issuing state/number/nationality/birth date/gender/expiry/surname/given/middle.
    doc_code, state, number, nationality, born, sex, expiry = (fields[k].upper() for k in range(7))
    if born:
        birth = _ddmmmyy(born, reader.today, past=True)
        if birth is None:
            reader.problem(seg, "SSR DOCS", f"birth date {born!r} is not DDMMMYY", subject=person.subject)
        elif person.birth is None:
            person.birth = birth
    if sex and person.gender is Gender.UNKNOWN:
        person.gender = Gender.from_code(sex)
    if nationality and not person.nationality:
        person.nationality = nationality
    if number:
        expires = _ddmmmyy(expiry, reader.today, past=False) if expiry else None
        if expiry and expires is None:
            reader.problem(seg, "SSR DOCS", f"expiry date {expiry!r} is not DDMMMYY", subject=person.subject)
        _add_doc(
            person,
            TravelDocument(
                DocumentType.from_code(doc_code), number, state, expires, None, nationality, doc_code
            ),
        )


def _doco(reader: _Reader, seg: EdiSegment, person: _Person, fields: list[str]) -> None:
    # SSR DOCO free text: place of birth/type/number/place of issue/issue date/country the visa is for.
    birth_place, doc_code, number, place, issued = (
        fields[0],
        fields[1].upper(),
        fields[2],
        fields[3],
        fields[4],
    )
    if birth_place and not person.birth_place:
        person.birth_place = birth_place
    if not number:
        return
    issue = _ddmmmyy(issued, reader.today, past=True) if issued else None
    if issued and issue is None:
        reader.problem(seg, "SSR DOCO", f"issue date {issued!r} is not DDMMMYY", subject=person.subject)
    _add_doc(
        person, TravelDocument(DocumentType.from_code(doc_code), number, "", None, issue, "", doc_code, place)
    )


def _add_doc(person: _Person, doc: TravelDocument) -> None:
    for k, known in enumerate(person.docs):
        if known.number == doc.number and known.code == doc.code:
            # The same document again (TIF group and TVL group): keep what each copy adds.
            person.docs[k] = replace(
                known,
                issuing_state=known.issuing_state or doc.issuing_state,
                expiry_date=known.expiry_date or doc.expiry_date,
                issue_date=known.issue_date or doc.issue_date,
                nationality=known.nationality or doc.nationality,
            )
            return
    person.docs.append(doc)


def _infant(reader: _Reader, seg: EdiSegment, pnr: _Pnr, adult: _Person, fields: list[str]) -> None:
    # SSR INFT free text: SURNAME/GIVEN/DDMMMYY of the lap infant travelling with `adult`.
    text = "/".join(fields).strip("/")
    parts = [p.strip() for p in text.split("/")]
    family = parts[0] if parts else ""
    if not family:
        return
    given, title = _split_title(parts[1] if len(parts) > 1 else "")
    birth = _ddmmmyy(parts[2], reader.today, past=True) if len(parts) > 2 and parts[2] else None
    adult.with_infant = True
    for known in pnr.people:
        if known.is_infant and known.family == family and known.given == given:
            return
    infant = _Person(seg.index, family, given, title, f"{adult.ref}/INF", True, False, infant_of=adult.ref)
    infant.birth = birth
    pnr.people.append(infant)


def _add_seat(pnr: _Pnr, person: _Person, leg: Segment | None, seat: str) -> None:
    where = (leg.departure_port, leg.arrival_port) if leg is not None else ("", "")
    if (where[0], where[1], seat) not in person.seats:
        person.seats.append((where[0], where[1], seat))
    pair = (person.ref, seat)
    if pair not in pnr.seats:
        pnr.seats.append(pair)


def _bags(reader: _Reader, seg: EdiSegment, pnr: _Pnr, person: _Person | None) -> None:
    count_text, weight_text, unit = (
        seg.get(2, 0).strip(),
        seg.get(2, 1).strip(),
        seg.get(2, 2).strip().upper(),
    )
    if not count_text:
        return
    if not count_text.isdigit() or not count_text.isascii() or len(count_text) > 3:
        reader.problem(
            seg,
            "TBD",
            f"bag count {count_text!r} is not a number",
            subject=person.subject if person is not None else "",
        )
        return
    count = int(count_text)
    pnr.bag_count = (pnr.bag_count or 0) + count
    if person is not None:
        person.bags = max(person.bags or 0, count)
    try:
        weight = float(weight_text.replace(",", ".")) if weight_text else None
    except ValueError:
        weight = None
    if weight is not None and weight == weight and weight < 10_000:
        kilos = weight * _POUND_KG if unit in ("701", "LB", "LBR") else weight
        pnr.bag_weight = round((pnr.bag_weight or 0.0) + kilos, 3)


def _booking(reader: _Reader, msg: Message, pnr: _Pnr, flight: Flight) -> Booking:
    if not pnr.locator:
        reader.problem(msg.tokens.segment(pnr.index), "RCI", "PNR without a record locator (RCI)")
    if not pnr.people:
        reader.problem(msg.tokens.segment(pnr.index), "TIF", f"PNR {pnr.locator or '?'} names no traveller")
    travellers = []
    for person in pnr.people:
        # The seat on the reported flight when the PNR says which leg; else the first one given.
        on_flight = [s for a, b, s in person.seats if (a, b) == (flight.departure_port, flight.arrival_port)]
        seat = on_flight[0] if on_flight else (person.seats[0][2] if person.seats else "")
        travellers.append(
            BookedTraveller(
                traveller=Traveller(
                    family_name=person.family,
                    given_names=person.given,
                    birth_date=person.birth,
                    gender=person.gender,
                    nationality=person.nationality,
                    documents=tuple(person.docs),
                    residence_country=person.residence,
                    birth_place=person.birth_place,
                    seat=seat,
                    record_locator=pnr.locator,
                    passenger_ref=person.passenger_ref,
                    bags=person.bags,
                ),
                ref=person.ref,
                is_infant=person.is_infant,
                ticket_number=person.ticket,
                frequent_flyer=person.frequent_flyer,
                contacts=tuple(person.contacts),
                addresses=tuple(person.addresses),
                title=person.title,
                with_infant=person.with_infant,
                infant_of=person.infant_of,
            )
        )
    return Booking(
        record_locator=pnr.locator,
        travellers=tuple(travellers),
        itinerary=tuple(pnr.legs),
        created_at=pnr.created,
        ticketed_at=pnr.ticketed,
        payments=tuple(pnr.payments),
        booking_agency=pnr.agency,
        booking_country=pnr.country,
        originator=pnr.originator,
        seats=tuple(pnr.seats),
        bag_count=pnr.bag_count,
        bag_weight_kg=pnr.bag_weight,
        contacts=tuple(pnr.contacts),
        other_locators=tuple(pnr.other_locators),
        last_modified_at=pnr.modified,
        addresses=tuple(pnr.addresses),
    )


# ---------------------------------------------------------------------------------------------- writing

_MONTH_NAMES = {number: name for name, number in _MONTHS.items()}
_Emit = Callable[[str], None]
_Esc = Callable[[str], str]


def _w_ddmmyy(when: datetime) -> tuple[str, str]:
    """Return PNRGOV `DDMMYY` and `HHMM` (or `HHMMSS` when there are seconds) of a date-time."""
    day = f"{when.day:02d}{when.month:02d}{when.year % 100:02d}"
    time = f"{when.hour:02d}{when.minute:02d}" + (f"{when.second:02d}" if when.second else "")
    return day, time


def _w_ddmmmyy(day: date) -> str:
    """Return the SSR date form `13AUG54`."""
    return f"{day.day:02d}{_MONTH_NAMES[day.month]}{day.year % 100:02d}"


def _split_first(text: str) -> tuple[str, str]:
    """Return (before, after) the first space; ("", text) when there is none."""
    head, sep, tail = text.strip().partition(" ")
    return (head, tail) if sep else ("", head)


def _ssr_free_text(doc_fields: list[str]) -> str:
    return "/" + "/".join(doc_fields)


def write_pnrgov(
    message: PnrMessage,
    *,
    chars: ServiceChars = DEFAULT_SERVICE_CHARS,
    prepared_at: datetime | None = None,
    version: str = "13:1",
) -> bytes:
    """Return a PNRGOV interchange (UNA, UNB, one UNH message, UNZ) carrying `message`'s bookings.

    The layout is the one `parse_pnrgov` reads (docs formats.md §2): the reported flight (TVL) and
    EQN, then per booking SRC, RCI (locator, creation time, other locators), DAT 700/710, ORG, booking
    contacts (IFT CTCE/CTCM, ADD), payments (MON, FOP, payer IFT+4:43), one TIF group per traveller
    (FTI, IFT, ADD, REF, SSR DOCS/DOCO/DOCA/INFT, TKT), the itinerary (TVL) with SSR SEAT and check-in
    groups (TRI, TIF, TBD) for bags. `prepared_at` (UNB) defaults to the flight's departure, so the
    same message always gives the same bytes. UTF-8 (UNOW) only when a value is not ASCII.
    """
    e, c, t = chars.element, chars.component, chars.terminator

    def esc(value: str) -> str:
        return escape(value, chars)

    out: list[str] = []
    add = out.append
    flight = message.flight
    ref = esc(message.message_ref or "1")
    major, _, minor = version.partition(":")
    add(f"UNH{e}{ref}{e}PNRGOV{c}{major}{c}{minor or '1'}{c}IA{e}{ref}")
    add(f"MSG{e}{c}22")
    if flight.carrier:
        add(f"ORG{e}{esc(flight.carrier)}")
    add(
        _w_tvl(
            esc,
            chars,
            flight.departure_time,
            flight.arrival_time,
            flight.departure_port,
            flight.arrival_port,
            flight.carrier,
            flight.number,
            "",
        )
    )
    declared = message.declared_bookings if message.declared_bookings is not None else len(message.bookings)
    add(f"EQN{e}{declared}")
    for booking in message.bookings:
        _write_booking(add, esc, chars, booking, flight)
    add(f"UNT{e}{len(out) + 1}{e}{ref}")
    body = t.join(out) + t
    encoding = "ascii" if body.isascii() and message.sender.isascii() else "utf-8"
    syntax = "IATA" if encoding == "ascii" else "UNOW"
    when = prepared_at or flight.departure_time or datetime(2000, 1, 1)
    _day, time = _w_ddmmyy(when)
    stamp = f"{when.year % 100:02d}{when.month:02d}{when.day:02d}{c}{time[:4]}"
    unb = f"UNB{e}{syntax}{c}1{e}{esc(message.sender or 'BORDERWATCH')}{e}{e}{stamp}{e}{ref}"
    text = f"{chars.una}{unb}{t}{body}UNZ{e}1{e}{ref}{t}"
    return text.encode(encoding)


def _w_tvl(
    esc: _Esc,
    chars: ServiceChars,
    departure: datetime | None,
    arrival: datetime | None,
    dep_port: str,
    arr_port: str,
    carrier: str,
    number: str,
    booking_class: str,
) -> str:
    e, c = chars.element, chars.component
    when = ""
    if departure is not None:
        dep_day, dep_time = _w_ddmmyy(departure)
        when = f"{dep_day}{c}{dep_time}"
        if arrival is not None:
            arr_day, arr_time = _w_ddmmyy(arrival)
            when += f"{c}{arr_day}{c}{arr_time}"
    number_part = esc(number) + (f"{c}{esc(booking_class)}" if booking_class else "")
    return f"TVL{e}{when}{e}{esc(dep_port)}{e}{esc(arr_port)}{e}{esc(carrier)}{e}{number_part}"


def _write_booking(add: _Emit, esc: _Esc, chars: ServiceChars, booking: Booking, flight: Flight) -> None:
    e, c = chars.element, chars.component
    carrier = esc(flight.carrier)
    add("SRC")
    rci = f"RCI{e}{carrier}{c}{esc(booking.record_locator)}"
    if booking.created_at is not None:
        day, time = _w_ddmmyy(booking.created_at)
        rci += f"{c}0{c}{day}{c}{time}"
    for other in booking.other_locators:
        airline, locator = _split_first(other)
        rci += f"{e}{esc(airline)}{c}{esc(locator)}"
    add(rci)
    dates = []
    if booking.last_modified_at is not None:
        dates.append(f"700{c}{c.join(_w_ddmmyy(booking.last_modified_at))}")
    if booking.ticketed_at is not None:
        dates.append(f"710{c}{c.join(_w_ddmmyy(booking.ticketed_at))}")
    if dates:
        add(f"DAT{e}" + e.join(dates))
    if booking.originator or booking.booking_agency or booking.booking_country:
        who, office = _split_first(booking.originator)
        if not who:  # a one-word originator is the airline or system itself
            who, office = office, ""
        originator = esc(who) + (f"{c}{esc(office)}" if office else "")
        add(f"ORG{e}{originator}{e}{esc(booking.booking_agency)}{e}{e}{e}{e}{esc(booking.booking_country)}")
    _write_contacts(add, esc, chars, booking.addresses, booking.contacts, flight.carrier)
    for payment in booking.payments:
        if payment.currency:
            add(f"MON{e}T{c}{esc(payment.amount)}{c}{esc(payment.currency)}")
        fields = [
            payment.kind,
            "",
            payment.amount,
            payment.card_type,
            payment.card_number_masked,
            payment.card_expiry,
        ]
        while fields and not fields[-1]:
            fields.pop()
        add(f"FOP{e}" + c.join(esc(f) for f in fields))
        if payment.payer_name or payment.payer_address or payment.payer_phone:
            add(
                f"IFT{e}4{c}43{e}{esc(payment.payer_name)}{e}{esc(payment.payer_address)}"
                f"{e}{esc(payment.payer_phone)}"
            )
    for booked in booking.travellers:
        if booked.is_infant and any(
            other.ref == booked.infant_of and not other.is_infant for other in booking.travellers
        ):
            continue  # written with the adult who carries them
        _write_tif_group(add, esc, chars, booking, booked)
        for infant in booking.travellers:
            if infant.is_infant and infant.infant_of and infant.infant_of == booked.ref:
                _write_tif_group(add, esc, chars, booking, infant)
    _write_itinerary(add, esc, chars, booking, flight)


def _write_contacts(
    add: _Emit,
    esc: _Esc,
    chars: ServiceChars,
    addresses: tuple[str, ...],
    contacts: tuple[str, ...],
    carrier: str,
) -> None:
    e, c = chars.element, chars.component
    for address in addresses:
        add(f"ADD{e}{e}702{c}{esc(address)}")
    for contact in contacts:
        # CTCE writes @ as // and _ as .. (formats.md §2, IATA SSR CTCE convention).
        if "@" in contact:
            text = "CTCE " + contact.replace("_", "..").replace("@", "//")
        else:
            text = f"CTCM {contact}"
        add(f"IFT{e}4{c}28{c}{c}{esc(carrier)}{e}{esc(text)}")


def _write_tif_group(
    add: _Emit,
    esc: _Esc,
    chars: ServiceChars,
    booking: Booking,
    booked: BookedTraveller,
) -> None:
    e, c = chars.element, chars.component
    person = booked.traveller
    given = " ".join(p for p in (person.given_names, booked.title) if p)
    kind = "IN" if booked.is_infant else "A"
    tif = f"TIF{e}{esc(person.family_name)}{e}{esc(given)}{c}{kind}{c}{esc(booked.ref)}"
    if booked.with_infant:
        tif += f"{c}1"
    add(tif)
    if booked.frequent_flyer:
        airline, number = _split_first(booked.frequent_flyer)
        add(f"FTI{e}{esc(airline)}{c}{esc(number)}")
    _write_contacts(add, esc, chars, booked.addresses, booked.contacts, "")
    if person.passenger_ref:
        add(f"REF{e}{c}{esc(person.passenger_ref)}")
    ssr = f"SSR{e}{{code}}{c}HK{c}1{c}{c}{c}{c}{c}{c}"
    for infant in booking.travellers:
        if infant.is_infant and infant.infant_of == booked.ref and not booked.is_infant:
            baby = infant.traveller
            born = _w_ddmmmyy(baby.birth_date) if baby.birth_date else ""
            baby_given = " ".join(p for p in (baby.given_names, infant.title) if p)
            add(ssr.format(code="INFT") + esc(f"{baby.family_name}/{baby_given}/{born}"))
    main_docs = [d for d in person.documents if d.doc_type not in (DocumentType.VISA, DocumentType.OTHER)]
    other_docs = [d for d in person.documents if d not in main_docs]
    gender = "" if person.gender is Gender.UNKNOWN else person.gender.value
    born = _w_ddmmmyy(person.birth_date) if person.birth_date else ""
    if main_docs or born or gender or person.nationality:
        documents: list[TravelDocument | None] = [*main_docs] or [None]
        for doc in documents:
            fields = [
                (doc.code or doc.doc_type.value) if doc else "",
                doc.issuing_state if doc else "",
                doc.number if doc else "",
                person.nationality or (doc.nationality if doc else ""),
                born,
                gender,
                _w_ddmmmyy(doc.expiry_date) if doc and doc.expiry_date else "",
                person.family_name,
                person.given_names,
            ]
            add(ssr.format(code="DOCS") + esc(_ssr_free_text(fields)))
    for doc in main_docs:
        if doc.issue_date is not None or doc.issue_place:
            # DOCO of the same number and code adds the issue date to the DOCS document.
            issued = _w_ddmmmyy(doc.issue_date) if doc.issue_date else ""
            fields = ["", doc.code or doc.doc_type.value, doc.number, doc.issue_place, issued, ""]
            add(ssr.format(code="DOCO") + esc(_ssr_free_text(fields)))
    if person.birth_place:
        add(ssr.format(code="DOCO") + esc(_ssr_free_text([person.birth_place, "", "", "", "", ""])))
    for doc in other_docs:
        issued = _w_ddmmmyy(doc.issue_date) if doc.issue_date else ""
        fields = ["", doc.code or doc.doc_type.value, doc.number, doc.issue_place, issued, ""]
        add(ssr.format(code="DOCO") + esc(_ssr_free_text(fields)))
    if person.residence_country:
        add(ssr.format(code="DOCA") + esc(_ssr_free_text(["R", person.residence_country])))
    if booked.ticket_number:
        add(f"TKT{e}{esc(booked.ticket_number)}{c}T{c}1")


def _write_itinerary(add: _Emit, esc: _Esc, chars: ServiceChars, booking: Booking, flight: Flight) -> None:
    e, c = chars.element, chars.component
    legs = list(booking.itinerary)
    if not legs and (booking.seats or booking.bag_count is not None):
        legs = [flight.as_segment()]
    own_seats = {b.ref: b.traveller.seat for b in booking.travellers if b.traveller.seat}
    for index, leg in enumerate(legs):
        add(
            _w_tvl(
                esc,
                chars,
                leg.departure_time,
                leg.arrival_time,
                leg.departure_port,
                leg.arrival_port,
                leg.carrier,
                leg.number,
                leg.booking_class,
            )
        )
        if index:
            continue
        # Seats in booking order; a traveller's own seat is put on the reported flight so that it reads
        # back as `Traveller.seat`, any other seat of theirs on another leg of the itinerary.
        reported = (flight.departure_port, flight.arrival_port)
        other_leg = next((g for g in legs if (g.departure_port, g.arrival_port) != reported), leg)
        for ref, seat in booking.seats:
            on_flight = own_seats.get(ref) == seat
            board, off = (
                (flight.departure_port, flight.arrival_port)
                if on_flight
                else (other_leg.departure_port, other_leg.arrival_port)
            )
            add(
                f"SSR{e}SEAT{c}HK{c}1{c}{esc(leg.carrier)}{c}{c}{c}{esc(board)}{c}{esc(off)}"
                f"{e}{esc(seat)}{c}{c}{esc(ref)}"
            )
        _write_bags(add, esc, chars, booking)


def _write_bags(add: _Emit, esc: _Esc, chars: ServiceChars, booking: Booking) -> None:
    e, c = chars.element, chars.component
    weight_left = booking.bag_weight_kg
    counted = 0
    for booked in booking.travellers:
        bags = booked.traveller.bags
        if bags is None:
            continue
        counted += bags
        weight = f"{c}{weight_left:g}{c}700" if weight_left is not None else ""
        weight_left = None  # the booking's whole weight goes on its first bag record
        add("TRI")
        add(
            f"TIF{e}{esc(booked.traveller.family_name)}{e}{esc(booked.traveller.given_names)}{c}"
            f"{'IN' if booked.is_infant else 'A'}{c}{esc(booked.ref)}"
        )
        add(f"TBD{e}{e}{bags}{weight}")
    rest = (booking.bag_count or 0) - counted
    if rest > 0 or (weight_left is not None and booking.bag_count is not None):
        weight = f"{c}{weight_left:g}{c}700" if weight_left is not None else ""
        add("TRI")
        add(f"TBD{e}{e}{max(rest, 0)}{weight}")
