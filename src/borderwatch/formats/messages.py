"""Which reader an incoming file needs: cheap content sniffing of its first bytes.

Returns one of "paxlst", "pnrgov", "mrz", "csv". Only the start of the input is looked at (at most
64 KiB), so a service can route a file before reading it in full. Rules, in order:

1. EDIFACT: a UNH segment naming PAXLST or PNRGOV (after any UNA/UNB or Type B envelope).
2. MRZ: two or three lines of ICAO 9303 characters (A-Z, 0-9, `<`) of the TD1/TD2/TD3/MRV lengths
   (30, 36 or 44; docs formats.md §3.3).
3. CSV manifest: a header line with a separator (`,` `;` tab `|`) and a name column.
"""

from __future__ import annotations

import re

from borderwatch.errors import FormatError, Position

__all__ = ["detect_message_kind"]

_SNIFF = 65536
_UNH = re.compile(rb"UNH.{1,40}?(PAXLST|PNRGOV)", re.S)
_MRZ_LINE = re.compile(r"[A-Z0-9<]{30}|[A-Z0-9<]{36}|[A-Z0-9<]{44}")
_NAME_COLUMNS = (
    "name",
    "surname",
    "family",
    "last",
    "nom",
    "given",
    "first",
    "passenger",
    "traveller",
    "traveler",
)


def detect_message_kind(data: bytes) -> str:
    """Return "paxlst", "pnrgov", "mrz" or "csv" for the input; raise `FormatError` when it is none."""
    head = data[:_SNIFF]
    match = _UNH.search(head)
    if match is not None:
        return match.group(1).decode("ascii").lower()
    text = head.decode("utf-8", "replace").lstrip("\ufeff")
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    mrz = 2 <= len(lines) <= 3 and all(_MRZ_LINE.fullmatch(line) for line in lines)
    if mrz and len({len(line) for line in lines}) == 1:
        return "mrz"
    if lines and _is_csv_header(lines[0]):
        return "csv"
    shown = head[:40]
    raise FormatError(
        f"not a PAXLST, PNRGOV, CSV manifest or MRZ: first bytes {shown!r}",
        position=Position(offset=0),
        field="content",
        reason="unknown message kind",
    )


def _is_csv_header(line: str) -> bool:
    """True when the line looks like a CSV header naming travellers (separator and a name column)."""
    for sep in (",", ";", "\t", "|"):
        if sep in line:
            columns = [c.strip().strip('"').lower() for c in line.split(sep)]
            if len(columns) >= 2 and any(any(word in c for word in _NAME_COLUMNS) for c in columns):
                return True
    return False
