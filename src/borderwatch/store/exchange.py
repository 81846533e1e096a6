"""Partner exchange storage: agreements per agency, the outbox, the inbox, and data received from partners.

Every change to an agreement is audited with its field-by-field differences; every message put
in the outbox, every message received and every purge is audited in the same transaction.
Data received from a partner carries the agreement and the instant its retention ends.
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import (
    Agreement,
    AgreementChange,
    AgreementId,
    Direction,
    ShareableField,
    agreement_changes,
    revoke,
)
from borderwatch.domain.alerts import AlertId, AlertKind, AlertState, Decision, Severity
from borderwatch.domain.audit import Actor
from borderwatch.domain.exchange import MessageKind, OutboxMessage, OutboxState
from borderwatch.domain.watchlists import ListId, LostStolenDocument, normalise_document_number
from borderwatch.errors import AccessDeniedError, NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import (
    AgencyRow,
    AgreementRow,
    AlertEventRow,
    AlertRow,
    InboxRow,
    LostStolenRow,
    OutboxRow,
    PublicationRow,
    ReceivedRow,
    TravelDocumentRow,
    TravellerRow,
    WatchListRow,
)


def _aware(moment: datetime) -> datetime:
    # SQLite hands datetimes back without a zone; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _maybe_aware(moment: datetime | None) -> datetime | None:
    return None if moment is None else _aware(moment)


# ------------------------------------------------------------------------------------ agreements


def _to_agreement(row: AgreementRow, agency: str) -> Agreement:
    return Agreement(
        id=AgreementId(row.agreement_id),
        agency=AgencyCode(agency),
        partner=AgencyCode(row.partner),
        partner_url=row.partner_url,
        partner_public_key=base64.b64decode(row.partner_public_key),
        directions=frozenset(Direction(d) for d in row.directions),
        alert_categories=frozenset(AlertKind(c) for c in row.alert_categories),
        list_ids=frozenset(ListId(i) for i in row.list_ids),
        fields=frozenset(ShareableField(f) for f in row.fields),
        purpose=row.purpose,
        retention_days=row.retention_days,
        valid_from=_aware(row.valid_from),
        valid_until=_maybe_aware(row.valid_until),
        revoked_at=_maybe_aware(row.revoked_at),
    )


def _fill(row: AgreementRow, agreement: Agreement) -> None:
    row.partner = agreement.partner
    row.partner_url = agreement.partner_url
    row.partner_public_key = agreement.partner_public_key_b64
    row.directions = sorted(d.value for d in agreement.directions)
    row.alert_categories = sorted(c.value for c in agreement.alert_categories)
    row.list_ids = sorted(agreement.list_ids)
    row.fields = sorted(f.value for f in agreement.fields)
    row.purpose = agreement.purpose
    row.retention_days = agreement.retention_days
    row.valid_from = agreement.valid_from
    row.valid_until = agreement.valid_until
    row.revoked_at = agreement.revoked_at


def _agreement_row(
    session: Session, agency_id: int, agreement_id: str, *, lock: bool = False
) -> AgreementRow | None:
    query = select(AgreementRow).where(
        AgreementRow.agency_id == agency_id, AgreementRow.agreement_id == agreement_id
    )
    if lock:
        query = query.with_for_update()
    return session.execute(query).scalar_one_or_none()


def put_agreement(
    session: Session, actor: Actor, agreement: Agreement, *, at: datetime
) -> tuple[bool, tuple[AgreementChange, ...]]:
    """Store the agency's copy of an agreement (new or changed); return (created, changes), audited.

    The agreement must be held by the actor's agency (AccessDeniedError otherwise). A revoked
    agreement stays revoked: a file without `revoked_at` does not bring it back.
    """
    if agreement.agency != actor.agency_code:
        raise AccessDeniedError(
            f"agreement {agreement.id} is held by {agreement.agency}, not by {actor.agency_code}"
        )
    row = _agreement_row(session, actor.agency_id, agreement.id, lock=True)
    if row is None:
        row = AgreementRow(agency_id=actor.agency_id, agreement_id=agreement.id, created_at=at, updated_at=at)
        _fill(row, agreement)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "agreement.add",
            subject_type="agreement",
            subject_id=agreement.id,
            detail={
                "partner": agreement.partner,
                "fields": sorted(f.value for f in agreement.fields),
                "alert_categories": sorted(c.value for c in agreement.alert_categories),
                "list_ids": sorted(agreement.list_ids),
                "retention_days": agreement.retention_days,
            },
            at=at,
        )
        return True, ()
    before = _to_agreement(row, actor.agency_code)
    after = agreement
    if before.revoked_at is not None and after.revoked_at is None:
        after = revoke(after, before.revoked_at)
    changes = agreement_changes(before, after)
    if changes:
        _fill(row, after)
        row.updated_at = at
        audit.record(
            session,
            actor,
            "agreement.change",
            subject_type="agreement",
            subject_id=agreement.id,
            detail={"changes": [{"field": c.field, "before": c.before, "after": c.after} for c in changes]},
            at=at,
        )
    return False, changes


def get_agreement(session: Session, agency_id: int, agreement_id: str) -> Agreement | None:
    """Return the agency's copy of an agreement, or None."""
    row = _agreement_row(session, agency_id, agreement_id)
    if row is None:
        return None
    code = _agency_code(session, agency_id)
    return _to_agreement(row, code)


def _agency_code(session: Session, agency_id: int) -> str:
    return session.execute(select(AgencyRow.code).where(AgencyRow.id == agency_id)).scalar_one()


def list_agreements(session: Session, agency_id: int) -> list[Agreement]:
    """Return the agency's agreements, by id."""
    code = _agency_code(session, agency_id)
    rows = session.execute(
        select(AgreementRow).where(AgreementRow.agency_id == agency_id).order_by(AgreementRow.agreement_id)
    ).scalars()
    return [_to_agreement(row, code) for row in rows]


def revoke_agreement(
    session: Session, actor: Actor, agreement_id: str, *, at: datetime
) -> tuple[Agreement, int]:
    """Revoke one of the agency's agreements at `at`; return it and how many queued messages were cancelled.

    Messages still in the outbox under the agreement are cancelled in the same transaction, so
    nothing more leaves under it. Audited (a second revocation changes nothing and is not).
    """
    row = _agreement_row(session, actor.agency_id, agreement_id, lock=True)
    if row is None:
        raise NotFoundError(f"agreement {agreement_id!r} not found")
    before = _to_agreement(row, actor.agency_code)
    if before.revoked_at is not None:
        return before, 0
    after = revoke(before, at)
    row.revoked_at = after.revoked_at
    row.updated_at = at
    cancelled = cancel_messages(
        session, actor.agency_id, agreement_id, reason=f"agreement revoked at {at.isoformat()}"
    )
    audit.record(
        session,
        actor,
        "agreement.revoke",
        subject_type="agreement",
        subject_id=agreement_id,
        detail={"partner": before.partner, "revoked_at": at.isoformat(), "outbox_cancelled": cancelled},
        at=at,
    )
    return after, cancelled


# ------------------------------------------------------------------------------------------ outbox


def _to_message(row: OutboxRow) -> OutboxMessage:
    return OutboxMessage(
        id=row.id,
        agency_id=row.agency_id,
        agreement_id=AgreementId(row.agreement_id),
        message_id=row.message_id,
        kind=MessageKind(row.kind),
        stream=row.stream,
        sequence=row.sequence,
        payload=dict(row.payload),
        state=OutboxState(row.state),
        attempts=row.attempts,
        next_attempt_at=_aware(row.next_attempt_at),
        created_at=_aware(row.created_at),
        delivered_at=_maybe_aware(row.delivered_at),
        last_error=row.last_error,
    )


def enqueue(
    session: Session,
    actor: Actor,
    *,
    agreement_id: str,
    kind: MessageKind,
    stream: str,
    payload: Mapping[str, object],
    at: datetime,
) -> OutboxMessage:
    """Put a message for the partner in the outbox, after the stream's last one; return it (audited).

    The audit event names the fields that leave, never their values.
    """
    last = session.execute(
        select(func.max(OutboxRow.sequence)).where(
            OutboxRow.agency_id == actor.agency_id,
            OutboxRow.agreement_id == agreement_id,
            OutboxRow.stream == stream,
        )
    ).scalar_one_or_none()
    row = OutboxRow(
        agency_id=actor.agency_id,
        agreement_id=agreement_id,
        message_id=str(uuid.uuid4()),
        kind=kind.value,
        stream=stream,
        sequence=(last or 0) + 1,
        payload=dict(payload),
        state=OutboxState.PENDING.value,
        attempts=0,
        next_attempt_at=at,
        last_error="",
        created_at=at,
    )
    session.add(row)
    session.flush()
    record = payload.get("record")
    audit.record(
        session,
        actor,
        "exchange.enqueue",
        subject_type="outbox",
        subject_id=row.message_id,
        detail={
            "agreement": agreement_id,
            "kind": kind.value,
            "stream": stream,
            "sequence": row.sequence,
            "fields": sorted(record) if isinstance(record, dict) else [],
        },
        at=at,
    )
    return _to_message(row)


def pending_messages(
    session: Session, *, agency_id: int | None = None, limit: int = 5000
) -> list[OutboxMessage]:
    """Return pending outbox messages (all agencies, or one), in stream and sequence order."""
    query = select(OutboxRow).where(OutboxRow.state == OutboxState.PENDING.value)
    if agency_id is not None:
        query = query.where(OutboxRow.agency_id == agency_id)
    rows = session.execute(
        query.order_by(
            OutboxRow.agency_id, OutboxRow.agreement_id, OutboxRow.stream, OutboxRow.sequence
        ).limit(limit)
    ).scalars()
    return [_to_message(row) for row in rows]


def pending_count(session: Session, *, agency_id: int | None = None) -> int:
    """Return how many messages wait in the outbox."""
    query = select(func.count()).select_from(OutboxRow).where(OutboxRow.state == OutboxState.PENDING.value)
    if agency_id is not None:
        query = query.where(OutboxRow.agency_id == agency_id)
    return int(session.execute(query).scalar_one())


def record_attempt(
    session: Session,
    message_id: str,
    *,
    delivered: bool,
    cancelled: bool = False,
    error: str = "",
    at: datetime,
    next_attempt_at: datetime | None,
) -> None:
    """Store the outcome of one delivery attempt of a pending message (a settled one is left alone)."""
    row = session.execute(
        select(OutboxRow).where(OutboxRow.message_id == message_id).with_for_update()
    ).scalar_one_or_none()
    if row is None or row.state != OutboxState.PENDING.value:
        return
    row.attempts += 1
    row.last_error = error[:2000]
    if delivered:
        row.state = OutboxState.DELIVERED.value
        row.delivered_at = at
    elif cancelled:
        row.state = OutboxState.CANCELLED.value
    else:
        row.next_attempt_at = next_attempt_at or at


def cancel_messages(session: Session, agency_id: int, agreement_id: str, *, reason: str) -> int:
    """Cancel every pending message under an agreement; return how many."""
    rows = (
        session.execute(
            select(OutboxRow).where(
                OutboxRow.agency_id == agency_id,
                OutboxRow.agreement_id == agreement_id,
                OutboxRow.state == OutboxState.PENDING.value,
            )
        )
        .scalars()
        .all()
    )
    for row in rows:
        row.state = OutboxState.CANCELLED.value
        row.last_error = reason
    return len(rows)


@dataclass(frozen=True, slots=True)
class OutboxStatus:
    """Counts per agreement and state, the oldest pending message and the last error."""

    counts: dict[str, dict[str, int]]
    oldest_pending: datetime | None
    last_errors: dict[str, str]

    def as_dict(self) -> dict[str, object]:
        """Return the status as JSON-ready data."""
        return {
            "counts": self.counts,
            "oldest_pending": self.oldest_pending.isoformat() if self.oldest_pending else None,
            "last_errors": self.last_errors,
        }


def outbox_status(session: Session, agency_id: int) -> OutboxStatus:
    """Return the agency's outbox status (no personal data in it)."""
    counts: dict[str, dict[str, int]] = {}
    for agreement_id, state, count in session.execute(
        select(OutboxRow.agreement_id, OutboxRow.state, func.count())
        .where(OutboxRow.agency_id == agency_id)
        .group_by(OutboxRow.agreement_id, OutboxRow.state)
    ).all():
        counts.setdefault(agreement_id, {})[state] = int(count)
    oldest = session.execute(
        select(func.min(OutboxRow.created_at)).where(
            OutboxRow.agency_id == agency_id, OutboxRow.state == OutboxState.PENDING.value
        )
    ).scalar_one_or_none()
    errors = {
        message_id: error
        for message_id, error in session.execute(
            select(OutboxRow.message_id, OutboxRow.last_error)
            .where(
                OutboxRow.agency_id == agency_id,
                OutboxRow.state == OutboxState.PENDING.value,
                OutboxRow.last_error != "",
            )
            .order_by(OutboxRow.id)
            .limit(20)
        ).all()
    }
    return OutboxStatus(counts, _maybe_aware(oldest), errors)


def outbox_messages(session: Session, agency_id: int, *, limit: int = 1000) -> list[OutboxMessage]:
    """Return the agency's outbox messages, oldest first, whatever their state."""
    rows = session.execute(
        select(OutboxRow).where(OutboxRow.agency_id == agency_id).order_by(OutboxRow.id).limit(limit)
    ).scalars()
    return [_to_message(row) for row in rows]


# ------------------------------------------------------------------------------------------- inbox


class SeenMessageIds:
    """The message ids an agency already accepted (a `Container` for `open_envelope`)."""

    def __init__(self, session: Session, agency_id: int) -> None:
        self._session = session
        self._agency_id = agency_id

    def __contains__(self, message_id: object) -> bool:
        if not isinstance(message_id, str):
            return False
        found = self._session.execute(
            select(InboxRow.id).where(
                InboxRow.agency_id == self._agency_id, InboxRow.message_id == message_id
            )
        ).scalar_one_or_none()
        return found is not None


def remember_message(
    session: Session,
    agency_id: int,
    *,
    message_id: str,
    agreement_id: str,
    sender: str,
    kind: str,
    digest: str,
    received_at: datetime,
    expires_at: datetime,
) -> bool:
    """Record a received message id; return False when it was already there (a concurrent duplicate)."""
    try:
        with session.begin_nested():
            session.add(
                InboxRow(
                    agency_id=agency_id,
                    message_id=message_id,
                    agreement_id=agreement_id,
                    sender=sender,
                    kind=kind,
                    digest=digest,
                    received_at=received_at,
                    expires_at=expires_at,
                )
            )
            session.flush()
    except IntegrityError:
        return False
    return True


def forget_expired_messages(session: Session, *, now: datetime) -> int:
    """Delete remembered message ids whose replay protection has ended; return how many."""
    result = session.execute(delete(InboxRow).where(InboxRow.expires_at < now))
    return int(getattr(result, "rowcount", 0) or 0)


# ------------------------------------------------------------------------------- received from partners


def receive_alert(
    session: Session,
    actor: Actor,
    *,
    agreement_id: str,
    partner: str,
    message_id: str,
    origin_ref: str,
    data: Mapping[str, Any],
    severity: Severity,
    reason: str,
    received_at: datetime,
    retention_until: datetime,
) -> AlertId:
    """Put a partner's alert in the agency's queue, marked with its origin; return its id (audited).

    `data` holds only the fields the agreement allows; they are kept whole in the alert (to show)
    and in the received record (to prove what crossed), both purged at `retention_until`.
    """
    entity = str(data.get("entity_id") or "")
    row = AlertRow(
        agency_id=actor.agency_id,
        traveller_id=None,
        flight_id=None,
        kind=AlertKind.PARTNER.value,
        subject=(entity or f"{partner}:{origin_ref}")[:160],
        list_version_id=None,
        entity_hash="",
        score=float(data["score"]) if isinstance(data.get("score"), int | float) else 0.0,
        severity=severity.value,
        state=AlertState.NEW.value,
        reason=reason,
        evidence=[],
        assigned_to="",
        origin=partner,
        created_at=received_at,
        updated_at=received_at,
        agreement_id=agreement_id,
        origin_ref=origin_ref[:64],
        shared_data=dict(data),
        retention_until=retention_until,
    )
    session.add(row)
    session.flush()
    session.add(
        AlertEventRow(
            alert_id=row.id,
            at=received_at,
            actor=actor.label,
            action="receive",
            to_state=AlertState.NEW.value,
            note=f"received from {partner} under agreement {agreement_id} (their alert {origin_ref})",
        )
    )
    session.add(
        ReceivedRow(
            agency_id=actor.agency_id,
            agreement_id=agreement_id,
            partner=partner,
            message_id=message_id,
            kind=MessageKind.ALERT.value,
            reference=origin_ref,
            alert_id=row.id,
            data=dict(data),
            received_at=received_at,
            retention_until=retention_until,
        )
    )
    audit.record(
        session,
        actor,
        "exchange.receive",
        subject_type="alert",
        subject_id=row.id,
        detail={
            "partner": partner,
            "agreement": agreement_id,
            "message": message_id,
            "fields": sorted(data),
            "retention_until": retention_until.isoformat(),
        },
        at=received_at,
    )
    return AlertId(row.id)


def receive_list_version(
    session: Session,
    actor: Actor,
    *,
    agreement_id: str,
    partner: str,
    message_id: str,
    list_id: str,
    list_version_id: int | None,
    data: Mapping[str, Any],
    received_at: datetime,
    retention_until: datetime,
) -> None:
    """Record a list version received from a partner (audited), kept until `retention_until`."""
    session.add(
        ReceivedRow(
            agency_id=actor.agency_id,
            agreement_id=agreement_id,
            partner=partner,
            message_id=message_id,
            kind=MessageKind.LIST_DELTA.value,
            reference=list_id,
            alert_id=None,
            list_version_id=list_version_id,
            data=dict(data),
            received_at=received_at,
            retention_until=retention_until,
        )
    )
    audit.record(
        session,
        actor,
        "exchange.receive",
        subject_type="list",
        subject_id=list_id,
        detail={"partner": partner, "agreement": agreement_id, "message": message_id, **dict(data)},
        at=received_at,
    )


@dataclass(frozen=True, slots=True)
class ReceivedRecord:
    """Something a partner sent, as kept: which agreement, what crossed, until when."""

    id: int
    agreement_id: str
    partner: str
    message_id: str
    kind: str
    reference: str
    alert_id: int | None
    list_version_id: int | None
    data: dict[str, Any]
    received_at: datetime
    retention_until: datetime


def _to_received(row: ReceivedRow) -> ReceivedRecord:
    return ReceivedRecord(
        row.id,
        row.agreement_id,
        row.partner,
        row.message_id,
        row.kind,
        row.reference,
        row.alert_id,
        row.list_version_id,
        dict(row.data or {}),
        _aware(row.received_at),
        _aware(row.retention_until),
    )


def received_records(
    session: Session, agency_id: int, *, agreement_id: str | None = None, kind: str | None = None
) -> list[ReceivedRecord]:
    """Return what partners sent the agency and is still kept, oldest first."""
    query = select(ReceivedRow).where(ReceivedRow.agency_id == agency_id)
    if agreement_id is not None:
        query = query.where(ReceivedRow.agreement_id == agreement_id)
    if kind is not None:
        query = query.where(ReceivedRow.kind == kind)
    return [_to_received(row) for row in session.execute(query.order_by(ReceivedRow.id)).scalars()]


def received_due(session: Session, agency_id: int, *, before: datetime) -> list[ReceivedRecord]:
    """Return the received records whose retention ends before `before`."""
    rows = session.execute(
        select(ReceivedRow)
        .where(ReceivedRow.agency_id == agency_id, ReceivedRow.retention_until <= before)
        .order_by(ReceivedRow.id)
    ).scalars()
    return [_to_received(row) for row in rows]


def purge_received(
    session: Session, actor: Actor, records: Sequence[ReceivedRecord], *, at: datetime, reason: str
) -> dict[str, int]:
    """Delete received records and what they fed (queue alerts, list documents); return counts (audited)."""
    if not records:
        return {"records": 0, "alerts": 0, "list_versions": 0}
    alert_ids = [r.alert_id for r in records if r.alert_id is not None]
    version_ids = sorted({r.list_version_id for r in records if r.list_version_id is not None})
    alerts_deleted = 0
    if alert_ids:
        result = session.execute(
            delete(AlertRow).where(
                AlertRow.agency_id == actor.agency_id, AlertRow.id.in_(alert_ids), AlertRow.origin != ""
            )
        )
        alerts_deleted = int(getattr(result, "rowcount", 0) or 0)
        # alert_events go with their alert (ON DELETE CASCADE); SQLite needs the rows removed explicitly
        # only when foreign keys are off, which they never are outside migrations.
    # A version still referenced by a later, unexpired record stays (the list is still in force).
    still_used = set(
        session.execute(
            select(ReceivedRow.list_version_id).where(
                ReceivedRow.agency_id == actor.agency_id,
                ReceivedRow.list_version_id.in_(version_ids),
                ReceivedRow.id.not_in([r.id for r in records]),
            )
        ).scalars()
    )
    purged_versions = [v for v in version_ids if v not in still_used]
    if purged_versions:
        session.execute(delete(LostStolenRow).where(LostStolenRow.list_version_id.in_(purged_versions)))
        for watch_list in session.execute(
            select(WatchListRow).where(
                WatchListRow.agency_id == actor.agency_id, WatchListRow.active_version_id.in_(purged_versions)
            )
        ).scalars():
            watch_list.active_version_id = None
    session.execute(delete(ReceivedRow).where(ReceivedRow.id.in_([r.id for r in records])))
    counts = {"records": len(records), "alerts": alerts_deleted, "list_versions": len(purged_versions)}
    audit.record(
        session,
        actor,
        "exchange.purge",
        subject_type="received",
        subject_id=",".join(sorted({r.agreement_id for r in records})),
        detail={**counts, "reason": reason, "messages": [r.message_id for r in records][:200]},
        at=at,
    )
    return counts


def find_received_alert(session: Session, agency_id: int, alert_id: int) -> AlertRow | None:
    """Return one of the agency's alerts if it was received from a partner, else None."""
    return session.execute(
        select(AlertRow).where(
            AlertRow.id == alert_id, AlertRow.agency_id == agency_id, AlertRow.origin != ""
        )
    ).scalar_one_or_none()


def add_partner_event(
    session: Session,
    actor: Actor,
    alert_id: int,
    *,
    action: str,
    note: str,
    decision: Decision | None = None,
    at: datetime,
) -> bool:
    """Add what a partner said about one of our alerts to its history (audited); False if no such alert."""
    row = session.execute(
        select(AlertRow).where(AlertRow.id == alert_id, AlertRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if row is None:
        return False
    session.add(
        AlertEventRow(
            alert_id=row.id,
            at=at,
            actor=actor.label,
            action=action,
            from_state=row.state,
            to_state=row.state,
            note=note[:4000],
            decision=decision.value if decision else "",
        )
    )
    audit.record(
        session,
        actor,
        f"alert.{action}",
        subject_type="alert",
        subject_id=row.id,
        detail={"decision": decision.value if decision else ""},
        at=at,
    )
    return True


# ------------------------------------------------------------------------------------- shared lists


def lost_stolen_documents(session: Session, version_id: int) -> list[LostStolenDocument]:
    """Return every document of one lost/stolen list version."""
    rows = session.execute(
        select(LostStolenRow).where(LostStolenRow.list_version_id == version_id).order_by(LostStolenRow.id)
    ).scalars()
    return [
        LostStolenDocument(r.issuing_state, r.number, r.doc_type, r.reported_on, r.record_id) for r in rows
    ]


@dataclass(frozen=True, slots=True)
class Publication:
    """The last version of a list sent to a partner under an agreement."""

    list_version_id: int
    version: int
    published_at: datetime


def last_publication(session: Session, agency_id: int, agreement_id: str, list_id: str) -> Publication | None:
    """Return the last version of a list published under an agreement, or None."""
    row = session.execute(
        select(PublicationRow)
        .where(
            PublicationRow.agency_id == agency_id,
            PublicationRow.agreement_id == agreement_id,
            PublicationRow.list_id == list_id,
        )
        .order_by(PublicationRow.id.desc())
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return Publication(row.list_version_id, row.version, _aware(row.published_at))


def record_publication(
    session: Session,
    actor: Actor,
    *,
    agreement_id: str,
    list_id: str,
    list_version_id: int,
    version: int,
    at: datetime,
) -> None:
    """Record that a list version was published under an agreement."""
    session.add(
        PublicationRow(
            agency_id=actor.agency_id,
            agreement_id=agreement_id,
            list_id=list_id,
            list_version_id=list_version_id,
            version=version,
            published_at=at,
        )
    )


@dataclass(frozen=True, slots=True)
class DocumentHolder:
    """A stored traveller travelling on a given document."""

    traveller_id: int
    flight_id: int
    issuing_state: str
    number: str


def travellers_with_documents(
    session: Session, actor: Actor, keys: Sequence[tuple[str, str]], *, since: datetime, purpose: str
) -> list[DocumentHolder]:
    """Return the travellers since `since` whose document (state, number) is among `keys` (audited)."""
    wanted = {(state.upper(), normalise_document_number(number)) for state, number in keys}
    numbers = sorted({number for _, number in wanted})
    found: list[DocumentHolder] = []
    for start in range(0, len(numbers), 500):
        rows = session.execute(
            select(
                TravellerRow.id,
                TravellerRow.flight_id,
                TravelDocumentRow.issuing_state,
                TravelDocumentRow.number,
                TravelDocumentRow.number_normalised,
            )
            .join(TravelDocumentRow, TravelDocumentRow.traveller_id == TravellerRow.id)
            .where(
                TravellerRow.agency_id == actor.agency_id,
                TravellerRow.created_at >= since,
                TravellerRow.depersonalised_at.is_(None),
                TravelDocumentRow.number_normalised.in_(numbers[start : start + 500]),
            )
        ).all()
        found.extend(
            DocumentHolder(tid, fid, state, number)
            for tid, fid, state, number, normalised in rows
            if (state.upper(), normalised) in wanted
        )
    audit.record(
        session,
        actor,
        "travellers.read",
        subject_type="agency",
        subject_id=actor.agency_code,
        detail={"count": len(found), "purpose": purpose, "since": since.isoformat()},
    )
    return found
