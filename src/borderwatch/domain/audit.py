"""The audit trail: who did what to which personal data, when, through which channel.

Events form one hash chain per agency: each event's hash covers its own fields and the previous
event's hash, so an edited, inserted or deleted row breaks the chain at a findable place.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import Enum

GENESIS_HASH = "0" * 64


class Role(Enum):
    """What a user may do. Officers review; supervisors approve; admins manage; auditors read the trail."""

    OFFICER = "officer"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"
    AUDITOR = "auditor"
    INSTRUCTOR = "instructor"
    TRAINEE = "trainee"
    SYSTEM = "system"  # the instance itself (CLI jobs, partner deliveries)


@dataclass(frozen=True, slots=True)
class Actor:
    """Who is acting, for which agency, through which channel (a CLI command or an HTTP endpoint)."""

    agency_id: int
    agency_code: str
    username: str
    role: Role = Role.SYSTEM
    channel: str = "cli"

    @property
    def label(self) -> str:
        """Return `username@AGENCY`, as the trail shows it."""
        return f"{self.username}@{self.agency_code}"


@dataclass(frozen=True, slots=True)
class AuditEvent:
    """One entry of the trail, as stored."""

    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    channel: str
    detail: Mapping[str, object] = field(default_factory=dict)
    prev_hash: str = GENESIS_HASH
    hash: str = ""


def _utc_text(moment: datetime) -> str:
    # SQLite hands datetimes back without a zone; every stored time is UTC, so read it as such.
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return aware.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(event: AuditEvent, prev_hash: str) -> str:
    """Return the chain hash of `event` given the hash of the event before it."""
    body = {
        "seq": event.seq,
        "at": _utc_text(event.at),
        "actor": event.actor,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "channel": event.channel,
        "detail": event.detail,
        "prev": prev_hash,
    }
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


@dataclass(frozen=True, slots=True)
class ChainBreak:
    """Where and how the chain is broken."""

    seq: int
    reason: str


def verify_chain(
    events: Iterable[AuditEvent], *, head_seq: int | None = None, head_hash: str | None = None
) -> list[ChainBreak]:
    """Return every break in a chain of events given in sequence order (empty when intact).

    Detects edited rows (hash mismatch), inserted or deleted rows (sequence gaps, previous-hash
    mismatch) and a truncated tail (the head record says more events exist than were found).
    """
    breaks: list[ChainBreak] = []
    expected_prev = GENESIS_HASH
    expected_seq = 1
    last_seq = 0
    last_hash = GENESIS_HASH
    for event in events:
        if event.seq != expected_seq:
            breaks.append(
                ChainBreak(
                    event.seq,
                    f"sequence jumps from {expected_seq - 1} to {event.seq}: events deleted or inserted",
                )
            )
        if event.prev_hash != expected_prev:
            breaks.append(ChainBreak(event.seq, "previous-hash link does not match the event before it"))
        if event_hash(event, event.prev_hash) != event.hash:
            breaks.append(ChainBreak(event.seq, "event content does not match its hash: the row was edited"))
        expected_prev = event.hash
        expected_seq = event.seq + 1
        last_seq, last_hash = event.seq, event.hash
    if head_seq is not None and head_seq != last_seq:
        breaks.append(
            ChainBreak(
                last_seq,
                f"chain ends at {last_seq} but {head_seq} events were written: "
                "events at the end were deleted",
            )
        )
    elif head_hash is not None and head_hash != last_hash and last_seq:
        breaks.append(ChainBreak(last_seq, "last event differs from the one recorded as the chain head"))
    return breaks
