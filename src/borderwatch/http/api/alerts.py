"""Alerts API for officers and supervisors: the queue, one alert, assignment, notes and decisions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel, Field

from borderwatch.domain.alerts import AlertState, Decision
from borderwatch.http.deps import MAX_ROW_ID, InstanceDep, ReviewerDep, RowId
from borderwatch.services import review
from borderwatch.store.alerts import AlertDetail

router = APIRouter(prefix="/api/alerts", tags=["alerts"])


class AlertOut(BaseModel):
    id: int
    kind: str
    state: str
    severity: str
    traveller: str
    flight: str
    entity: str = Field(description="List entry id from the source, e.g. UN:QDi.001")
    score: float
    reason: str
    created_at: datetime


class AlertList(BaseModel):
    alerts: list[AlertOut]
    next_before_id: int | None = Field(
        default=None,
        description="When the page is full: pass it as `before_id` for the next (older) page",
    )


class AlertDetailOut(AlertOut):
    traveller_id: int | None = Field(description="None for an alert received from a partner agency")
    flight_id: int | None
    evidence: list[dict[str, Any]]
    history: list[dict[str, Any]]
    assigned_to: str = ""
    origin: str = Field(default="", description="Partner agency the alert came from; empty for our own")
    shared_data: dict[str, Any] | None = Field(
        default=None, description="Received alerts: exactly the fields the agreement let cross"
    )


class AssignIn(BaseModel):
    username: str | None = Field(
        default=None, max_length=80, description="Officer to assign; the caller when left out."
    )


class NoteIn(BaseModel):
    note: str = Field(min_length=1, max_length=review.MAX_NOTE_CHARS)


class DecisionIn(BaseModel):
    decision: Decision = Field(description="'confirm match', 'false positive' or 'escalate'")
    note: str = Field(min_length=1, max_length=review.MAX_NOTE_CHARS, description="What was checked, and why")


def alert_detail_out(detail: AlertDetail, *, with_review: bool = True) -> AlertDetailOut:
    """Return the API shape of an alert; `with_review=False` leaves out its review (history, assignee)."""
    a = detail.summary
    return AlertDetailOut(
        id=a.alert_id,
        kind=a.kind.value,
        state=a.state.value,
        severity=a.severity.value,
        traveller=a.traveller_name,
        flight=a.flight,
        entity=a.entity_id,
        score=a.score,
        reason=a.reason,
        created_at=a.created_at,
        traveller_id=detail.traveller_id,
        flight_id=detail.flight_id,
        evidence=detail.evidence,
        history=detail.history if with_review else [],
        assigned_to=detail.assigned_to if with_review else "",
        origin=detail.origin,
        shared_data=detail.shared_data,
    )


@router.get("", response_model=AlertList, summary="The alert queue, newest first")
def list_alerts(
    instance: InstanceDep,
    actor: ReviewerDep,
    state: list[AlertState] = Query(default=[]),
    flight_id: int | None = Query(default=None, ge=1, le=MAX_ROW_ID),
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=1_000_000),
    before_id: int | None = Query(
        default=None,
        ge=1,
        le=MAX_ROW_ID,
        description="Only alerts older than this id: the `next_before_id` of the page before",
    ),
) -> AlertList:
    found = review.list_alerts(
        instance.db,
        actor,
        states=state or None,
        flight_id=flight_id,
        limit=limit,
        offset=offset,
        before_id=before_id,
    )
    return AlertList(
        next_before_id=found[-1].alert_id if len(found) == limit else None,
        alerts=[
            AlertOut(
                id=a.alert_id,
                kind=a.kind.value,
                state=a.state.value,
                severity=a.severity.value,
                traveller=a.traveller_name,
                flight=a.flight,
                entity=a.entity_id,
                score=a.score,
                reason=a.reason,
                created_at=a.created_at,
            )
            for a in found
        ],
    )


@router.get("/{alert_id}", response_model=AlertDetailOut, summary="One alert with its evidence and history")
def get_alert(alert_id: RowId, instance: InstanceDep, actor: ReviewerDep) -> AlertDetailOut:
    return alert_detail_out(review.get_alert(instance.db, actor, alert_id))


@router.post(
    "/{alert_id}/assign", response_model=AlertDetailOut, summary="Assign an alert (a new one goes in review)"
)
def assign_alert(
    alert_id: RowId, body: AssignIn, instance: InstanceDep, actor: ReviewerDep
) -> AlertDetailOut:
    return alert_detail_out(review.assign_alert(instance.db, actor, alert_id, body.username))


@router.post("/{alert_id}/notes", response_model=AlertDetailOut, summary="Add a note to an alert's history")
def add_note(alert_id: RowId, body: NoteIn, instance: InstanceDep, actor: ReviewerDep) -> AlertDetailOut:
    return alert_detail_out(review.add_note(instance.db, actor, alert_id, body.note))


@router.post(
    "/{alert_id}/decision",
    response_model=AlertDetailOut,
    summary="Decide an alert: confirm match, false positive or escalate (high severity: four eyes)",
)
def decide_alert(
    alert_id: RowId, body: DecisionIn, instance: InstanceDep, actor: ReviewerDep
) -> AlertDetailOut:
    return alert_detail_out(review.decide_alert(instance.db, actor, alert_id, body.decision, body.note))
