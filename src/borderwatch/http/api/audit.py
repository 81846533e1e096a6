"""Audit API for auditors and supervisors: the agency's trail and the verification of its chain."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from borderwatch.http.deps import AuditReaderDep, InstanceDep
from borderwatch.services import audit as audit_service

router = APIRouter(prefix="/api/audit", tags=["audit"])


class EventOut(BaseModel):
    seq: int
    at: datetime
    actor: str
    action: str
    subject_type: str
    subject_id: str
    channel: str
    detail: dict[str, Any]
    hash: str


class EventList(BaseModel):
    events: list[EventOut]


class BreakOut(BaseModel):
    seq: int
    reason: str


class VerifyOut(BaseModel):
    agency: str
    events: int
    intact: bool
    breaks: list[BreakOut]


@router.get("/events", response_model=EventList, summary="The agency's audit trail, newest first")
def list_events(
    instance: InstanceDep,
    actor: AuditReaderDep,
    limit: int = Query(default=100, ge=1, le=1000),
    offset: int = Query(default=0, ge=0, le=10_000_000),
    action: str | None = Query(default=None, max_length=60),
    subject_type: str | None = Query(default=None, max_length=40),
) -> EventList:
    events = audit_service.list_events(
        instance.db, actor, limit=limit, offset=offset, action=action, subject_type=subject_type
    )
    return EventList(
        events=[
            EventOut(
                seq=e.seq,
                at=e.at,
                actor=e.actor,
                action=e.action,
                subject_type=e.subject_type,
                subject_id=e.subject_id,
                channel=e.channel,
                detail=dict(e.detail),
                hash=e.hash,
            )
            for e in events
        ]
    )


@router.get("/verify", response_model=VerifyOut, summary="Verify the agency's hash chain")
def verify(instance: InstanceDep, actor: AuditReaderDep) -> VerifyOut:
    chain = audit_service.verify_agency(instance.db, actor)
    report = chain.report
    return VerifyOut(
        agency=chain.agency,
        events=report.events,
        intact=report.intact,
        breaks=[BreakOut(seq=b.seq, reason=b.reason) for b in report.breaks],
    )
