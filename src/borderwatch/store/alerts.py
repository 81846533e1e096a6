"""Screening results and alerts: agency-isolated, every read and change audited."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from borderwatch.domain.alerts import AlertId, AlertKind, AlertState, AlertSummary, Severity
from borderwatch.domain.audit import Actor
from borderwatch.errors import NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import AlertEventRow, AlertRow, FlightRow, ScreeningRow, TravellerRow


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
    traveller_id: int
    flight_id: int
    evidence: list[Any]
    assigned_to: str
    origin: str
    list_version_id: int | None
    entity_hash: str
    history: list[dict[str, Any]]


def record_screening(session: Session, actor: Actor, *, traveller_id: int, list_versions: dict[str, int],
                     hits: list[Any], best_score: float, outcome: str, at: datetime) -> None:
    """Store the result of screening one traveller."""
    session.add(ScreeningRow(agency_id=actor.agency_id, traveller_id=traveller_id, screened_at=at,
                             list_versions=list_versions, hits=hits, best_score=best_score, outcome=outcome))


def already_screened(session: Session, traveller_ids: Sequence[int], list_versions: dict[str, int]) -> set[int]:
    """Return the travellers whose latest screening used exactly these list versions."""
    latest: dict[int, dict[str, Any]] = {}
    for chunk_start in range(0, len(traveller_ids), 500):
        chunk = traveller_ids[chunk_start:chunk_start + 500]
        rows = session.execute(select(ScreeningRow.traveller_id, ScreeningRow.list_versions)
                               .where(ScreeningRow.traveller_id.in_(chunk)).order_by(ScreeningRow.id))
        for traveller_id, versions in rows:
            latest[traveller_id] = versions
    wanted = {k: int(v) for k, v in list_versions.items()}
    return {tid for tid, versions in latest.items() if {k: int(v) for k, v in versions.items()} == wanted}


def raise_alerts(session: Session, actor: Actor, alerts: Sequence[NewAlert], *, at: datetime) -> list[AlertId]:
    """Store alerts not raised before for the same traveller and subject; return the new ids (audited)."""
    created: list[AlertId] = []
    for alert in alerts:
        exists = session.execute(select(AlertRow.id).where(
            AlertRow.traveller_id == alert.traveller_id, AlertRow.kind == alert.kind.value,
            AlertRow.subject == alert.subject)).scalar_one_or_none()
        if exists is not None:
            continue
        row = AlertRow(agency_id=actor.agency_id, traveller_id=alert.traveller_id, flight_id=alert.flight_id,
                       kind=alert.kind.value, subject=alert.subject, list_version_id=alert.list_version_id,
                       entity_hash=alert.entity_hash, score=alert.score, severity=alert.severity.value,
                       state=AlertState.NEW.value, reason=alert.reason, evidence=alert.evidence,
                       origin=alert.origin, created_at=at, updated_at=at)
        session.add(row)
        session.flush()
        session.add(AlertEventRow(alert_id=row.id, at=at, actor=actor.label, action="raise",
                                  to_state=AlertState.NEW.value, note=alert.reason[:500]))
        created.append(AlertId(row.id))
    if created:
        audit.record(session, actor, "alerts.raise", subject_type="alerts", subject_id=",".join(map(str, created)),
                     detail={"count": len(created)}, at=at)
    return created


def _summary(row: AlertRow, traveller: TravellerRow, flight: FlightRow) -> AlertSummary:
    return AlertSummary(AlertId(row.id), AlertKind(row.kind), AlertState(row.state), Severity(row.severity),
                        f"{traveller.family_name}/{traveller.given_names}", flight.key, row.subject,
                        row.score, row.reason, row.created_at)


def list_alerts(session: Session, actor: Actor, *, states: Sequence[AlertState] | None = None,
                flight_id: int | None = None, limit: int = 100, offset: int = 0,
                channel_note: str = "") -> list[AlertSummary]:
    """Return the agency's alerts, newest first (the read of traveller names is audited)."""
    query = (select(AlertRow, TravellerRow, FlightRow)
             .join(TravellerRow, TravellerRow.id == AlertRow.traveller_id)
             .join(FlightRow, FlightRow.id == AlertRow.flight_id)
             .where(AlertRow.agency_id == actor.agency_id))
    if states:
        query = query.where(AlertRow.state.in_([s.value for s in states]))
    if flight_id is not None:
        query = query.where(AlertRow.flight_id == flight_id)
    rows = session.execute(query.order_by(AlertRow.id.desc()).limit(limit).offset(offset)).all()
    audit.record(session, actor, "alerts.read", subject_type="alerts",
                 subject_id=f"flight:{flight_id}" if flight_id else "queue",
                 detail={"count": len(rows), "note": channel_note})
    return [_summary(a, t, f) for a, t, f in rows]


def count_by_state(session: Session, agency_id: int) -> dict[str, int]:
    """Return alert counts per state for the agency (no personal data)."""
    rows = session.execute(select(AlertRow.state, func.count()).where(AlertRow.agency_id == agency_id)
                           .group_by(AlertRow.state)).all()
    return {state: int(n) for state, n in rows}


def get_alert(session: Session, actor: Actor, alert_id: int) -> AlertDetail:
    """Return one of the agency's alerts with its history (audited), or raise NotFoundError."""
    found = session.execute(
        select(AlertRow, TravellerRow, FlightRow)
        .join(TravellerRow, TravellerRow.id == AlertRow.traveller_id)
        .join(FlightRow, FlightRow.id == AlertRow.flight_id)
        .where(AlertRow.id == alert_id, AlertRow.agency_id == actor.agency_id)).first()
    if found is None:
        raise NotFoundError(f"alert {alert_id} not found")
    row, traveller, flight = found
    events = session.execute(select(AlertEventRow).where(AlertEventRow.alert_id == alert_id)
                             .order_by(AlertEventRow.id)).scalars()
    history = [{"at": e.at.isoformat(), "actor": e.actor, "action": e.action, "from": e.from_state,
                "to": e.to_state, "note": e.note} for e in events]
    audit.record(session, actor, "alert.read", subject_type="alert", subject_id=alert_id)
    return AlertDetail(_summary(row, traveller, flight), row.traveller_id, row.flight_id, list(row.evidence or []),
                       row.assigned_to, row.origin, row.list_version_id, row.entity_hash, history)


def screened_travellers(session: Session, agency_id: int, flight_id: int) -> dict[int, str]:
    """Return traveller id -> latest screening outcome for a flight."""
    rows = session.execute(
        select(ScreeningRow.traveller_id, ScreeningRow.outcome)
        .join(TravellerRow, TravellerRow.id == ScreeningRow.traveller_id)
        .where(TravellerRow.flight_id == flight_id, ScreeningRow.agency_id == agency_id)
        .order_by(ScreeningRow.id)).all()
    return {tid: outcome for tid, outcome in rows}

