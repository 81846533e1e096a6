"""Screening results and alerts: agency-isolated, every read and change audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from borderwatch.domain.alerts import AlertId, AlertKind, AlertState, AlertSummary, Decision, Severity
from borderwatch.domain.audit import Actor
from borderwatch.domain.review import Proposal, Step, decision_step
from borderwatch.errors import ConflictError, NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import (
    AlertEventRow,
    AlertRow,
    FalsePositiveRow,
    FlightRow,
    ScreeningRow,
    TravellerRow,
)


@dataclass(frozen=True, slots=True)
class NewAlert:
    """What screening wants raised."""

    traveller_id: int
    flight_id: int
    kind: AlertKind
    subject: str
    score: float
    severity: Severity
    reason: str
    evidence: list[Any]
    list_version_id: int | None = None
    entity_hash: str = ""
    origin: str = ""


@dataclass(frozen=True, slots=True)
class AlertDetail:
    """An alert with its history."""

    summary: AlertSummary
    traveller_id: int | None  # None for an alert received from a partner (see `shared_data`)
    flight_id: int | None
    evidence: list[Any]
    assigned_to: str
    origin: str
    list_version_id: int | None
    entity_hash: str
    history: list[dict[str, Any]]
    agreement_id: str | None = None  # received alerts: the agreement they came under
    origin_ref: str = ""  # received alerts: the partner's own alert id
    shared_data: dict[str, Any] | None = None  # received alerts: exactly the fields that crossed
    retention_until: datetime | None = None  # received alerts: purged then


def record_screening(
    session: Session,
    actor: Actor,
    *,
    traveller_id: int,
    list_versions: dict[str, int],
    hits: list[Any],
    best_score: float,
    outcome: str,
    at: datetime,
) -> None:
    """Store the result of screening one traveller."""
    session.add(
        ScreeningRow(
            agency_id=actor.agency_id,
            traveller_id=traveller_id,
            screened_at=at,
            list_versions=list_versions,
            hits=hits,
            best_score=best_score,
            outcome=outcome,
        )
    )


def already_screened(
    session: Session, traveller_ids: Sequence[int], list_versions: dict[str, int]
) -> set[int]:
    """Return the travellers whose latest screening used exactly these list versions."""
    latest: dict[int, dict[str, Any]] = {}
    for chunk_start in range(0, len(traveller_ids), 500):
        chunk = traveller_ids[chunk_start : chunk_start + 500]
        rows = session.execute(
            select(ScreeningRow.traveller_id, ScreeningRow.list_versions)
            .where(ScreeningRow.traveller_id.in_(chunk))
            .order_by(ScreeningRow.id)
        )
        for traveller_id, versions in rows:
            latest[traveller_id] = versions
    wanted = {k: int(v) for k, v in list_versions.items()}
    return {tid for tid, versions in latest.items() if {k: int(v) for k, v in versions.items()} == wanted}


def raise_alerts(
    session: Session, actor: Actor, alerts: Sequence[NewAlert], *, at: datetime
) -> list[AlertId]:
    """Store alerts not raised before for the same traveller and subject; return the new ids (audited)."""
    created: list[AlertId] = []
    for alert in alerts:
        exists = session.execute(
            select(AlertRow.id).where(
                AlertRow.traveller_id == alert.traveller_id,
                AlertRow.kind == alert.kind.value,
                AlertRow.subject == alert.subject,
            )
        ).scalar_one_or_none()
        if exists is not None:
            continue
        row = AlertRow(
            agency_id=actor.agency_id,
            traveller_id=alert.traveller_id,
            flight_id=alert.flight_id,
            kind=alert.kind.value,
            subject=alert.subject,
            list_version_id=alert.list_version_id,
            entity_hash=alert.entity_hash,
            score=alert.score,
            severity=alert.severity.value,
            state=AlertState.NEW.value,
            reason=alert.reason,
            evidence=alert.evidence,
            origin=alert.origin,
            created_at=at,
            updated_at=at,
        )
        session.add(row)
        session.flush()
        session.add(
            AlertEventRow(
                alert_id=row.id,
                at=at,
                actor=actor.label,
                action="raise",
                to_state=AlertState.NEW.value,
                note=alert.reason[:500],
            )
        )
        created.append(AlertId(row.id))
    if created:
        audit.record(
            session,
            actor,
            "alerts.raise",
            subject_type="alerts",
            subject_id=",".join(map(str, created)),
            detail={"count": len(created)},
            at=at,
        )
    return created


def _shared_name(shared: dict[str, Any]) -> str:
    family, given = str(shared.get("family_name") or ""), str(shared.get("given_names") or "")
    if not family and not given:
        return "(name not shared)"
    return f"{family}/{given}" if given else family


def _shared_flight(shared: dict[str, Any], origin: str) -> str:
    flight = "/".join(str(shared[k]) for k in ("flight", "flight_date") if shared.get(k))
    return f"{flight or 'flight not shared'} (from {origin})"


def _summary(row: AlertRow, traveller: TravellerRow | None, flight: FlightRow | None) -> AlertSummary:
    # A partner's alert has no local traveller or flight: what crossed under the agreement is shown.
    shared = row.shared_data or {}
    return AlertSummary(
        AlertId(row.id),
        AlertKind(row.kind),
        AlertState(row.state),
        Severity(row.severity),
        f"{traveller.family_name}/{traveller.given_names}" if traveller else _shared_name(shared),
        flight.key if flight else _shared_flight(shared, row.origin),
        row.subject,
        row.score,
        row.reason,
        row.created_at,
    )


def list_alerts(
    session: Session,
    actor: Actor,
    *,
    states: Sequence[AlertState] | None = None,
    flight_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
    before_id: int | None = None,
    channel_note: str = "",
) -> list[AlertSummary]:
    """Return the agency's alerts, newest first (the read of traveller names is audited).

    Pages follow each other by `before_id` (the last id of the page before: only older alerts),
    which reads as fast on the thousandth page as on the first; `offset` counts rows to skip.
    """
    query = (
        select(AlertRow, TravellerRow, FlightRow)
        .outerjoin(TravellerRow, TravellerRow.id == AlertRow.traveller_id)
        .outerjoin(FlightRow, FlightRow.id == AlertRow.flight_id)
        .where(AlertRow.agency_id == actor.agency_id)
    )
    if states:
        query = query.where(AlertRow.state.in_([s.value for s in states]))
    if flight_id is not None:
        query = query.where(AlertRow.flight_id == flight_id)
    if before_id is not None:
        query = query.where(AlertRow.id < before_id)
    rows = session.execute(query.order_by(AlertRow.id.desc()).limit(limit).offset(offset)).all()
    audit.record(
        session,
        actor,
        "alerts.read",
        subject_type="alerts",
        subject_id=f"flight:{flight_id}" if flight_id else "queue",
        detail={"count": len(rows), "note": channel_note},
    )
    return [_summary(a, t, f) for a, t, f in rows]


def count_by_state(session: Session, agency_id: int) -> dict[str, int]:
    """Return alert counts per state for the agency (no personal data)."""
    rows = session.execute(
        select(AlertRow.state, func.count()).where(AlertRow.agency_id == agency_id).group_by(AlertRow.state)
    ).all()
    return {state: int(n) for state, n in rows}


def get_alert(session: Session, actor: Actor, alert_id: int) -> AlertDetail:
    """Return one of the agency's alerts with its history (audited), or raise NotFoundError."""
    found = session.execute(
        select(AlertRow, TravellerRow, FlightRow)
        .outerjoin(TravellerRow, TravellerRow.id == AlertRow.traveller_id)
        .outerjoin(FlightRow, FlightRow.id == AlertRow.flight_id)
        .where(AlertRow.id == alert_id, AlertRow.agency_id == actor.agency_id)
    ).first()
    if found is None:
        raise NotFoundError(f"alert {alert_id} not found")
    row, traveller, flight = found
    events = session.execute(
        select(AlertEventRow).where(AlertEventRow.alert_id == alert_id).order_by(AlertEventRow.id)
    ).scalars()
    history = [
        {
            "at": e.at.isoformat(),
            "actor": e.actor,
            "action": e.action,
            "from": e.from_state,
            "to": e.to_state,
            "note": e.note,
            "decision": e.decision,
        }
        for e in events
    ]
    audit.record(session, actor, "alert.read", subject_type="alert", subject_id=alert_id)
    return AlertDetail(
        _summary(row, traveller, flight),
        row.traveller_id,
        row.flight_id,
        list(row.evidence or []),
        row.assigned_to,
        row.origin,
        row.list_version_id,
        row.entity_hash,
        history,
        row.agreement_id,
        row.origin_ref,
        dict(row.shared_data) if row.shared_data is not None else None,
        row.retention_until,
    )


def screened_travellers(session: Session, agency_id: int, flight_id: int) -> dict[int, str]:
    """Return traveller id -> latest screening outcome for a flight."""
    rows = session.execute(
        select(ScreeningRow.traveller_id, ScreeningRow.outcome)
        .join(TravellerRow, TravellerRow.id == ScreeningRow.traveller_id)
        .where(TravellerRow.flight_id == flight_id, ScreeningRow.agency_id == agency_id)
        .order_by(ScreeningRow.id)
    ).all()
    return {tid: outcome for tid, outcome in rows}


# Review: assignment, notes, decisions and the memory of false positives ---------------------------


def _locked_alert(session: Session, actor: Actor, alert_id: int) -> AlertRow:
    """Return one of the agency's alerts locked for change, or raise NotFoundError."""
    row = session.execute(
        select(AlertRow)
        .where(AlertRow.id == alert_id, AlertRow.agency_id == actor.agency_id)
        .with_for_update()
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"alert {alert_id} not found")
    return row


def _event(
    session: Session,
    actor: Actor,
    row: AlertRow,
    action: str,
    *,
    to_state: AlertState | None = None,
    note: str = "",
    decision: Decision | None = None,
    at: datetime,
) -> None:
    """Add one history event (and its audit event) and move the alert to `to_state`."""
    from_state = row.state
    if to_state is not None:
        row.state = to_state.value
    row.updated_at = at
    session.add(
        AlertEventRow(
            alert_id=row.id,
            at=at,
            actor=actor.label,
            action=action,
            from_state=from_state,
            to_state=row.state,
            note=note,
            decision=decision.value if decision else "",
        )
    )
    detail: dict[str, object] = {"from": from_state, "to": row.state}
    if decision is not None:
        detail["decision"] = decision.value
    if note:
        detail["note_chars"] = len(note)  # the note itself stays in the alert's history, not in the trail
    audit.record(
        session, actor, f"alert.{action}", subject_type="alert", subject_id=row.id, detail=detail, at=at
    )


def assign_alert(session: Session, actor: Actor, alert_id: int, assignee: str, *, at: datetime) -> AlertState:
    """Assign one of the agency's open alerts to an officer (a new alert goes in review); return its state."""
    row = _locked_alert(session, actor, alert_id)
    state = AlertState(row.state)
    if state.is_closed:
        raise ConflictError(f"alert {alert_id} is closed as {state.value!r}; it cannot be assigned")
    row.assigned_to = assignee
    _event(
        session,
        actor,
        row,
        "assign",
        to_state=AlertState.IN_REVIEW if state is AlertState.NEW else None,
        note=f"assigned to {assignee}",
        at=at,
    )
    return AlertState(row.state)


def add_note(session: Session, actor: Actor, alert_id: int, note: str, *, at: datetime) -> None:
    """Add an officer's note to one of the agency's alerts (kept in its history, audited)."""
    row = _locked_alert(session, actor, alert_id)
    _event(session, actor, row, "note", note=note, at=at)


def pending_proposal(session: Session, alert_id: int) -> Proposal | None:
    """Return the latest proposed decision of an alert (four eyes), or None."""
    found = session.execute(
        select(AlertEventRow.decision, AlertEventRow.actor)
        .where(AlertEventRow.alert_id == alert_id, AlertEventRow.action == "propose")
        .order_by(AlertEventRow.id.desc())
        .limit(1)
    ).first()
    if found is None or not found[0]:
        return None
    return Proposal(Decision(found[0]), found[1])


def decide_alert(
    session: Session, actor: Actor, alert_id: int, decision: Decision, note: str, *, at: datetime
) -> Step:
    """Take a decision on one of the agency's alerts through the review state machine; return the step.

    A new alert first goes in review (assigned to the deciding officer when nobody has it). A
    false positive that closes the alert is remembered for the traveller's identity and the list
    entry as it then read, so later trips do not raise it again.
    """
    row = _locked_alert(session, actor, alert_id)
    state = AlertState(row.state)
    proposal = pending_proposal(session, alert_id) if state is AlertState.PENDING_APPROVAL else None
    step = decision_step(
        state, Severity(row.severity), decision, role=actor.role, by=actor.label, proposal=proposal
    )
    if state is AlertState.NEW:
        row.assigned_to = row.assigned_to or actor.username
        _event(session, actor, row, "review", to_state=AlertState.IN_REVIEW, at=at)
    _event(session, actor, row, step.action, to_state=step.to_state, note=note, decision=step.decision, at=at)
    if step.to_state is AlertState.FALSE_POSITIVE:
        _remember_false_positive(session, actor, row, at=at)
    return step


def _remember_false_positive(session: Session, actor: Actor, row: AlertRow, *, at: datetime) -> None:
    if row.kind != AlertKind.WATCH_LIST.value or not row.entity_hash or row.traveller_id is None:
        # Only a list entry has a content to compare on later trips, and only our own traveller an identity.
        return
    identity = session.execute(
        select(TravellerRow.identity_key).where(TravellerRow.id == row.traveller_id)
    ).scalar_one()
    if is_suppressed(
        session, actor.agency_id, identity_key=identity, entity_id=row.subject, entity_hash=row.entity_hash
    ):
        return
    session.add(
        FalsePositiveRow(
            agency_id=actor.agency_id,
            identity_key=identity,
            entity_id=row.subject,
            entity_hash=row.entity_hash,
            alert_id=row.id,
            decided_by=actor.label,
            decided_at=at,
        )
    )


def is_suppressed(
    session: Session, agency_id: int, *, identity_key: str, entity_id: str, entity_hash: str
) -> bool:
    """True when this traveller identity was decided a false positive for this entity as it now reads."""
    found = session.execute(
        select(FalsePositiveRow.id)
        .where(
            FalsePositiveRow.agency_id == agency_id,
            FalsePositiveRow.identity_key == identity_key,
            FalsePositiveRow.entity_id == entity_id,
            FalsePositiveRow.entity_hash == entity_hash,
        )
        .limit(1)
    ).scalar_one_or_none()
    return found is not None


def split_suppressed(
    session: Session, actor: Actor, candidates: Sequence[NewAlert], *, at: datetime
) -> tuple[list[NewAlert], list[NewAlert]]:
    """Return (alerts to raise, alerts suppressed by a remembered false positive); suppressions are audited.

    A candidate already raised for the same traveller is left to `raise_alerts` (which skips it) and
    is not counted as suppressed.
    """
    watch = [c for c in candidates if c.kind is AlertKind.WATCH_LIST and c.entity_hash]
    if not watch:
        return list(candidates), []
    ids = sorted({c.traveller_id for c in watch})
    keys = dict(
        session.execute(
            select(TravellerRow.id, TravellerRow.identity_key).where(
                TravellerRow.id.in_(ids), TravellerRow.agency_id == actor.agency_id
            )
        ).all()
    )
    kept: list[NewAlert] = []
    suppressed: list[NewAlert] = []
    for candidate in candidates:
        identity = keys.get(candidate.traveller_id)
        if (
            candidate.kind is AlertKind.WATCH_LIST
            and candidate.entity_hash
            and identity is not None
            and is_suppressed(
                session,
                actor.agency_id,
                identity_key=identity,
                entity_id=candidate.subject,
                entity_hash=candidate.entity_hash,
            )
            and not _alert_exists(session, candidate)
        ):
            suppressed.append(candidate)
        else:
            kept.append(candidate)
    if suppressed:
        audit.record(
            session,
            actor,
            "alerts.suppress",
            subject_type="travellers",
            subject_id=",".join(str(c.traveller_id) for c in suppressed),
            detail={
                "count": len(suppressed),
                "entities": sorted({c.subject for c in suppressed}),
                "reason": "decided false positive for the same identity and entity content",
            },
            at=at,
        )
    return kept, suppressed


def _alert_exists(session: Session, alert: NewAlert) -> bool:
    return (
        session.execute(
            select(AlertRow.id).where(
                AlertRow.traveller_id == alert.traveller_id,
                AlertRow.kind == alert.kind.value,
                AlertRow.subject == alert.subject,
            )
        ).scalar_one_or_none()
        is not None
    )


def screening_results(session: Session, actor: Actor, flight_id: int) -> list[dict[str, Any]]:
    """Return each traveller's latest screening of one of the agency's flights (audited read)."""
    rows = session.execute(
        select(ScreeningRow, TravellerRow)
        .join(TravellerRow, TravellerRow.id == ScreeningRow.traveller_id)
        .where(TravellerRow.flight_id == flight_id, ScreeningRow.agency_id == actor.agency_id)
        .order_by(ScreeningRow.id)
    ).all()
    latest: dict[int, dict[str, Any]] = {}
    for screening, traveller in rows:
        latest[traveller.id] = {
            "traveller_id": traveller.id,
            "traveller": f"{traveller.family_name}/{traveller.given_names}",
            "outcome": screening.outcome,
            "best_score": round(screening.best_score, 4),
            "screened_at": screening.screened_at.isoformat(),
            "list_versions": screening.list_versions,
            "hits": [
                {"entity": h.get("entity_id"), "score": h.get("score"), "matched_name": h.get("matched_name")}
                for h in screening.hits or []
            ],
        }
    audit.record(
        session,
        actor,
        "screenings.read",
        subject_type="flight",
        subject_id=flight_id,
        detail={"count": len(latest)},
    )
    return list(latest.values())
