"""UN/EDIFACT tokenizer and envelope reader: segments with positions, and the interchange around them.

Returns `Segment` values (tag, elements as lists of components, index, line and byte position) and an
`Interchange` (UNB/UNG/UNH/UNT/UNE/UNZ read, counts checked, every oddity a warning `Problem`).
PAXLST and PNRGOV readers (`paxlst.py`, `pnrgov.py`) build on it.

Why hand-written rather than pydifact (the Python EDIFACT library we know of):

- **Speed.** pydifact reads one character at a time through a generator of token objects; on a
  400-passenger manifest that is tens of milliseconds for the split alone. We split with `str.split`
  (C speed) and only fall back to release-aware joining for segments that contain the release
  character. `bench/bench_ingest.py` measures both on the same bytes, in the same run.
- **Positions.** pydifact's segments do not remember where they came from. Every problem we report must
  say where it is (style.md §6: what / where / why), so each `Segment` carries its index and offset,
  from which the line and the byte offset are computed when a problem needs them.
- **Real-world noise** (docs formats.md §1.6, §5): junk before UNA/UNB (Type B teletype envelopes),
  text after UNZ, CR/LF and spaces between segments, line breaks *inside* segments (64-column teletype
  wrapping, GTAS `2_pnrs_basic.edi`), message-only fragments without UNB, a 5-character UNA, and a
  typographic apostrophe used as terminator (GTAS `pnrMessagePg75.txt`). These are tolerated and
  reported, never a crash.

Rules followed (ISO 9735 / UN/EDIFACT syntax, as summarised in docs formats.md §1.2):

- UNA gives six characters in order: component separator, element separator, decimal mark, release
  character, reserved (repetition) character, segment terminator. When UNA is absent the defaults
  `:+.? '` apply. A space in the release position means "no release character" (ISO 9735-1 §4).
- The release character makes the next character literal. We tokenise first (a separator preceded by
  an odd number of release characters does not split) and unescape the finished components last.
- The repetition character is not split on: no message we read uses repeated data elements, and free
  text (PNRGOV LTS) uses `*` as data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from borderwatch.errors import FormatError, Position
from borderwatch.formats.problems import Problem, Severity

__all__ = [
    "DEFAULT_SERVICE_CHARS",
    "EdifactText",
    "Interchange",
    "Message",
    "Segment",
    "ServiceChars",
    "Tokens",
    "escape",
    "read_interchange",
    "tokenize",
]


@dataclass(frozen=True, slots=True)
class ServiceChars:
    """The six service characters of an interchange (UNA, or the defaults)."""

    component: str = ":"
    element: str = "+"
    decimal: str = "."
    release: str = "?"  # "" when the interchange has none
    reserved: str = " "
    terminator: str = "'"

    @property
    def una(self) -> str:
        """Return the UNA service string advice announcing these characters."""
        release = self.release or " "
        return f"UNA{self.component}{self.element}{self.decimal}{release}{self.reserved}{self.terminator}"


DEFAULT_SERVICE_CHARS = ServiceChars()

_TYPOGRAPHIC_APOSTROPHE = "\u2019"


class EdifactText:
    """The decoded text of one input and how to turn a character offset into line and byte positions."""

    __slots__ = ("_byte_offsets", "_newline", "source", "text")

    def __init__(self, text: str, *, source: str, char_is_byte: bool) -> None:
        self.text = text
        self.source = source
        self._byte_offsets = not char_is_byte
        # Old Mac files (GTAS Test3.txt) end lines with CR alone: count those when there is no LF.
        self._newline = "\n" if ("\n" in text or "\r" not in text) else "\r"

    def line_of(self, offset: int) -> int:
        """Return the 1-based line number of a character offset."""
        return self.text.count(self._newline, 0, offset) + 1

    def byte_offset(self, offset: int) -> int:
        """Return the byte offset in the original input of a character offset."""
        if not self._byte_offsets:
            return offset
        return len(self.text[:offset].encode("utf-8", "surrogateescape"))

    def position(self, offset: int, segment: int | None = None) -> Position:
        """Return the position (line, segment number, byte offset) of a character offset."""
        return Position(line=self.line_of(offset), segment=segment, offset=self.byte_offset(offset))


class Segment:
    """One EDIFACT segment: tag, elements (each a list of components), index and where it was read.

    `index` is the segment's slot in `Tokens.raws`; `number` counts segments 1-based from the first
    one after UNA, the way people count, and is what `position` reports. Components are unescaped
    (release characters removed).
    """

    __slots__ = ("elements", "index", "raw", "tag", "tokens")

    def __init__(self, tag: str, elements: list[list[str]], index: int, raw: str, tokens: Tokens) -> None:
        self.tag = tag
        self.elements = elements
        self.index = index
        self.raw = raw  # the segment text as received, without terminator (line breaks removed)
        self.tokens = tokens

    def get(self, element: int, component: int = 0) -> str:
        """Return one component (element 1 is the first after the tag); "" when absent."""
        els = self.elements
        if 0 < element <= len(els):
            comps = els[element - 1]
            if component < len(comps):
                return comps[component]
        return ""

    @property
    def number(self) -> int:
        """Return the 1-based number of the segment in the interchange (UNA not counted)."""
        return self.tokens.number(self.index)

    @property
    def offset(self) -> int:
        """Return the character offset where the segment starts in the decoded text."""
        return self.tokens.offset(self.index)

    @property
    def line(self) -> int:
        """Return the 1-based line the segment starts on."""
        return self.tokens.doc.line_of(self.offset)

    @property
    def position(self) -> Position:
        """Return where the segment is: line, segment number (1-based) and byte offset."""
        return self.tokens.position(self.index)

    def __repr__(self) -> str:
        return f"Segment({self.tag!r}, {self.elements!r}, number={self.number})"


def _split_released(text: str, sep: str, rel: str) -> list[str]:
    """Return `text` split on `sep`, except where `sep` is released (odd run of `rel` before it)."""
    pieces = text.split(sep)
    # The run of release characters before a separator never crosses the previous separator, so the
    # parity can be read piece by piece; only pieces ending in `rel` need a look.
    odd = [
        i
        for i, piece in enumerate(pieces)
        if piece.endswith(rel) and (len(piece) - len(piece.rstrip(rel))) % 2
    ]
    if not odd:
        return pieces
    out: list[str] = []
    prev = 0
    k = 0
    while k < len(odd):
        first = last = odd[k]
        while k + 1 < len(odd) and odd[k + 1] == last + 1:
            k += 1
            last = odd[k]
        out.extend(pieces[prev:first])
        out.append(sep.join(pieces[first : last + 2]))  # a release dangling at the very end stays literal
        prev = last + 2
        k += 1
    out.extend(pieces[prev:])
    return out


# Released service characters are swapped for high surrogates while a segment is split. Decoded input
# can never hold a high surrogate (surrogateescape only yields U+DC80..U+DCFF), so they cannot clash.
# (Written with chr: mypyc cannot compile surrogates in string literals.)
_HELD_COMPONENT = chr(0xD800)
_HELD_ELEMENT = chr(0xD801)
_HELD_TERMINATOR = chr(0xD802)
_HELD_RELEASE = chr(0xD803)


class Unescaper:
    """Tokenise-then-unescape for one set of service characters (ISO 9735 release character)."""

    __slots__ = ("_any", "_rel", "_table", "chars")

    def __init__(self, chars: ServiceChars) -> None:
        self.chars = chars
        self._rel = chars.release
        self._any = re.compile(re.escape(chars.release) + "(.)", re.S) if chars.release else None
        self._table = str.maketrans(
            {
                _HELD_COMPONENT: chars.component,
                _HELD_ELEMENT: chars.element,
                _HELD_TERMINATOR: chars.terminator,
                _HELD_RELEASE: chars.release or "?",
            }
        )

    def hold(self, raw: str) -> str:
        """Return the segment with released characters held aside, ready for plain `str.split`."""
        rel = self._rel
        if not rel or rel not in raw:
            return raw
        c = self.chars
        text = raw.replace(rel + rel, _HELD_RELEASE)
        text = text.replace(rel + c.element, _HELD_ELEMENT).replace(rel + c.component, _HELD_COMPONENT)
        text = text.replace(rel + c.terminator, _HELD_TERMINATOR)
        assert self._any is not None
        return self._any.sub(r"\1", text)  # any other released character is itself

    def restore(self, value: str) -> str:
        """Return a value split from a held segment with the released characters put back."""
        return value.translate(self._table)

    def elements(self, raw: str) -> list[list[str]]:
        """Return [tag, *elements] of a segment: split on separators, then unescaped."""
        c = self.chars
        held = self.hold(raw)
        if held is raw:
            return [p.split(c.component) for p in raw.split(c.element)]
        table = self._table
        return [[v.translate(table) for v in p.split(c.component)] for p in held.split(c.element)]


_START = re.compile(rb"(?:^|(?<=[\x00-\x20'\x7f]))UN[ABH]")


def _find_start(data: bytes, source: str) -> int:
    """Return the byte offset where EDIFACT starts (UNA, UNB or a bare UNH); skip any envelope before."""
    match = _START.search(data)
    if match is None:
        raise FormatError(
            f"{source or 'input'}: no UNA, UNB or UNH segment found: not an EDIFACT interchange",
            source=source,
            position=Position(offset=0),
            field="UNB",
            reason="no UNA, UNB or UNH segment found",
        )
    return match.start()


def _decode(data: bytes) -> tuple[str, bool]:
    """Return the text of the input and whether character offsets equal byte offsets."""
    if data.isascii():
        return data.decode("ascii"), True
    syntax = re.search(rb"UNB.UNO([A-Z])", data[:4096])
    if syntax is not None and syntax.group(1) in (b"W", b"Y"):
        # ISO 9735 syntax levels W and Y are UTF-8.
        return data.decode("utf-8", "surrogateescape"), False
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        # Levels A/B are ASCII subsets and C is ISO 8859-1; latin-1 keeps every other byte visible.
        return data.decode("latin-1"), True


class Tokens:
    """What the tokenizer read: the text, its service characters, raw segments and any warnings.

    `raws[i]` is the text of segment slot i (terminator removed, leading noise and inner line breaks
    removed, still escaped); empty slots (blank lines, a doubled terminator) are "". Readers that need
    speed work on `raws` with `unescaper.hold`; everything else asks `segment(i)` for a `Segment`.
    Offsets, line numbers and segment numbers are worked out only when a position is asked for.
    """

    __slots__ = (
        "_numbers",
        "_offsets",
        "_pieces",
        "chars",
        "doc",
        "noise",
        "problems",
        "raws",
        "start",
        "unescaper",
    )

    def __init__(
        self,
        doc: EdifactText,
        chars: ServiceChars,
        start: int,
        pieces: list[str],
        raws: list[str],
        noise: str,
        problems: list[Problem],
    ) -> None:
        self.doc = doc
        self.chars = chars
        self.start = start
        self._pieces = pieces
        self.raws = raws
        self.noise = noise
        self.problems = problems
        self.unescaper = Unescaper(chars)
        self._offsets: list[int] | None = None
        self._numbers: list[int] | None = None

    def offset(self, index: int) -> int:
        """Return the character offset in `doc.text` where segment slot `index` starts."""
        offsets = self._offsets
        if offsets is None:
            offsets = []
            pos = self.start
            noise = self.noise
            for piece in self._pieces:
                offsets.append(pos + len(piece) - len(piece.lstrip(noise)))
                pos += len(piece) + 1
            self._offsets = offsets
        return offsets[index] if index < len(offsets) else len(self.doc.text)

    def number(self, index: int) -> int:
        """Return the 1-based segment number of slot `index` (empty slots not counted)."""
        numbers = self._numbers
        if numbers is None:
            numbers = []
            count = 0
            for raw in self.raws:
                if raw:
                    count += 1
                numbers.append(count)
            self._numbers = numbers
        return numbers[index] if index < len(numbers) else len(numbers)

    def position(self, index: int) -> Position:
        """Return the position (line, segment number, byte offset) of segment slot `index`."""
        return self.doc.position(self.offset(index), self.number(index))

    def segment(self, index: int) -> Segment:
        """Return segment slot `index` as a `Segment` (tag, unescaped elements, position)."""
        raw = self.raws[index]
        parts = self.unescaper.elements(raw) if raw else [[""]]
        tag = parts[0][0].strip()
        return Segment(tag, parts[1:], index, raw, self)

    @property
    def segments(self) -> list[Segment]:
        """Return every non-empty segment as a `Segment`."""
        return [self.segment(i) for i, raw in enumerate(self.raws) if raw]


def _read_una(
    text: str, at: int, doc: EdifactText, source: str, problems: list[Problem]
) -> tuple[ServiceChars, int]:
    chars = text[at + 3 : at + 9]
    if len(chars) < 6:
        raise FormatError(
            f"{source or 'input'}: UNA service string advice is cut short: {text[at : at + 9]!r}",
            source=source,
            position=doc.position(at, 1),
            field="UNA",
            reason="UNA needs six service characters",
        )
    after = text[at + 9 : at + 20].lstrip(" \r\n")
    after5 = text[at + 8 : at + 20].lstrip(" \r\n")
    if not after.startswith("UN") and after5.startswith("UN"):
        # GTAS codeshare.edi: UNA with five characters (the reserved one left out).
        five = text[at + 3 : at + 8]
        problems.append(
            Problem(
                source=source,
                position=doc.position(at, None),
                field="UNA",
                reason=f"UNA has 5 service characters {five!r}, not 6; read with no reserved character",
                raw=text[at : at + 8],
                severity=Severity.WARNING,
            )
        )
        rel = five[3] if five[3] != " " else ""
        return ServiceChars(five[0], five[1], five[2], rel, " ", five[4]), at + 8
    rel = chars[3] if chars[3] != " " else ""
    return ServiceChars(chars[0], chars[1], chars[2], rel, chars[4], chars[5]), at + 9


def _tokenize(data: bytes, source: str) -> Tokens:
    start_byte = _find_start(data, source)
    text, char_is_byte = _decode(data)
    doc = EdifactText(text, source=source, char_is_byte=char_is_byte)
    start = start_byte if char_is_byte else len(data[:start_byte].decode("utf-8", "surrogateescape"))
    problems: list[Problem] = []
    if text.startswith("UNA", start):
        chars, start = _read_una(text, start, doc, source, problems)
    else:
        chars = DEFAULT_SERVICE_CHARS
    if len({chars.component, chars.element, chars.terminator}) < 3 or (
        chars.release and chars.release in (chars.component, chars.element, chars.terminator)
    ):
        raise FormatError(
            f"{source or 'input'}: UNA declares the same character for two different separators",
            source=source,
            position=doc.position(max(start - 9, 0), 1),
            field="UNA",
            reason="separators must be distinct",
        )
    body = text[start:]
    term, elem, comp, rel = chars.terminator, chars.element, chars.component, chars.release
    if not char_is_byte and term == "'" and _TYPOGRAPHIC_APOSTROPHE in body:
        # A word processor turned some terminators into U+2019 (GTAS pnrMessagePg75.txt). Only a U+2019
        # that ends a line is taken as a terminator; the replacement keeps the length, so offsets hold.
        fixed = re.sub("\u2019(?=[\r\n])", "'", body)
        if fixed != body:
            at = start + body.index(_TYPOGRAPHIC_APOSTROPHE)
            problems.append(
                Problem(
                    source=source,
                    position=doc.position(at),
                    field="segment terminator",
                    reason="typographic apostrophe (U+2019) ending a line read as the segment terminator",
                    raw=text[max(at - 20, 0) : at + 1],
                    severity=Severity.WARNING,
                )
            )
            body = fixed
    pieces = _split_released(body, term, rel) if rel and rel in body else body.split(term)
    noise = "".join(ch for ch in " \r\n\t\x00" if ch not in (term, elem, comp))
    if body[:1] in noise or any(term + ch in body for ch in noise):
        raws = [piece.lstrip(noise) for piece in pieces]
    else:
        raws = pieces  # nothing to strip: spare a pass over every segment
    breaks = "".join(ch for ch in "\r\n" if ch not in (term, elem, comp))
    if breaks and any(ch in body for ch in breaks):
        if raws is pieces:
            raws = list(pieces)  # offsets are computed from the pieces as received
        for i, raw in enumerate(raws):
            if "\n" in raw or "\r" in raw:
                # Line breaks inside a segment are teletype wrapping, not data (formats.md §1.6).
                for ch in breaks:
                    raw = raw.replace(ch, "")
                raws[i] = raw.rstrip(noise)
    return Tokens(doc, chars, start, pieces, raws, noise, problems)


def tokenize(data: bytes, *, source: str = "") -> Tokens:
    """Return the raw segments (with positions on demand), service characters and tokenizer warnings.

    Raises `FormatError` (with a position) when no EDIFACT start (UNA, UNB or UNH) is found, UNA is cut
    short or declares one character for two separators.
    """
    return _tokenize(data, source)


def escape(value: str, chars: ServiceChars = DEFAULT_SERVICE_CHARS) -> str:
    """Return `value` with the release character put before every service character it contains."""
    rel = chars.release
    if not rel:
        return value
    if rel in value:
        value = value.replace(rel, rel + rel)
    for sep in (chars.component, chars.element, chars.terminator):
        if sep in value:
            value = value.replace(sep, rel + sep)
    return value


@dataclass(slots=True)
class Message:
    """One UNH ... UNT message of an interchange; its body is slots `first` to `end` of `tokens.raws`."""

    tokens: Tokens
    ref: str  # UNH element 1, message reference number
    type: str  # PAXLST, PNRGOV, CUSRES...
    version: str  # UNH element 2 components 2-3, e.g. "D:05B" or "13:1"
    agency: str  # UN, IA
    association: str  # IATA
    common_access_ref: str  # UNH element 3
    part_number: int | None  # UNH element 4 component 1 (sequence of transfers)
    part_indicator: str  # "C", "F" or "" when not given
    header: Segment
    first: int  # slot after UNH
    end: int = 0  # slot of UNT (or where the message stopped)
    trailer: Segment | None = None  # UNT, None when the message was not closed
    group_ref: str = ""

    @property
    def body(self) -> list[Segment]:
        """Return the segments between UNH and UNT."""
        raws = self.tokens.raws
        return [self.tokens.segment(i) for i in range(self.first, self.end) if raws[i]]

    @property
    def segment_count(self) -> int:
        """Return the number of segments from UNH to UNT inclusive (what UNT should declare)."""
        span = self.tokens.raws[self.first : self.end]
        return len(span) - span.count("") + 1 + (self.trailer is not None)


@dataclass(slots=True)
class Interchange:
    """What an EDIFACT input holds: UNB header fields, its messages and every envelope problem."""

    source: str
    tokens: Tokens
    messages: list[Message] = field(default_factory=list)
    syntax: str = ""  # UNB element 1, e.g. "UNOA:4"
    sender: str = ""
    sender_qualifier: str = ""
    recipient: str = ""
    recipient_qualifier: str = ""
    prepared_at: datetime | None = None
    control_ref: str = ""
    application_ref: str = ""
    has_unb: bool = False
    problems: list[Problem] = field(default_factory=list)

    @property
    def chars(self) -> ServiceChars:
        """Return the service characters in force."""
        return self.tokens.chars

    def warn(self, segment: Segment | None, field_name: str, reason: str) -> None:
        """Record a warning about the envelope at a segment (or at the start when None)."""
        position = segment.position if segment is not None else Position(offset=0)
        raw = segment.raw if segment is not None else ""
        self.problems.append(
            Problem(self.source, position, field_name, reason, raw=raw, severity=Severity.WARNING)
        )


def _to_int(text: str) -> int | None:
    text = text.strip()
    return int(text) if text.isdigit() and text.isascii() and len(text) < 12 else None


def _unb_datetime(day: str, time: str) -> datetime | None:
    day = day.strip()
    time = time.strip()
    try:
        if len(day) == 6 and day.isdigit() and day.isascii():
            year, month, dom = 2000 + int(day[:2]), int(day[2:4]), int(day[4:6])
        elif len(day) == 8 and day.isdigit() and day.isascii():
            year, month, dom = int(day[:4]), int(day[4:6]), int(day[6:8])
        else:
            return None
        ok = len(time) >= 4 and time[:4].isdigit() and time[:4].isascii()
        hour, minute = (int(time[:2]), int(time[2:4])) if ok else (0, 0)
        return datetime(year, month, dom, hour, minute)
    except ValueError:
        return None


_ENVELOPE = frozenset(("UNB", "UNG", "UNH", "UNT", "UNE", "UNZ"))


def read_interchange(data: bytes, *, source: str = "") -> Interchange:
    """Return the interchange in `data`: header fields, messages (UNH..UNT) and envelope warnings.

    Counts and references of UNT, UNE and UNZ are checked; a mismatch is a warning, not a rejection
    (formats.md §1.2: real senders get them wrong). Raises `FormatError` (with a position) only when
    there is no EDIFACT or no UNH message at all.
    """
    tokens = _tokenize(data, source)
    raws = tokens.raws
    ic = Interchange(source=source, tokens=tokens)
    ic.problems.extend(tokens.problems)
    group_ref = ""
    group_messages = 0
    group_header: Segment | None = None
    groups = 0
    msg: Message | None = None
    outside: list[int] = []
    ended_at: int | None = None

    def close_message(end: int, trailer: Segment | None) -> None:
        nonlocal msg
        assert msg is not None
        msg.end = end
        msg.trailer = trailer
        if trailer is None:
            ic.warn(msg.header, "UNT", f"message {msg.ref!r} is not closed by UNT")
        else:
            declared = _to_int(trailer.get(1))
            actual = msg.segment_count
            if declared is None:
                ic.warn(trailer, "UNT", f"UNT segment count {trailer.get(1)!r} is not a number")
            elif declared != actual:
                ic.warn(trailer, "UNT", f"UNT says {declared} segments, message {msg.ref!r} has {actual}")
            ref = trailer.get(2)
            if ref and ref != msg.ref:
                ic.warn(trailer, "UNT", f"UNT reference {ref!r} differs from UNH reference {msg.ref!r}")
        ic.messages.append(msg)
        msg = None

    elem = tokens.chars.element
    comp = tokens.chars.component
    after = 0  # first slot after the last envelope segment
    candidates = [i for i, raw in enumerate(raws) if raw.startswith("UN")]
    for i in candidates:
        raw = raws[i]
        if raw[:3] not in _ENVELOPE or raw[3:4] not in ("", elem, comp, " "):
            continue
        if msg is None:
            outside.extend(j for j in range(after, i) if raws[j])
        after = i + 1
        seg = tokens.segment(i)
        tag = seg.tag
        if tag == "UNH":
            if msg is not None:
                close_message(i, None)
            msg = Message(
                tokens=tokens,
                ref=seg.get(1),
                type=seg.get(2, 0).strip().upper(),
                version=":".join(c for c in (seg.get(2, 1), seg.get(2, 2)) if c),
                agency=seg.get(2, 3),
                association=seg.get(2, 4),
                common_access_ref=seg.get(3),
                part_number=_to_int(seg.get(4, 0)),
                part_indicator=seg.get(4, 1).strip().upper(),
                header=seg,
                first=i + 1,
                group_ref=group_ref,
            )
            group_messages += 1
        elif tag == "UNT":
            if msg is None:
                ic.warn(seg, "UNT", "UNT without a UNH before it")
            else:
                close_message(i, seg)
        elif tag == "UNB":
            if ic.has_unb or ic.messages or msg is not None:
                ic.warn(seg, "UNB", "a second UNB inside the interchange was ignored")
                continue
            ic.has_unb = True
            ic.syntax = ":".join(c for c in seg.elements[0] if c) if seg.elements else ""
            ic.sender, ic.sender_qualifier = seg.get(2, 0), seg.get(2, 1)
            ic.recipient, ic.recipient_qualifier = seg.get(3, 0), seg.get(3, 1)
            ic.prepared_at = _unb_datetime(seg.get(4, 0), seg.get(4, 1))
            ic.control_ref = seg.get(5)
            ic.application_ref = seg.get(7)
        elif tag == "UNG":
            if msg is not None:
                close_message(i, None)
            group_ref = seg.get(5)
            group_messages = 0
            group_header = seg
            groups += 1
        elif tag == "UNE":
            if msg is not None:
                close_message(i, None)
            if group_header is None:
                ic.warn(seg, "UNE", "UNE without a UNG before it")
            else:
                declared = _to_int(seg.get(1))
                if declared is not None and declared != group_messages:
                    ic.warn(seg, "UNE", f"UNE says {declared} messages, the group has {group_messages}")
                ref = seg.get(2)
                if ref and ref != group_ref:
                    ic.warn(seg, "UNE", f"UNE reference {ref!r} differs from UNG reference {group_ref!r}")
            group_ref = ""
            group_header = None
        else:  # UNZ
            if msg is not None:
                close_message(i, None)
            if not ic.has_unb:
                ic.warn(seg, "UNZ", "UNZ without a UNB before it")
            declared = _to_int(seg.get(1))
            expected = groups if groups else len(ic.messages)
            if declared is None:
                ic.warn(seg, "UNZ", f"UNZ control count {seg.get(1)!r} is not a number")
            elif declared not in (expected, len(ic.messages)):
                what = "groups" if groups else "messages"
                ic.warn(seg, "UNZ", f"UNZ says {declared} {what}, the interchange has {expected}")
            ref = seg.get(2)
            if ic.has_unb and ref and ref != ic.control_ref:
                ic.warn(seg, "UNZ", f"UNZ reference {ref!r} differs from UNB reference {ic.control_ref!r}")
            ended_at = i
            break
    else:
        if msg is None:
            outside.extend(j for j in range(after, len(raws)) if raws[j])
        else:
            close_message(len(raws), None)
        if ic.has_unb:
            last = next((j for j in range(len(raws) - 1, -1, -1) if raws[j]), None)
            ic.warn(
                tokens.segment(last) if last is not None else None, "UNZ", "interchange is not closed by UNZ"
            )
    if group_header is not None:
        ic.warn(group_header, "UNE", f"group {group_ref!r} is not closed by UNE")
    if outside:
        first_out = tokens.segment(outside[0])
        tags = ", ".join(sorted({raws[j][:3] for j in outside}))[:120]
        ic.warn(
            first_out, "segment", f"{len(outside)} segment(s) outside any UNH..UNT message ignored ({tags})"
        )
    if ended_at is not None:
        rest = next((j for j in range(ended_at + 1, len(raws)) if raws[j]), None)
        if rest is not None:
            tail = tokens.doc.text[tokens.offset(rest) :].strip()
            ic.problems.append(
                Problem(
                    source,
                    tokens.position(rest),
                    "UNZ",
                    f"{len(tail)} characters after UNZ ignored",
                    raw=tail[:80],
                    severity=Severity.WARNING,
                )
            )
    if not ic.messages:
        first = next((j for j, raw in enumerate(raws) if raw), None)
        raise FormatError(
            f"{source or 'input'}: no UNH message found in the EDIFACT interchange",
            source=source,
            position=tokens.position(first) if first is not None else Position(offset=0),
            field="UNH",
            reason="no UNH message found",
        )
    return ic
