"""Ingest: airline messages in, flights and travellers stored, everything unreadable quarantined.

The bytes of every message are kept (accepted or not). A message with some unreadable travellers
is accepted for the others, and each unreadable one is reported and quarantined. The parts of a
multi-part PAXLST given together are merged before storing. Resending the same bytes adds nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from borderwatch.domain.audit import Actor
from borderwatch.domain.travellers import Manifest, MessageKind, PnrMessage, TravellerRole
from borderwatch.errors import InputError
from borderwatch.formats.csv_manifest import parse_csv_manifest
from borderwatch.formats.messages import detect_message_kind
from borderwatch.formats.paxlst import merge_paxlst_parts, parse_paxlst
from borderwatch.formats.pnrgov import parse_pnrgov
from borderwatch.formats.problems import Problem, Severity
from borderwatch.store import flights as flight_store
from borderwatch.store import messages as message_store
from borderwatch.store.session import Database

MAX_MESSAGE_BYTES = 64 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Received:
    """One input: its name and bytes."""

    source: str
    data: bytes


@dataclass
class MessageReport:
    """What became of one message (or of one merged multi-part message)."""

    source: str
    kind: str
    status: str  # accepted, partial, quarantined, duplicate
    flight: str = ""
    flight_id: int | None = None
    passengers: int = 0
    crew: int = 0
    bookings: int = 0
    stored: int = 0
    already_stored: int = 0
    parts: int = 1
    problems: list[dict[str, Any]] = field(default_factory=list)
    quarantine_id: int | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "source": self.source,
            "kind": self.kind,
            "status": self.status,
            "flight": self.flight,
            "flight_id": self.flight_id,
            "passengers": self.passengers,
            "crew": self.crew,
            "bookings": self.bookings,
            "stored": self.stored,
            "already_stored": self.already_stored,
            "parts": self.parts,
            "problems": self.problems,
            "quarantine_id": self.quarantine_id,
        }


@dataclass
class IngestReport:
    """What one ingest call did, message by message."""

    messages: list[MessageReport] = field(default_factory=list)

    @property
    def quarantined(self) -> int:
        """Number of messages or records sent to quarantine."""
        return sum(1 for m in self.messages if m.quarantine_id is not None)

    @property
    def flight_ids(self) -> list[int]:
        """Ids of the flights touched, in order, without repeats."""
        seen: dict[int, None] = {}
        for m in self.messages:
            if m.flight_id is not None:
                seen.setdefault(m.flight_id, None)
        return list(seen)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "messages": [m.as_dict() for m in self.messages],
            "flights": self.flight_ids,
            "quarantined": self.quarantined,
            "problems": sum(len(m.problems) for m in self.messages),
        }


def read_files(paths: Sequence[Path]) -> list[Received]:
    """Return the bytes of each file, or raise InputError naming the file that cannot be read."""
    received = []
    for path in paths:
        try:
            if path.stat().st_size > MAX_MESSAGE_BYTES:
                raise InputError(
                    f"{path}: larger than {MAX_MESSAGE_BYTES} bytes; split the message", source=str(path)
                )
            received.append(Received(path.name, path.read_bytes()))
        except FileNotFoundError as exc:
            raise InputError(f"{path}: no such file", source=str(path)) from exc
        except IsADirectoryError as exc:
            raise InputError(f"{path}: is a folder, not a message file", source=str(path)) from exc
        except PermissionError as exc:
            raise InputError(f"{path}: not readable (permission denied)", source=str(path)) from exc
    return received


def _problems(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [p.as_dict() for p in problems]


def ingest(
    db: Database, actor: Actor, inputs: Sequence[Received], *, today: date, allow_repeat: bool = False
) -> IngestReport:
    """Read, store and report every input; unreadable ones are quarantined with their bytes.

    Bytes already accepted before are reported as duplicates and not read again, unless
    `allow_repeat` (a retry from quarantine): travellers already stored are still not added twice.
    """
    report = IngestReport()
    paxlst_parts: dict[tuple[str, str], list[tuple[Manifest, int, Received]]] = defaultdict(list)
    file_problems: dict[int, Sequence[Problem]] = {}  # message id -> what parsing its file reported
    for item in inputs:
        digest = message_store.sha256(item.data)
        with db.transaction() as session:
            known = message_store.find_accepted(session, actor, digest)
        if known is not None and not allow_repeat:
            report.messages.append(
                MessageReport(
                    item.source,
                    "unknown",
                    "duplicate",
                    problems=[
                        {
                            "message": f"{item.source}: the same bytes were "
                            f"already received as message {known}; nothing added"
                        }
                    ],
                )
            )
            continue
        try:
            kind = detect_message_kind(item.data)
        except InputError as exc:
            report.messages.append(_quarantine_whole(db, actor, item, "unrecognised", exc))
            continue
        try:
            if kind == "paxlst":
                result = parse_paxlst(item.data, source=item.source, today=today)
                message_id = _store_message(db, actor, item, "paxlst", result.problems)
                file_problems[message_id] = result.problems
                for manifest in result.records:
                    paxlst_parts[(manifest.flight.key, manifest.reference)].append(
                        (manifest, message_id, item)
                    )
                if not result.records:
                    report.messages.append(
                        _quarantine_records(
                            db,
                            actor,
                            item,
                            "paxlst",
                            message_id,
                            result.problems,
                            "no readable message in it",
                        )
                    )
                elif result.errors:
                    report.messages.append(
                        _quarantine_records(
                            db,
                            actor,
                            item,
                            "paxlst",
                            message_id,
                            result.errors,
                            "travellers could not be read",
                        )
                    )
            elif kind == "pnrgov":
                pnr = parse_pnrgov(item.data, source=item.source, today=today)
                report.messages.extend(_store_pnr(db, actor, item, pnr.records, pnr.problems))
            elif kind == "csv":
                csv_result = parse_csv_manifest(item.data, source=item.source)
                message_id = _store_message(db, actor, item, "csv", csv_result.problems)
                for manifest in csv_result.records:
                    report.messages.append(
                        _store_manifest(db, actor, manifest, [message_id], [item.source], csv_result.problems)
                    )
                if csv_result.errors or not csv_result.records:
                    report.messages.append(
                        _quarantine_records(
                            db, actor, item, "csv", message_id, csv_result.problems, "rows could not be read"
                        )
                    )
            else:
                raise InputError(
                    f"{item.source}: a {kind.upper()} is a single document, not a flight message; "
                    "check it with `borderwatch mrz`",
                    source=item.source,
                )
        except InputError as exc:
            report.messages.append(_quarantine_whole(db, actor, item, kind, exc))
    for (_key, _ref), parts in paxlst_parts.items():
        merged = merge_paxlst_parts([m for m, _, _ in parts])
        message_ids = sorted({mid for _, mid, _ in parts})
        sources = sorted({it.source for _, _, it in parts})
        # What each part's file said (a message cut short, a date unread) and what merging them found.
        part_problems = [p for mid in message_ids for p in file_problems[mid]] + list(merged.problems)
        for manifest in merged.records:
            message_report = _store_manifest(db, actor, manifest, message_ids, sources, part_problems)
            message_report.parts = len(parts)
            report.messages.append(message_report)
    return report


def _store_message(db: Database, actor: Actor, item: Received, kind: str, problems: Sequence[Problem]) -> int:
    errors = [p for p in problems if p.severity is Severity.ERROR]
    status = "partial" if errors else "accepted"
    with db.transaction() as session:
        return message_store.add_message(
            session,
            actor,
            kind=kind,
            source=item.source,
            raw=item.data,
            status=status,
            report={"problems": _problems(problems)},
        )


def _store_manifest(
    db: Database,
    actor: Actor,
    manifest: Manifest,
    message_ids: list[int],
    sources: list[str],
    problems: Sequence[Problem],
) -> MessageReport:
    crew = sum(1 for t in manifest.travellers if t.role is TravellerRole.CREW)
    report = MessageReport(
        ", ".join(sources),
        manifest.kind.value,
        "accepted",
        flight=manifest.flight.key,
        passengers=len(manifest.travellers) - crew,
        crew=crew,
        problems=_problems(problems),
    )
    if report.problems and any(p["severity"] == "error" for p in report.problems):
        report.status = "partial"
    if manifest.kind is MessageKind.FLIGHT_CLOSE_OUT and not manifest.travellers:
        return report
    with db.transaction() as session:
        flight_id, _new = flight_store.upsert_flight(session, actor, manifest.flight)
        added, duplicates = flight_store.add_travellers(
            session,
            actor,
            flight_id,
            manifest.travellers,
            message_id=message_ids[-1] if message_ids else None,
        )
    report.flight_id = flight_id
    report.stored = len(added)
    report.already_stored = duplicates
    return report


def _store_pnr(
    db: Database, actor: Actor, item: Received, messages: Sequence[PnrMessage], problems: Sequence[Problem]
) -> list[MessageReport]:
    message_id = _store_message(db, actor, item, "pnrgov", problems)
    reports = []
    for message in messages:
        report = MessageReport(
            item.source,
            MessageKind.PNR_PUSH.value,
            "accepted",
            flight=message.flight.key,
            bookings=len(message.bookings),
            passengers=sum(len(b.travellers) for b in message.bookings),
            problems=_problems(problems),
        )
        with db.transaction() as session:
            flight_id, _ = flight_store.upsert_flight(session, actor, message.flight)
            added, already = flight_store.add_bookings(
                session, actor, flight_id, message.bookings, message_id=message_id
            )
        report.flight_id, report.stored, report.already_stored = flight_id, added, already
        reports.append(report)
    errors = [p for p in problems if p.severity is Severity.ERROR]
    if errors or not messages:
        reports.append(
            _quarantine_records(
                db, actor, item, "pnrgov", message_id, problems or errors, "bookings could not be read"
            )
        )
    return reports


def _quarantine_whole(
    db: Database, actor: Actor, item: Received, kind: str, exc: InputError
) -> MessageReport:
    problem = exc.as_dict()
    with db.transaction() as session:
        message_id = message_store.add_message(
            session,
            actor,
            kind=kind,
            source=item.source,
            raw=item.data,
            status="quarantined",
            report={"error": problem},
        )
        qid = message_store.quarantine(
            session,
            actor,
            source=item.source,
            raw=item.data,
            reason=exc.message,
            problems=[problem],
            message_id=message_id,
        )
    return MessageReport(
        item.source, kind, "quarantined", problems=[{**problem, "severity": "error"}], quarantine_id=qid
    )


def _quarantine_records(
    db: Database,
    actor: Actor,
    item: Received,
    kind: str,
    message_id: int,
    problems: Sequence[Problem],
    reason: str,
) -> MessageReport:
    with db.transaction() as session:
        qid = message_store.quarantine(
            session,
            actor,
            source=item.source,
            raw=item.data,
            reason=f"{item.source}: {reason}",
            problems=_problems(problems),
            message_id=message_id,
        )
    return MessageReport(
        item.source, kind, "quarantined records", problems=_problems(problems), quarantine_id=qid
    )


def retry_quarantined(db: Database, actor: Actor, item_id: int, *, today: date) -> IngestReport:
    """Ingest a quarantined item's bytes again (after a parser fix); mark it retried when it now goes in."""
    with db.transaction() as session:
        item = message_store.get_quarantined(session, actor, item_id)
    report = ingest(db, actor, [Received(item.source, item.raw)], today=today, allow_repeat=True)
    if not any(m.status == "quarantined" for m in report.messages):
        with db.transaction() as session:
            message_store.set_quarantine_status(session, actor, item_id, "retried")
    return report
