"""Review: the alert queue and each alert's detail, for officers."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from borderwatch.domain.alerts import AlertState, AlertSummary, Decision
from borderwatch.domain.audit import Actor
from borderwatch.domain.review import REVIEWER_ROLES, check_reviewer
from borderwatch.errors import InputError
from borderwatch.services import share
from borderwatch.store import alerts as alert_store
from borderwatch.store import users as user_store
from borderwatch.store.alerts import AlertDetail
from borderwatch.store.session import Database

MAX_NOTE_CHARS = 4000


def list_alerts(
    db: Database,
    actor: Actor,
    *,
    states: Sequence[AlertState] | None = None,
    flight_id: int | None = None,
    limit: int = 100,
    offset: int = 0,
    before_id: int | None = None,
) -> list[AlertSummary]:
    """Return the agency's alerts, newest first, older than `before_id` when given (audited: the
    queue shows travellers' names)."""
    with db.transaction() as session:
        return alert_store.list_alerts(
            session,
            actor,
            states=states,
            flight_id=flight_id,
            limit=limit,
            offset=offset,
            before_id=before_id,
        )


def get_alert(db: Database, actor: Actor, alert_id: int) -> AlertDetail:
    """Return one alert with its evidence and history (audited)."""
    with db.transaction() as session:
        return alert_store.get_alert(session, actor, alert_id)


def alert_counts(db: Database, actor: Actor) -> dict[str, int]:
    """Return the number of alerts per state."""
    with db.transaction() as session:
        return alert_store.count_by_state(session, actor.agency_id)


def _note(text: str, *, required: bool) -> str:
    note = text.strip()
    if required and not note:
        raise InputError("a note is required: say what you checked", field="note", reason="empty note")
    if len(note) > MAX_NOTE_CHARS:
        raise InputError(
            f"the note has {len(note)} characters; at most {MAX_NOTE_CHARS} are kept",
            field="note",
            reason="note too long",
        )
    return note


def assign_alert(
    db: Database, actor: Actor, alert_id: int, assignee: str | None = None, *, now: datetime | None = None
) -> AlertDetail:
    """Assign an alert to an officer of the agency (the actor when none is named); return it.

    A new alert goes in review. The assignee must be an active officer or supervisor of the
    same agency; a closed alert cannot be assigned (ConflictError).
    """
    check_reviewer(actor.role)
    moment = now or datetime.now(UTC)
    with db.transaction() as session:
        name = actor.username
        if assignee is not None and assignee.strip().lower() != actor.username:
            user = user_store.find_user(session, actor.agency_id, assignee.strip().lower())
            if not user.active or user.role not in REVIEWER_ROLES:
                raise InputError(
                    f"{user.username!r} cannot be assigned alerts: not an active officer or supervisor",
                    field="username",
                    reason="not a reviewer",
                )
            name = user.username
        alert_store.assign_alert(session, actor, alert_id, name, at=moment)
        return alert_store.get_alert(session, actor, alert_id)


def add_note(
    db: Database, actor: Actor, alert_id: int, note: str, *, now: datetime | None = None
) -> AlertDetail:
    """Add a note to an alert's history, with the officer and the time; return the alert."""
    check_reviewer(actor.role)
    text = _note(note, required=True)
    with db.transaction() as session:
        alert_store.add_note(session, actor, alert_id, text, at=now or datetime.now(UTC))
        return alert_store.get_alert(session, actor, alert_id)


def decide_alert(
    db: Database, actor: Actor, alert_id: int, decision: Decision, note: str, *, now: datetime | None = None
) -> AlertDetail:
    """Take a decision on an alert and return the alert as it now stands (the step is in its history).

    new / in review -> confirmed match, false positive (low, medium severity) or pending approval
    (high severity: a second, different officer or supervisor must take the same decision);
    escalate -> escalated, decided by a supervisor. Deciding a closed alert raises ConflictError;
    the same officer approving their own proposal raises AccessDeniedError.
    """
    text = _note(note, required=True)
    moment = now or datetime.now(UTC)
    with db.transaction() as session:
        step = alert_store.decide_alert(session, actor, alert_id, decision, text, at=moment)
        # Partner exchange, in the decision's transaction: a confirmed match is queued for partners
        # whose agreement covers it; a decision on a partner's alert is queued back to the partner.
        share.after_decision(
            session, actor, alert_id, to_state=step.to_state, decision=step.decision, note=text, at=moment
        )
        return alert_store.get_alert(session, actor, alert_id)
