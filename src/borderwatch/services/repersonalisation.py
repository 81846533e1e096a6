"""Re-personalising a depersonalised traveller: needs a supervisor's approval, and is audited.

An officer (or supervisor) asks, giving the reason; a supervisor other than the one who asked
approves, and only then is the sealed data decrypted and put back. Everything is in the audit trail.
"""

from __future__ import annotations

from datetime import datetime

from borderwatch.domain.audit import Actor, Role
from borderwatch.errors import AccessDeniedError, InputError
from borderwatch.services.instance import Instance
from borderwatch.store import repersonalisation as request_store
from borderwatch.store import retention as retention_store
from borderwatch.store.repersonalisation import Request
from borderwatch.store.sealed import sealing_key

REQUESTERS = (Role.OFFICER, Role.SUPERVISOR)


def request(instance: Instance, actor: Actor, traveller_id: int, reason: str, *, now: datetime) -> Request:
    """Ask for a traveller to be re-personalised (officers and supervisors; a reason is required)."""
    if actor.role not in REQUESTERS:
        raise AccessDeniedError(f"role {actor.role.value!r} may not ask for re-personalisation")
    if not reason.strip():
        raise InputError(
            "a reason is required: say which case needs the traveller's identity", field="reason"
        )
    with instance.db.transaction() as session:
        return request_store.add_request(session, actor, traveller_id, reason.strip(), at=now)


def decide(instance: Instance, actor: Actor, request_id: int, *, approve: bool, now: datetime) -> Request:
    """Approve (and restore the data) or refuse a pending request: a supervisor other than the requester."""
    if actor.role is not Role.SUPERVISOR:
        raise AccessDeniedError("only a supervisor may approve or refuse re-personalisation")
    key = sealing_key(instance.secret())
    with instance.db.transaction() as session:
        row = request_store.get_request(session, actor, request_id)
        if row.requested_by == actor.label:
            raise AccessDeniedError("the supervisor who asked cannot approve their own request (four eyes)")
        decided = request_store.decide(session, actor, row, approve=approve, at=now)
        if approve:
            retention_store.restore_traveller(session, actor, row.traveller_id, key)
        return decided


def list_requests(instance: Instance, actor: Actor, *, state: str | None = None) -> list[Request]:
    """Return the agency's re-personalisation requests, newest first."""
    with instance.db.transaction() as session:
        return request_store.list_requests(session, actor, state=state)
