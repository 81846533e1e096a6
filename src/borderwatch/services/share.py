"""Sharing with partner agencies under agreements: alerts out, alerts in, answers back, lists both ways.

Out: when an officer confirms a match and an agreement in force covers the alert's category,
the alert is minimised to the agreed fields and put in the outbox (same transaction as the
decision). `deliver` seals each due message afresh (Ed25519, `sent_at` = now, same message id)
and posts it; retries back off; messages about one alert keep their order.

In: `receive_envelope` verifies the envelope (signature, agreement, freshness, duplicates),
minimises again with our own copy of the agreement (a field the partner should not have sent is
dropped and the drop audited), and stores what crossed with its retention end. Every refusal is
audited with its reason. Received alerts join the one alert queue, marked with their origin; our
acknowledgement and our officer's decision flow back to the sender and join its alert's history.

Lists: `publish_list` sends what changed in a lost/stolen list since the version last published
under the agreement; the receiver applies it to its copy `LSD:<partner>` through the ordinary
list import (a new list version) and re-screens recent travellers' documents against it.
A subset of the agency's own national watch list (`NAT:<agency>`, the entries of the categories
named at publication, only the columns the agreement's fields allow) is published the same way;
the receiver keeps it as the national list `NAT:<partner>` (entry ids `NAT:<partner>:<their id>`),
which screening uses and whose new or changed entries re-screen recent travellers.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import random
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session

from borderwatch.domain.agreements import (
    Agreement,
    AgreementChange,
    Direction,
    ShareableField,
    minimise,
    permits_alert,
    permits_direction,
    permits_list,
    retention_ends,
    withheld_fields,
)
from borderwatch.domain.alerts import AlertKind, AlertState, Decision, Severity
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.exchange import DeliveryResult, MessageKind, OutboxMessage
from borderwatch.domain.travellers import Flight, Traveller
from borderwatch.domain.watchlists import LostStolenDocument
from borderwatch.errors import (
    AccessDeniedError,
    DuplicateEnvelopeError,
    EnvelopeRejectedError,
    EnvelopeRejection,
    InputError,
    NotFoundError,
)
from borderwatch.formats.agreements import read_agreement
from borderwatch.formats.lists.lost_stolen import COLUMNS as LOST_STOLEN_COLUMNS
from borderwatch.formats.lists.national import COLUMNS as NATIONAL_COLUMNS
from borderwatch.formats.lists.national import (
    NationalCategory,
    document_parts,
    national_row,
    record_id,
    write_national_rows,
)
from borderwatch.services.instance import Instance
from borderwatch.services.keys import load_private_key
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.services.screen import match_config
from borderwatch.sharing.client import PartnerClient
from borderwatch.sharing.envelope import (
    DEFAULT_REPLAY_WINDOW,
    MAX_ENVELOPE_BYTES,
    Envelope,
    open_envelope,
    seal,
)
from borderwatch.sharing.outbox import RetryPolicy, RoundReport, deliver_round, run_until_idle
from borderwatch.store import agencies as agency_store
from borderwatch.store import alerts as alert_store
from borderwatch.store import audit
from borderwatch.store import exchange as exchange_store
from borderwatch.store import flights as flight_store
from borderwatch.store import lists as list_store
from borderwatch.store.exchange import OutboxStatus, ReceivedRecord
from borderwatch.store.session import Database

INBOX_CHANNEL = "http:POST /api/exchange/inbox"
# A message id is remembered at least this long, beyond the replay window: a partner whose
# retries outlast the window (its answer lost, our server down) still finds it a duplicate.
INBOX_MEMORY = timedelta(days=30)
LIST_RECORDS_PER_MESSAGE = 2000  # about 150 bytes each: well under the 1 MiB envelope limit


# ------------------------------------------------------------------------------------ agreements


def add_agreement(
    db: Database, actor: Actor, agreement: Agreement, *, now: datetime
) -> tuple[bool, tuple[AgreementChange, ...]]:
    """Store an agreement of the actor's agency; return (created, changes). Audited."""
    _check_admin(actor)
    with db.transaction() as session:
        return exchange_store.put_agreement(session, actor, agreement, at=now)


def add_agreement_file(
    db: Database, actor: Actor, path: Path, *, now: datetime
) -> tuple[Agreement, bool, tuple[AgreementChange, ...]]:
    """Read an agreement YAML file and store it; return it with (created, changes). Audited."""
    try:
        agreement = read_agreement(path)
    except OSError as exc:
        raise InputError(
            f"{path}: cannot read the agreement ({exc.strerror or exc})", source=str(path)
        ) from exc
    created, changes = add_agreement(db, actor, agreement, now=now)
    return agreement, created, changes


def list_agreements(db: Database, actor: Actor) -> list[Agreement]:
    """Return the agreements of the actor's agency."""
    with db.transaction() as session:
        return exchange_store.list_agreements(session, actor.agency_id)


def revoke_agreement(
    db: Database, actor: Actor, agreement_id: str, *, now: datetime
) -> tuple[Agreement, int]:
    """Revoke an agreement at once; return it and how many queued messages will now never leave. Audited."""
    _check_admin(actor)
    with db.transaction() as session:
        return exchange_store.revoke_agreement(session, actor, agreement_id, at=now)


def _check_admin(actor: Actor) -> None:
    if actor.role not in (Role.ADMIN, Role.SYSTEM):
        raise AccessDeniedError(f"role {actor.role.value!r} cannot manage agreements; admins do")


# ---------------------------------------------------------------------------------- alerts out


def alert_record(
    traveller: Traveller,
    flight: Flight,
    *,
    kind: AlertKind,
    severity: Severity,
    reason: str,
    entity_id: str,
    score: float,
    decision: Decision,
    note: str,
) -> dict[str, object]:
    """Return everything about a confirmed alert that an agreement could allow, keyed by `ShareableField`."""
    document = traveller.main_document
    record: dict[str, object] = {
        ShareableField.FAMILY_NAME.value: traveller.family_name,
        ShareableField.GIVEN_NAMES.value: traveller.given_names,
        ShareableField.BIRTH_DATE.value: traveller.birth_date.isoformat() if traveller.birth_date else None,
        ShareableField.GENDER.value: traveller.gender.value,
        ShareableField.NATIONALITY.value: traveller.nationality,
        ShareableField.FLIGHT.value: flight.designator,
        ShareableField.FLIGHT_DATE.value: flight.departure_time.date().isoformat()
        if flight.departure_time
        else None,
        ShareableField.ORIGIN.value: flight.departure_port,
        ShareableField.DESTINATION.value: flight.arrival_port,
        ShareableField.ALERT_KIND.value: kind.value,
        ShareableField.SEVERITY.value: severity.value,
        ShareableField.REASON.value: reason,
        ShareableField.ENTITY_ID.value: entity_id,
        ShareableField.LIST_ID.value: entity_id.rsplit(":", 1)[0] if ":" in entity_id else "",
        ShareableField.SCORE.value: round(score, 4),
        ShareableField.DECISION.value: decision.value,
        ShareableField.OFFICER_NOTES.value: note,
    }
    if document is not None:
        record[ShareableField.DOCUMENT_NUMBER.value] = document.number
        record[ShareableField.DOCUMENT_TYPE.value] = document.doc_type.value
        record[ShareableField.DOCUMENT_ISSUING_STATE.value] = document.issuing_state
    return record


def _share_confirmed(session: Session, actor: Actor, alert_id: int, *, note: str, at: datetime) -> list[str]:
    """Enqueue a confirmed local alert for every partner whose agreement covers it; return message ids."""
    detail = alert_store.get_alert(session, actor, alert_id)
    if detail.traveller_id is None or detail.flight_id is None:
        return []
    kind = detail.summary.kind
    agreements = [
        a
        for a in exchange_store.list_agreements(session, actor.agency_id)
        if permits_alert(a, kind, at, direction=Direction.SEND)
    ]
    if not agreements:
        return []
    traveller = flight_store.get_traveller(
        session,
        actor,
        detail.traveller_id,
        purpose="share a confirmed match with partner agencies: " + ", ".join(a.id for a in agreements),
    ).traveller
    flight = flight_store.get_flight(session, actor, detail.flight_id).flight
    record = alert_record(
        traveller,
        flight,
        kind=kind,
        severity=detail.summary.severity,
        reason=detail.summary.reason,
        entity_id=detail.summary.entity_id,
        score=detail.summary.score,
        decision=Decision.CONFIRM_MATCH,
        note=note,
    )
    sent: list[str] = []
    for agreement in agreements:
        minimised = minimise(agreement, record, at, direction=Direction.SEND)
        message = exchange_store.enqueue(
            session,
            actor,
            agreement_id=agreement.id,
            kind=MessageKind.ALERT,
            stream=f"alert:{alert_id}",
            payload={
                "kind": MessageKind.ALERT.value,
                "alert_ref": str(alert_id),
                "category": kind.value,
                "record": minimised,
            },
            at=at,
        )
        audit.record(
            session,
            actor,
            "exchange.share",
            subject_type="alert",
            subject_id=alert_id,
            detail={
                "agreement": agreement.id,
                "partner": agreement.partner,
                "message": message.message_id,
                "fields": sorted(minimised),
                "withheld": list(withheld_fields(agreement, record)),
            },
            at=at,
        )
        sent.append(message.message_id)
    return sent


def after_decision(
    session: Session,
    actor: Actor,
    alert_id: int,
    *,
    to_state: AlertState,
    decision: Decision,
    note: str,
    at: datetime,
) -> list[str]:
    """Enqueue what a decision means for partners, in the decision's transaction; return message ids.

    Our own alert confirmed as a match: shared under every agreement in force that covers its
    category. A partner's alert decided here: the decision goes back to the partner.
    """
    received = exchange_store.find_received_alert(session, actor.agency_id, alert_id)
    if received is not None:
        return _answer_partner(
            session, actor, received.id, decision=decision, to_state=to_state, note=note, at=at
        )
    if to_state is AlertState.CONFIRMED_MATCH:
        return _share_confirmed(session, actor, alert_id, note=note, at=at)
    return []


def share_alert(db: Database, actor: Actor, alert_id: int, *, now: datetime, note: str = "") -> list[str]:
    """Share one of the agency's confirmed alerts again under every covering agreement; return message ids."""
    with db.transaction() as session:
        detail = alert_store.get_alert(session, actor, alert_id)
        if detail.summary.state is not AlertState.CONFIRMED_MATCH:
            raise InputError(
                f"alert {alert_id} is {detail.summary.state.value!r}: only confirmed matches are shared",
                field="alert",
            )
        return _share_confirmed(session, actor, alert_id, note=note, at=now)


def _answer_partner(
    session: Session,
    actor: Actor,
    alert_id: int,
    *,
    decision: Decision,
    to_state: AlertState,
    note: str,
    at: datetime,
) -> list[str]:
    row = exchange_store.find_received_alert(session, actor.agency_id, alert_id)
    if row is None or not row.agreement_id:
        return []
    agreement = exchange_store.get_agreement(session, actor.agency_id, row.agreement_id)
    if agreement is None or not permits_direction(agreement, Direction.SEND, at):
        return []
    payload: dict[str, object] = {
        "kind": MessageKind.ALERT_DECISION.value,
        "alert_ref": row.origin_ref,
        "decision": decision.value,
        "state": to_state.value,
    }
    if ShareableField.OFFICER_NOTES in agreement.fields and note:
        payload["note"] = note
    message = exchange_store.enqueue(
        session,
        actor,
        agreement_id=agreement.id,
        kind=MessageKind.ALERT_DECISION,
        stream=f"received:{alert_id}",
        payload=payload,
        at=at,
    )
    return [message.message_id]


# -------------------------------------------------------------------------------------- delivery


def _sender_codes(session: Session) -> dict[int, str]:
    return {agency_id: agency.code for agency_id, agency in agency_store.list_agencies(session)}


def deliver(
    instance: Instance,
    *,
    now: datetime | None = None,
    client: PartnerClient | None = None,
    policy: RetryPolicy | None = None,
    rng: random.Random | None = None,
    max_messages: int = 1000,
) -> RoundReport:
    """Deliver the outbox's due messages once (every agency of the instance); return what happened.

    Each message is sealed at its attempt, so it is fresh whenever it finally goes. A message
    whose agreement was revoked, expired or no longer allows sending is cancelled, not sent.
    """
    moment = now or datetime.now(UTC)
    db = instance.db
    with db.transaction() as session:
        pending = exchange_store.pending_messages(session)
        codes = _sender_codes(session)
    if not pending:
        return RoundReport()
    private_key = load_private_key(instance.settings.keys_dir)
    own_client = client is None
    http = client or PartnerClient()
    agreements: dict[tuple[int, str], Agreement | None] = {}

    def agreement_of(message: OutboxMessage) -> Agreement | None:
        key = (message.agency_id, message.agreement_id)
        if key not in agreements:
            with db.transaction() as session:
                agreements[key] = exchange_store.get_agreement(
                    session, message.agency_id, message.agreement_id
                )
        return agreements[key]

    def send(message: OutboxMessage) -> DeliveryResult:
        agreement = agreement_of(message)
        if agreement is None:
            return DeliveryResult(False, f"agreement {message.agreement_id} no longer exists", cancelled=True)
        allowed = permits_direction(agreement, Direction.SEND, datetime.now(UTC))
        if not allowed:
            return DeliveryResult(False, allowed.reason, cancelled=True)
        envelope = seal(
            message.payload,
            sender=codes[message.agency_id],
            recipient=agreement.partner,
            agreement_id=agreement.id,
            message_id=message.message_id,
            sent_at=datetime.now(UTC),
            private_key=private_key,
        )
        return http.post_envelope(agreement.partner_url, envelope)

    def record(message: OutboxMessage, result: DeliveryResult, next_at: datetime | None) -> None:
        with db.transaction() as session:
            exchange_store.record_attempt(
                session,
                message.message_id,
                delivered=result.delivered,
                cancelled=result.cancelled,
                error=result.error,
                at=datetime.now(UTC),
                next_attempt_at=next_at,
            )
            if result.cancelled:
                actor = Actor(
                    message.agency_id, codes[message.agency_id], "system", Role.SYSTEM, "share deliver"
                )
                audit.record(
                    session,
                    actor,
                    "exchange.cancel",
                    subject_type="outbox",
                    subject_id=message.message_id,
                    detail={"agreement": message.agreement_id, "reason": result.error},
                )

    try:
        return deliver_round(
            pending, now=moment, send=send, record=record, policy=policy, rng=rng, max_messages=max_messages
        )
    finally:
        if own_client:
            http.close()


def deliver_until_idle(
    instance: Instance,
    *,
    max_rounds: int,
    interval: float = 1.0,
    client: PartnerClient | None = None,
    policy: RetryPolicy | None = None,
    sleep: Callable[[float], None] | None = None,
) -> list[RoundReport]:
    """Run delivery rounds until the outbox is empty or `max_rounds` ran; return each round's report."""

    def pending() -> int:
        with instance.db.transaction() as session:
            return exchange_store.pending_count(session)

    def once() -> RoundReport:
        return deliver(instance, client=client, policy=policy)

    if sleep is None:
        return run_until_idle(once, pending_count=pending, max_rounds=max_rounds, interval=interval)
    return run_until_idle(once, pending_count=pending, max_rounds=max_rounds, interval=interval, sleep=sleep)


def outbox_status(db: Database, actor: Actor) -> OutboxStatus:
    """Return the agency's outbox counts per agreement and state, the oldest pending, the last errors."""
    with db.transaction() as session:
        return exchange_store.outbox_status(session, actor.agency_id)


# ------------------------------------------------------------------------------------- receiving


@dataclass(frozen=True, slots=True)
class ReceiveResult:
    """What became of an envelope that passed every check."""

    status: str  # accepted, duplicate
    message_id: str
    agency: str = ""
    kind: str = ""
    alert_id: int | None = None
    list_id: str = ""
    dropped_fields: tuple[str, ...] = ()

    def as_dict(self) -> dict[str, object]:
        """Return the result as JSON-ready data."""
        return {
            "status": self.status,
            "message_id": self.message_id,
            "kind": self.kind or None,
            "alert_id": self.alert_id,
            "list_id": self.list_id or None,
        }


def _recipient(data: bytes) -> str:
    """Return the recipient named in an (unverified) envelope, to choose whose agreements to check."""
    if len(data) > MAX_ENVELOPE_BYTES:
        return ""
    try:
        parsed = json.loads(data.decode("utf-8"))
        value = parsed["header"]["recipient"]
    except (UnicodeError, ValueError, KeyError, TypeError, RecursionError):
        return ""
    return value if isinstance(value, str) else ""


def _receiving_actor(session: Session, instance: Instance, data: bytes) -> Actor:
    code = _recipient(data)
    try:
        agency_id = agency_store.agency_id(session, code) if code else None
    except NotFoundError:
        agency_id = None
    if agency_id is None:  # not one of ours: the refusal goes to the default agency's trail
        code = instance.settings.agency
        agency_id = agency_store.agency_id(session, code)
    return Actor(agency_id, code, "exchange", Role.SYSTEM, INBOX_CHANNEL)


def receive_envelope(
    instance: Instance,
    data: bytes,
    *,
    now: datetime | None = None,
    replay_window: timedelta = DEFAULT_REPLAY_WINDOW,
    rescreen_days: int | None = None,
) -> ReceiveResult:
    """Verify a partner's envelope, apply it once, and return what became of it.

    A duplicate (genuine envelope, message id already received) returns status `duplicate` and
    changes nothing. Any other failed check raises EnvelopeRejectedError after auditing the
    refusal (reason, sender, agreement, message id, SHA-256 of the bytes) in its own transaction.
    """
    moment = now or datetime.now(UTC)
    db = instance.db
    with db.transaction() as session:
        actor = _receiving_actor(session, instance, data)
    try:
        with db.transaction() as session:
            envelope = open_envelope(
                data,
                agreements=lambda agreement_id: exchange_store.get_agreement(
                    session, actor.agency_id, agreement_id
                ),
                now=moment,
                seen_message_ids=exchange_store.SeenMessageIds(session, actor.agency_id),
                replay_window=replay_window,
            )
            agreement = exchange_store.get_agreement(session, actor.agency_id, envelope.agreement_id)
            assert agreement is not None  # open_envelope checked it
            kind = _payload_kind(envelope)
            if kind is not MessageKind.LIST_DELTA:
                return _apply(session, actor, agreement, envelope, kind, moment, replay_window)
        return _apply_list(
            instance,
            actor,
            agreement,
            envelope,
            moment,
            replay_window,
            instance.settings.rescreen_days if rescreen_days is None else rescreen_days,
        )
    except DuplicateEnvelopeError as exc:
        return ReceiveResult("duplicate", exc.message_id, actor.agency_code)
    except EnvelopeRejectedError as exc:
        _audit_rejection(db, actor, exc, data, moment)
        raise


def _audit_rejection(
    db: Database, actor: Actor, error: EnvelopeRejectedError, data: bytes, at: datetime
) -> None:
    with db.transaction() as session:
        audit.record(
            session,
            actor,
            "exchange.reject",
            subject_type="envelope",
            subject_id=error.message_id or hashlib.sha256(data).hexdigest()[:16],
            detail={
                "rejection": error.rejection.value,
                "reason": error.message,
                "sender": error.sender,
                "agreement": error.agreement_id,
                "message": error.message_id,
                "sha256": hashlib.sha256(data).hexdigest(),
                "bytes": len(data),
            },
            at=at,
        )


def _refuse(envelope: Envelope, rejection: EnvelopeRejection, reason: str) -> EnvelopeRejectedError:
    return EnvelopeRejectedError(
        f"envelope refused ({rejection.value}): {reason}",
        rejection=rejection,
        sender=envelope.sender,
        agreement_id=envelope.agreement_id,
        message_id=envelope.message_id,
    )


def _payload_kind(envelope: Envelope) -> MessageKind:
    raw = envelope.payload.get("kind")
    try:
        return MessageKind(raw)
    except ValueError:
        raise _refuse(envelope, EnvelopeRejection.MALFORMED, f"payload kind {raw!r} is not known") from None


def _text(envelope: Envelope, key: str, *, required: bool = True) -> str:
    value = envelope.payload.get(key)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value):
        raise _refuse(envelope, EnvelopeRejection.MALFORMED, f"payload {key!r} must be a non-empty text")
    return value


def _remember(
    session: Session, actor: Actor, envelope: Envelope, kind: MessageKind, now: datetime, window: timedelta
) -> bool:
    return exchange_store.remember_message(
        session,
        actor.agency_id,
        message_id=envelope.message_id,
        agreement_id=envelope.agreement_id,
        sender=envelope.sender,
        kind=kind.value,
        digest=envelope.digest,
        received_at=now,
        expires_at=max(envelope.remember_until(window), now + INBOX_MEMORY),
    )


def _apply(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    envelope: Envelope,
    kind: MessageKind,
    now: datetime,
    window: timedelta,
) -> ReceiveResult:
    partner_actor = Actor(
        actor.agency_id, actor.agency_code, f"partner-{envelope.sender}", Role.SYSTEM, INBOX_CHANNEL
    )
    if kind is MessageKind.ALERT:
        category_text = _text(envelope, "category")
        try:
            category = AlertKind(category_text)
        except ValueError:
            raise _refuse(
                envelope, EnvelopeRejection.MALFORMED, f"alert category {category_text!r} is not known"
            ) from None
        allowed = permits_alert(agreement, category, now, direction=Direction.RECEIVE)
        if not allowed:
            raise _refuse(envelope, EnvelopeRejection.AGREEMENT_REFUSED, allowed.reason)
        record = envelope.payload.get("record")
        if not isinstance(record, dict):
            raise _refuse(envelope, EnvelopeRejection.MALFORMED, "payload 'record' must be an object")
        origin_ref = _text(envelope, "alert_ref")
        if not _remember(session, actor, envelope, kind, now, window):
            return ReceiveResult("duplicate", envelope.message_id, actor.agency_code, kind.value)
        # Our own copy of the agreement decides what we keep, whatever the partner sent.
        kept = minimise(agreement, record, now, direction=Direction.RECEIVE)
        dropped = withheld_fields(agreement, record)
        _audit_withheld(session, partner_actor, envelope, agreement, dropped, now)
        alert_id = exchange_store.receive_alert(
            session,
            partner_actor,
            agreement_id=agreement.id,
            partner=envelope.sender,
            message_id=envelope.message_id,
            origin_ref=origin_ref,
            data=kept,
            severity=_severity(kept.get(ShareableField.SEVERITY.value)),
            reason=str(
                kept.get(ShareableField.REASON.value) or f"{category.value} alert from {envelope.sender}"
            ),
            received_at=now,
            retention_until=retention_ends(agreement, now),
        )
        if permits_direction(agreement, Direction.SEND, now):
            exchange_store.enqueue(
                session,
                actor,
                agreement_id=agreement.id,
                kind=MessageKind.ALERT_ACK,
                stream=f"received:{alert_id}",
                payload={
                    "kind": MessageKind.ALERT_ACK.value,
                    "alert_ref": origin_ref,
                    "received_as": str(alert_id),
                },
                at=now,
            )
        return ReceiveResult(
            "accepted", envelope.message_id, actor.agency_code, kind.value, alert_id, dropped_fields=dropped
        )

    # An acknowledgement or a decision about one of our alerts: into its history.
    alert_ref = _text(envelope, "alert_ref")
    if not alert_ref.isdigit():
        raise _refuse(
            envelope, EnvelopeRejection.MALFORMED, f"alert_ref {alert_ref!r} is not one of our alert ids"
        )
    if not _remember(session, actor, envelope, kind, now, window):
        return ReceiveResult("duplicate", envelope.message_id, actor.agency_code, kind.value)
    decision: Decision | None = None
    if kind is MessageKind.ALERT_ACK:
        their_id = _text(envelope, "received_as", required=False)
        note = f"{envelope.sender} received the alert (their alert {their_id})"
        action = "partner_ack"
    else:
        try:
            decision = Decision(_text(envelope, "decision"))
        except ValueError:
            raise _refuse(envelope, EnvelopeRejection.MALFORMED, "decision is not known") from None
        state = _text(envelope, "state", required=False)
        note = f"{envelope.sender} decided {decision.value!r}" + (f" ({state})" if state else "")
        extra = _text(envelope, "note", required=False)
        if extra and ShareableField.OFFICER_NOTES in agreement.fields:
            note += f": {extra}"
        action = "partner_decision"
    found = exchange_store.add_partner_event(
        session, partner_actor, int(alert_ref), action=action, note=note, decision=decision, at=now
    )
    if not found:
        raise _refuse(envelope, EnvelopeRejection.MALFORMED, f"we have no alert {alert_ref}")
    return ReceiveResult("accepted", envelope.message_id, actor.agency_code, kind.value, int(alert_ref))


def _audit_withheld(
    session: Session,
    partner_actor: Actor,
    envelope: Envelope,
    agreement: Agreement,
    dropped: Iterable[str],
    now: datetime,
) -> None:
    """Record which fields our copy of the agreement kept out of what the partner sent (if any)."""
    fields = sorted(dropped)
    if fields:
        audit.record(
            session,
            partner_actor,
            "exchange.withheld",
            subject_type="envelope",
            subject_id=envelope.message_id,
            detail={"agreement": agreement.id, "dropped_fields": fields},
            at=now,
        )


def _severity(value: object) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        return Severity.MEDIUM


# ----------------------------------------------------------------------------------------- lists


@dataclass
class PublishReport:
    """What publishing a list to a partner did."""

    list_id: str
    agreement_id: str
    version: int | None
    base_version: int
    added: int = 0
    removed: int = 0
    messages: list[str] = field(default_factory=list)
    updated: int = 0  # national lists: entries sent again because what may cross of them changed
    categories: list[str] = field(default_factory=list)  # national lists: the categories published

    @property
    def changed(self) -> bool:
        """True when something was sent."""
        return bool(self.messages)

    def as_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "list": self.list_id,
            "agreement": self.agreement_id,
            "version": self.version,
            "base_version": self.base_version,
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "categories": self.categories,
            "messages": self.messages,
        }


def _document_json(document: LostStolenDocument) -> dict[str, object]:
    return {
        "issuing_state": document.issuing_state,
        "document_number": document.number,
        "document_type": document.doc_type,
        "date_reported": document.reported_on.isoformat() if document.reported_on else "",
        "record_id": document.record_id,
    }


def publish_list(
    db: Database,
    actor: Actor,
    list_id: str,
    agreement_id: str,
    *,
    now: datetime,
    records_per_message: int = LIST_RECORDS_PER_MESSAGE,
    categories: Iterable[str] = (),
) -> PublishReport:
    """Send a partner what changed in one of our lists since the version last published; return what was sent.

    Lost/stolen lists go whole. Of our national list `NAT:<agency>` only the entries whose
    category is in `categories` go (required: nothing is shared by default), with only the
    columns the agreement's fields allow. The first publication (and the first after the
    categories or fields changed) sends the whole subset and replaces the partner's copy.
    Large changes go in several ordered messages. Raises AccessDeniedError when the agreement
    does not cover the list, NotFoundError when the list or agreement does not exist, InputError
    for a list kind that cannot be shared or categories that are missing or unknown.
    """
    wanted = [c for c in categories if c.strip()]
    with db.transaction() as session:
        agreement = exchange_store.get_agreement(session, actor.agency_id, agreement_id)
        if agreement is None:
            raise NotFoundError(f"agreement {agreement_id!r} not found")
        allowed = permits_list(agreement, list_id, now, direction=Direction.SEND)
        if not allowed:
            raise AccessDeniedError(f"list {list_id} cannot be published: {allowed.reason}")
        stored = next(
            (s for s in list_store.list_lists(session, actor.agency_id) if s.list_id == list_id), None
        )
        if stored is None or stored.version_id is None or stored.version is None:
            raise NotFoundError(f"no list {list_id!r} has been imported")
        if stored.kind == "national":
            return _publish_national(
                session,
                actor,
                agreement,
                stored,
                _national_categories(actor, list_id, wanted),
                now=now,
                records_per_message=records_per_message,
            )
        if stored.kind != "lost-stolen":
            raise InputError(
                f"list {list_id} is a {stored.kind} list; only lost-stolen lists and the agency's own"
                " national list are published to partners",
                field="list",
            )
        if wanted:
            raise InputError(
                f"list {list_id} is a lost-stolen list: categories apply to national lists only",
                field="category",
            )
        if list_id != f"LSD:{actor.agency_code}":
            # What a partner shared with us is theirs: we never pass it on to a third agency.
            raise AccessDeniedError(
                f"list {list_id} is not the agency's own lost and stolen list (LSD:{actor.agency_code}); "
                "a partner's list is never passed on"
            )
        last = exchange_store.last_publication(session, actor.agency_id, agreement_id, list_id)
        report = PublishReport(list_id, agreement_id, stored.version.version, last.version if last else 0)
        if last is not None and last.list_version_id == stored.version_id:
            return report
        old = (
            {d.key: d for d in exchange_store.lost_stolen_documents(session, last.list_version_id)}
            if last
            else {}
        )
        new = {d.key: d for d in exchange_store.lost_stolen_documents(session, stored.version_id)}
        added = [new[k] for k in sorted(new) if k not in old or old[k] != new[k]]
        removed = [list(k) for k in sorted(old) if k not in new]
        report.added, report.removed = len(added), len(removed)
        chunks = [added[i : i + records_per_message] for i in range(0, len(added), records_per_message)] or [
            []
        ]
        for number, chunk in enumerate(chunks, start=1):
            payload: dict[str, object] = {
                "kind": MessageKind.LIST_DELTA.value,
                "list_id": list_id,
                "version": stored.version.version,
                "base_version": report.base_version,
                "part": number,
                "parts": len(chunks),
                "added": [_document_json(d) for d in chunk],
                "removed": removed if number == len(chunks) else [],
            }
            message = exchange_store.enqueue(
                session,
                actor,
                agreement_id=agreement_id,
                kind=MessageKind.LIST_DELTA,
                stream=f"list:{list_id}",
                payload=payload,
                at=now,
            )
            report.messages.append(message.message_id)
        exchange_store.record_publication(
            session,
            actor,
            agreement_id=agreement_id,
            list_id=list_id,
            list_version_id=stored.version_id,
            version=stored.version.version,
            at=now,
        )
        audit.record(
            session,
            actor,
            "list.publish",
            subject_type="list",
            subject_id=list_id,
            detail={**report.as_dict(), "partner": agreement.partner},
            at=now,
        )
    return report


def _read_documents(envelope: Envelope) -> tuple[list[LostStolenDocument], list[tuple[str, str]]]:
    added_raw, removed_raw = envelope.payload.get("added"), envelope.payload.get("removed")
    if not isinstance(added_raw, list) or not isinstance(removed_raw, list):
        raise _refuse(envelope, EnvelopeRejection.MALFORMED, "list delta needs 'added' and 'removed' lists")
    added: list[LostStolenDocument] = []
    for position, item in enumerate(added_raw):
        if not isinstance(item, dict) or not item.get("issuing_state") or not item.get("document_number"):
            raise _refuse(
                envelope,
                EnvelopeRejection.MALFORMED,
                f"added[{position}] lacks issuing_state or document_number",
            )
        reported = str(item.get("date_reported") or "")
        try:
            reported_on = date.fromisoformat(reported) if reported else None
        except ValueError:
            reported_on = None
        added.append(
            LostStolenDocument(
                str(item["issuing_state"]),
                str(item["document_number"]),
                str(item.get("document_type") or ""),
                reported_on,
                str(item.get("record_id") or ""),
            )
        )
    removed: list[tuple[str, str]] = []
    for position, item in enumerate(removed_raw):
        if not (isinstance(item, list) and len(item) == 2 and all(isinstance(v, str) for v in item)):
            raise _refuse(
                envelope, EnvelopeRejection.MALFORMED, f"removed[{position}] is not [state, number]"
            )
        removed.append((item[0], item[1]))
    return added, removed


def lost_stolen_csv(documents: list[LostStolenDocument]) -> bytes:
    """Return documents as a lost/stolen CSV file (the format `lists import lost-stolen` reads)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(LOST_STOLEN_COLUMNS)
    for d in sorted(documents, key=lambda doc: doc.key):
        writer.writerow(
            [
                d.issuing_state,
                d.number,
                d.doc_type,
                d.reported_on.isoformat() if d.reported_on else "",
                d.record_id,
            ]
        )
    return out.getvalue().encode("utf-8")


def _apply_list(
    instance: Instance,
    actor: Actor,
    agreement: Agreement,
    envelope: Envelope,
    now: datetime,
    window: timedelta,
    rescreen_days: int,
) -> ReceiveResult:
    db = instance.db
    list_id = _text(envelope, "list_id")
    allowed = permits_list(agreement, list_id, now, direction=Direction.RECEIVE)
    if not allowed:
        raise _refuse(envelope, EnvelopeRejection.AGREEMENT_REFUSED, allowed.reason)
    if envelope.payload.get("list_kind") == NATIONAL_LIST_KIND:
        return _apply_national_list(instance, actor, agreement, envelope, list_id, now, window, rescreen_days)
    added, removed = _read_documents(envelope)
    local_id = f"LSD:{envelope.sender}"
    partner_actor = Actor(
        actor.agency_id, actor.agency_code, f"partner-{envelope.sender}", Role.SYSTEM, INBOX_CHANNEL
    )
    with db.transaction() as session:
        stored = list_store.find_list(session, actor.agency_id, local_id)
        current = (
            exchange_store.lost_stolen_documents(session, stored.active_version_id)
            if stored is not None and stored.active_version_id is not None
            else []
        )
    # Adding and removing by document key is idempotent: a delta applied twice (a retry after a
    # crash between import and bookkeeping) gives the same list, and the import then changes nothing.
    documents = {d.key: d for d in current}
    for state, number in removed:
        documents.pop(LostStolenDocument(state, number).key, None)
    for document in added:
        documents[document.key] = document
    version = envelope.payload.get("version")
    name = f"{envelope.sender}-{list_id.replace(':', '_')}-v{version}.csv"
    report = import_list_file(
        db,
        partner_actor,
        ListFile("lost-stolen", name, lost_stolen_csv(list(documents.values()))),
        now=now,
        list_id=local_id,
    )
    new_alerts = (
        _rescreen_documents(db, partner_actor, local_id, added, days=rescreen_days, now=now) if added else []
    )
    with db.transaction() as session:
        if not _remember(session, actor, envelope, MessageKind.LIST_DELTA, now, window):
            return ReceiveResult(
                "duplicate", envelope.message_id, actor.agency_code, MessageKind.LIST_DELTA.value
            )
        version_id = list_store.active_version_id(session, actor.agency_id, local_id)
        exchange_store.receive_list_version(
            session,
            partner_actor,
            agreement_id=agreement.id,
            partner=envelope.sender,
            message_id=envelope.message_id,
            list_id=local_id,
            list_version_id=version_id,
            data={
                "partner_list": list_id,
                "partner_version": version if isinstance(version, int) else None,
                "part": envelope.payload.get("part"),
                "added": len(added),
                "removed": len(removed),
                "documents": len(documents),
                "changed": report.changed,
                "new_alerts": new_alerts,
            },
            received_at=now,
            retention_until=retention_ends(agreement, now),
        )
    return ReceiveResult(
        "accepted", envelope.message_id, actor.agency_code, MessageKind.LIST_DELTA.value, list_id=local_id
    )


def _rescreen_documents(
    db: Database, actor: Actor, list_id: str, added: list[LostStolenDocument], *, days: int, now: datetime
) -> list[int]:
    """Raise lost/stolen alerts for recent travellers carrying a newly listed document; return their ids."""
    if days <= 0:
        return []
    by_key = {d.key: d for d in added}
    with db.transaction() as session:
        holders = exchange_store.travellers_with_documents(
            session,
            actor,
            list(by_key),
            since=now - timedelta(days=days),
            purpose=f"re-screening after {list_id} changed",
        )
        candidates = [
            alert_store.NewAlert(
                traveller_id=h.traveller_id,
                flight_id=h.flight_id,
                kind=AlertKind.LOST_STOLEN_DOCUMENT,
                subject=f"{list_id}:{h.issuing_state}:{h.number}"[:160],
                score=1.0,
                severity=Severity.HIGH,
                reason=f"document {h.issuing_state} {h.number} is reported lost or stolen ({list_id})",
                evidence=[{"list": list_id, "record_id": by_key[key].record_id}]
                if (key := LostStolenDocument(h.issuing_state, h.number).key) in by_key
                else [],
            )
            for h in holders
        ]
        return list(alert_store.raise_alerts(session, actor, candidates, at=now))


def received_records(db: Database, actor: Actor, *, agreement_id: str | None = None) -> list[ReceivedRecord]:
    """Return what partners sent the agency and is still kept (audited: it may hold personal data)."""
    with db.transaction() as session:
        records = exchange_store.received_records(session, actor.agency_id, agreement_id=agreement_id)
        audit.record(
            session,
            actor,
            "exchange.read",
            subject_type="received",
            subject_id=agreement_id or "all",
            detail={"count": len(records)},
        )
        return records


# ------------------------------------------------------------------------------ national lists

NATIONAL_LIST_KIND = "national"

# Which columns of a national-list row each agreed field lets cross. `id` (the partner's own record
# number: without it no delta can be applied and no hit traced back to the notice) and `category`
# (what the officer must do; the publication is defined by it) always go. An alias is a whole
# name, so it needs both name fields. Remarks are free text that may name third parties: they go
# only under OFFICER_NOTES, the field an agreement uses for free text it explicitly accepts.
_COLUMN_FIELDS: dict[str, tuple[ShareableField, ...]] = {
    "id": (),
    "category": (),
    "family_name": (ShareableField.FAMILY_NAME,),
    "given_names": (ShareableField.GIVEN_NAMES,),
    "aliases": (ShareableField.FAMILY_NAME, ShareableField.GIVEN_NAMES),
    "birth_date": (ShareableField.BIRTH_DATE,),
    "nationality": (ShareableField.NATIONALITY,),
    "gender": (ShareableField.GENDER,),
    "document_numbers": (ShareableField.DOCUMENT_NUMBER,),
    "remarks": (ShareableField.OFFICER_NOTES,),
}
assert set(_COLUMN_FIELDS) == set(NATIONAL_COLUMNS)


def national_columns(fields: frozenset[ShareableField]) -> tuple[str, ...]:
    """Return the national-list columns that the agreed `fields` let cross, in file order."""
    return tuple(c for c in NATIONAL_COLUMNS if all(f in fields for f in _COLUMN_FIELDS[c]))


def _minimise_documents(text: str, fields: frozenset[ShareableField]) -> tuple[str, list[str]]:
    kept: list[str] = []
    dropped: set[str] = set()
    for item in (part.strip() for part in text.split("|") if part.strip()):
        kind, state, number = document_parts(item)
        if kind and ShareableField.DOCUMENT_TYPE not in fields:
            kind = ""
            dropped.add(ShareableField.DOCUMENT_TYPE.value)
        if state and ShareableField.DOCUMENT_ISSUING_STATE not in fields:
            state = ""
            dropped.add(ShareableField.DOCUMENT_ISSUING_STATE.value)
        kept.append(f"{kind + '-' if kind else ''}{state + ':' if state else ''}{number}")
    return "|".join(kept), sorted(dropped)


def minimise_national_row(
    row: Mapping[str, str], fields: frozenset[ShareableField]
) -> tuple[dict[str, str], tuple[str, ...]]:
    """Return a national-list row cut to what `fields` allow, and the names of what was left out.

    Left out: columns not allowed (when they hold a value), unknown columns, and a document's
    type or issuing state when DOCUMENT_TYPE / DOCUMENT_ISSUING_STATE is not agreed.
    """
    allowed = national_columns(fields)
    kept = {column: row[column] for column in allowed if row.get(column)}
    dropped = {key for key, value in row.items() if value and key not in allowed}
    if kept.get("document_numbers"):
        kept["document_numbers"], lost = _minimise_documents(kept["document_numbers"], fields)
        dropped.update(lost)
    return kept, tuple(sorted(dropped))


def _national_categories(actor: Actor, list_id: str, wanted: list[str]) -> list[str]:
    own = f"NAT:{actor.agency_code}"
    if list_id != own:
        # A partner's list kept here is theirs: passing it on to a third agency is not ours to decide.
        raise InputError(
            f"list {list_id} is not the agency's own national list ({own}); only that one is published",
            field="list",
        )
    if not wanted:
        raise InputError(
            f"name the categories of {list_id} to publish (--category arrest, --category 'refuse entry',"
            " --category monitor): nothing is shared by default",
            field="category",
        )
    found: set[str] = set()
    for text in wanted:
        category = NationalCategory.from_text(text)
        if category is None:
            raise InputError(
                f"category {text!r} is not one of " + ", ".join(c.value for c in NationalCategory),
                field="category",
            )
        found.add(category.value)
    return sorted(found)


def _subset(
    session: Session, version_id: int, categories: list[str], fields: frozenset[ShareableField]
) -> dict[str, dict[str, str]]:
    rows = (
        minimise_national_row(national_row(entry), fields)[0]
        for entry in list_store.entries_of_version(session, version_id)
        if entry.category in categories
    )
    return {row["id"]: row for row in rows}


def _publish_national(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    stored: list_store.StoredList,
    categories: list[str],
    *,
    now: datetime,
    records_per_message: int,
) -> PublishReport:
    assert stored.version_id is not None  # checked by publish_list
    assert stored.version is not None
    list_id = stored.list_id
    columns = national_columns(agreement.fields)
    scope = hashlib.sha256(json.dumps([categories, list(columns)]).encode()).hexdigest()[:12]
    scoped_id = f"{list_id}#{scope}"
    # Two bookmarks: the list's last publication (what the partner holds now) and the last one of
    # this scope (categories and columns). A delta is only valid from the partner's current copy
    # built under the same scope; otherwise the whole subset goes and replaces the partner's copy.
    last = exchange_store.last_publication(session, actor.agency_id, agreement.id, list_id)
    last_scoped = exchange_store.last_publication(session, actor.agency_id, agreement.id, scoped_id)
    base = last_scoped if last_scoped is not None and last_scoped == last else None
    report = PublishReport(
        list_id, agreement.id, stored.version.version, base.version if base else 0, categories=categories
    )
    if base is not None and base.list_version_id == stored.version_id:
        return report
    old = _subset(session, base.list_version_id, categories, agreement.fields) if base else {}
    new = _subset(session, stored.version_id, categories, agreement.fields)
    upserts = [new[key] for key in sorted(new) if old.get(key) != new[key]]
    removed = sorted(old.keys() - new.keys())
    if base is not None and not upserts and not removed:
        # A new version whose shared subset did not change: nothing crosses, the bookmark moves on.
        _bookmark(session, actor, agreement, list_id, scoped_id, stored, now)
        return report
    report.added = sum(1 for row in upserts if row["id"] not in old)
    report.updated = len(upserts) - report.added
    report.removed = len(removed)
    chunks = [upserts[i : i + records_per_message] for i in range(0, len(upserts), records_per_message)]
    chunks = chunks or [[]]
    for number, chunk in enumerate(chunks, start=1):
        payload: dict[str, object] = {
            "kind": MessageKind.LIST_DELTA.value,
            "list_kind": NATIONAL_LIST_KIND,
            "list_id": list_id,
            "version": stored.version.version,
            "base_version": report.base_version,
            "replace": base is None and number == 1,
            "categories": categories,
            "part": number,
            "parts": len(chunks),
            "added": chunk,
            "removed": removed if number == len(chunks) else [],
        }
        message = exchange_store.enqueue(
            session,
            actor,
            agreement_id=agreement.id,
            kind=MessageKind.LIST_DELTA,
            stream=f"list:{list_id}",
            payload=payload,
            at=now,
        )
        report.messages.append(message.message_id)
    _bookmark(session, actor, agreement, list_id, scoped_id, stored, now)
    audit.record(
        session,
        actor,
        "list.publish",
        subject_type="list",
        subject_id=list_id,
        detail={
            **report.as_dict(),
            "partner": agreement.partner,
            "columns": list(columns),
            "withheld": [c for c in NATIONAL_COLUMNS if c not in columns],
        },
        at=now,
    )
    return report


def _bookmark(
    session: Session,
    actor: Actor,
    agreement: Agreement,
    list_id: str,
    scoped_id: str,
    stored: list_store.StoredList,
    now: datetime,
) -> None:
    assert stored.version_id is not None
    assert stored.version is not None
    for key in (list_id, scoped_id):
        exchange_store.record_publication(
            session,
            actor,
            agreement_id=agreement.id,
            list_id=key,
            list_version_id=stored.version_id,
            version=stored.version.version,
            at=now,
        )


def _read_national(envelope: Envelope) -> tuple[list[dict[str, str]], list[str], bool]:
    added_raw, removed_raw = envelope.payload.get("added"), envelope.payload.get("removed")
    if not isinstance(added_raw, list) or not isinstance(removed_raw, list):
        raise _refuse(envelope, EnvelopeRejection.MALFORMED, "list delta needs 'added' and 'removed' lists")
    added: list[dict[str, str]] = []
    for position, item in enumerate(added_raw):
        if not (
            isinstance(item, dict)
            and all(isinstance(k, str) and isinstance(v, str) for k, v in item.items())
            and item.get("id", "").strip()
        ):
            raise _refuse(
                envelope,
                EnvelopeRejection.MALFORMED,
                f"added[{position}] is not a national-list row with an id and text values",
            )
        added.append(item)
    if not all(isinstance(item, str) and item.strip() for item in removed_raw):
        raise _refuse(envelope, EnvelopeRejection.MALFORMED, "'removed' must hold record ids (texts)")
    return added, [str(item) for item in removed_raw], envelope.payload.get("replace") is True


def _apply_national_list(
    instance: Instance,
    actor: Actor,
    agreement: Agreement,
    envelope: Envelope,
    list_id: str,
    now: datetime,
    window: timedelta,
    rescreen_days: int,
) -> ReceiveResult:
    local_id = f"NAT:{envelope.sender}"
    if list_id != local_id:
        raise _refuse(
            envelope,
            EnvelopeRejection.MALFORMED,
            f"a partner publishes only its own national list ({local_id}), not {list_id}",
        )
    received, removed, replace = _read_national(envelope)
    # Our own copy of the agreement decides what we keep, whatever the partner sent.
    added: list[dict[str, str]] = []
    dropped: set[str] = set()
    for row in received:
        kept, left_out = minimise_national_row(row, agreement.fields)
        added.append(kept)
        dropped.update(left_out)
    db = instance.db
    partner_actor = Actor(
        actor.agency_id, actor.agency_code, f"partner-{envelope.sender}", Role.SYSTEM, INBOX_CHANNEL
    )
    with db.transaction() as session:
        stored = list_store.find_list(session, actor.agency_id, local_id)
        current = (
            list_store.entries_of_version(session, stored.active_version_id)
            if stored is not None and stored.active_version_id is not None and not replace
            else []
        )
    # Upserting and removing by record id is idempotent, like the lost/stolen deltas.
    rows = {record_id(entry): national_row(entry) for entry in current}
    for gone in removed:
        rows.pop(gone, None)
    for row in added:
        rows[row["id"]] = row
    version = envelope.payload.get("version")
    report = import_list_file(
        db,
        partner_actor,
        ListFile(
            NATIONAL_LIST_KIND,
            f"{envelope.sender}-{list_id.replace(':', '_')}-v{version}.csv",
            write_national_rows(rows[key] for key in sorted(rows)),
            agency=envelope.sender,
        ),
        now=now,
        list_id=local_id,
        rescreen_days=rescreen_days,
        config=match_config(instance.settings),
    )
    with db.transaction() as session:
        if not _remember(session, actor, envelope, MessageKind.LIST_DELTA, now, window):
            return ReceiveResult(
                "duplicate", envelope.message_id, actor.agency_code, MessageKind.LIST_DELTA.value
            )
        _audit_withheld(session, partner_actor, envelope, agreement, dropped, now)
        exchange_store.receive_list_version(
            session,
            partner_actor,
            agreement_id=agreement.id,
            partner=envelope.sender,
            message_id=envelope.message_id,
            list_id=local_id,
            list_version_id=list_store.active_version_id(session, actor.agency_id, local_id),
            data={
                "partner_list": list_id,
                "partner_version": version if isinstance(version, int) else None,
                "part": envelope.payload.get("part"),
                "replace": replace,
                "added": len(added),
                "removed": len(removed),
                "entries": report.entries,
                "problems": len(report.problems),
                "changed": report.changed,
                "new_alerts": report.rescreen.new_alerts if report.rescreen else [],
            },
            received_at=now,
            retention_until=retention_ends(agreement, now),
        )
    return ReceiveResult(
        "accepted", envelope.message_id, actor.agency_code, MessageKind.LIST_DELTA.value, list_id=local_id
    )
