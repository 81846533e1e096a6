"""The review of an alert as a state machine: who may take which decision, and where it leads.

    new ─assign─► in review ─confirm match / false positive─► closed            (low, medium)
                      │      ─confirm match / false positive─► pending approval  (high: four eyes)
                      └─escalate─► escalated ─(supervisor) decide─► closed or pending approval
    pending approval ─same decision by a second, different officer or supervisor─► closed
                     ─a different decision, or escalate─► escalated (a supervisor settles it)

Pure: the caller passes the alert's state, severity, the pending proposal and who is acting.
"""

from __future__ import annotations

from dataclasses import dataclass

from borderwatch.domain.alerts import AlertState, Decision, Severity
from borderwatch.domain.audit import Role
from borderwatch.errors import AccessDeniedError, ConflictError

REVIEWER_ROLES = frozenset({Role.OFFICER, Role.SUPERVISOR})
SUPERVISOR_ROLES = frozenset({Role.SUPERVISOR})

CLOSING = {
    Decision.CONFIRM_MATCH: AlertState.CONFIRMED_MATCH,
    Decision.FALSE_POSITIVE: AlertState.FALSE_POSITIVE,
}


@dataclass(frozen=True, slots=True)
class Proposal:
    """A high-severity decision waiting for a second officer: what was decided and by whom."""

    decision: Decision
    proposed_by: str  # actor label, `username@AGENCY`


@dataclass(frozen=True, slots=True)
class Step:
    """One move of an alert: the action written to its history and the state it leads to."""

    action: str  # decide, propose, approve, escalate, dispute
    from_state: AlertState
    to_state: AlertState
    decision: Decision


def check_reviewer(role: Role) -> None:
    """Raise AccessDeniedError unless the role reviews alerts (officers and supervisors)."""
    if role not in REVIEWER_ROLES:
        raise AccessDeniedError(f"role {role.value!r} cannot review alerts; officers and supervisors do")


def decision_step(
    state: AlertState,
    severity: Severity,
    decision: Decision,
    *,
    role: Role,
    by: str,
    proposal: Proposal | None,
) -> Step:
    """Return the step a decision takes an alert through, or raise ConflictError / AccessDeniedError."""
    check_reviewer(role)
    if state.is_closed:
        raise ConflictError(f"the alert is already closed as {state.value!r}; it cannot be decided again")
    if state is AlertState.PENDING_APPROVAL:
        return _approval_step(decision, by=by, proposal=proposal)
    if state is AlertState.ESCALATED:
        if role not in SUPERVISOR_ROLES:
            raise AccessDeniedError("the alert is escalated: a supervisor decides it")
        if decision is Decision.ESCALATE:
            raise ConflictError("the alert is already escalated")
    if decision is Decision.ESCALATE:
        return Step("escalate", state, AlertState.ESCALATED, decision)
    if severity is Severity.HIGH:
        # Four eyes: a high-severity alert closes only when a second person takes the same decision.
        return Step("propose", state, AlertState.PENDING_APPROVAL, decision)
    return Step("decide", state, CLOSING[decision], decision)


def _approval_step(decision: Decision, *, by: str, proposal: Proposal | None) -> Step:
    state = AlertState.PENDING_APPROVAL
    if proposal is None:
        raise ConflictError("the alert waits for approval but no proposed decision was recorded")
    if by == proposal.proposed_by:
        raise AccessDeniedError(
            f"four eyes: {by} proposed {proposal.decision.value!r}; a second, different "
            "officer or supervisor must approve it"
        )
    if decision is proposal.decision:
        return Step("approve", state, CLOSING[decision], decision)
    if decision is Decision.ESCALATE:
        return Step("escalate", state, AlertState.ESCALATED, decision)
    # The two officers disagree: neither outcome stands, a supervisor settles it.
    return Step("dispute", state, AlertState.ESCALATED, decision)
