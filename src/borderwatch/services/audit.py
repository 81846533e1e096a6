"""The audit trail for people who check it: list an agency's events, verify every chain."""

from __future__ import annotations

from dataclasses import dataclass

from borderwatch.domain.audit import Actor, AuditEvent
from borderwatch.store import agencies as agency_store
from borderwatch.store import audit
from borderwatch.store.audit import ChainReport
from borderwatch.store.session import Database


@dataclass(frozen=True, slots=True)
class AgencyChain:
    """One agency's chain and what verifying it found."""

    agency: str
    report: ChainReport

    def as_dict(self) -> dict[str, object]:
        """Return the verification as JSON-ready data."""
        return {
            "agency": self.agency,
            "events": self.report.events,
            "intact": self.report.intact,
            "breaks": [{"seq": b.seq, "reason": b.reason} for b in self.report.breaks],
        }


def verify_all(db: Database) -> list[AgencyChain]:
    """Return the verification of every agency's chain on this instance (nothing is written)."""
    with db.transaction() as session:
        return [
            AgencyChain(agency.code, audit.verify(session, agency_id))
            for agency_id, agency in agency_store.list_agencies(session)
        ]


def verify_agency(db: Database, actor: Actor) -> AgencyChain:
    """Return the verification of the actor's agency chain."""
    with db.transaction() as session:
        return AgencyChain(actor.agency_code, audit.verify(session, actor.agency_id))


def list_events(
    db: Database,
    actor: Actor,
    *,
    limit: int = 100,
    offset: int = 0,
    action: str | None = None,
    subject_type: str | None = None,
) -> list[AuditEvent]:
    """Return the actor's agency events, newest first; the read itself is recorded in the trail."""
    with db.transaction() as session:
        events = audit.list_events(
            session, actor.agency_id, limit=limit, offset=offset, action=action, subject_type=subject_type
        )
        audit.record(
            session,
            actor,
            "audit.read",
            subject_type="audit",
            subject_id=actor.agency_code,
            detail={"count": len(events), "offset": offset, "action": action or ""},
        )
    return events


def event_as_dict(event: AuditEvent) -> dict[str, object]:
    """Return an audit event as JSON-ready data."""
    return {
        "seq": event.seq,
        "at": event.at.isoformat(),
        "actor": event.actor,
        "action": event.action,
        "subject_type": event.subject_type,
        "subject_id": event.subject_id,
        "channel": event.channel,
        "detail": dict(event.detail),
        "hash": event.hash,
    }
