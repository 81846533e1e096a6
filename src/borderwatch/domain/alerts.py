"""Alerts raised by screening, their life cycle and the officers' decisions."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import NewType

AlertId = NewType("AlertId", int)


class AlertState(Enum):
    """Where an alert stands in review."""

    NEW = "new"
    IN_REVIEW = "in review"
    ESCALATED = "escalated"
    CONFIRMED_MATCH = "confirmed match"
    FALSE_POSITIVE = "false positive"
    # A high-severity decision taken by one officer, waiting for a second, different one (four eyes).
    PENDING_APPROVAL = "pending approval"

    @property
    def is_closed(self) -> bool:
        """True once an alert has been decided."""
        return self in (AlertState.CONFIRMED_MATCH, AlertState.FALSE_POSITIVE)


class AlertKind(Enum):
    """What raised the alert."""

    WATCH_LIST = "watch list"
    LOST_STOLEN_DOCUMENT = "lost or stolen document"
    RISK_RULE = "risk rule"
    DOCUMENT_CHECK = "document check"
    PARTNER = "partner"


class Severity(Enum):
    """How urgent an alert is; high severity needs four eyes to close."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class Decision(Enum):
    """An officer's decision on an alert."""

    CONFIRM_MATCH = "confirm match"
    FALSE_POSITIVE = "false positive"
    ESCALATE = "escalate"


@dataclass(frozen=True, slots=True)
class AlertSummary:
    """What an alert says, as listed in a queue or a report."""

    alert_id: AlertId
    kind: AlertKind
    state: AlertState
    severity: Severity
    traveller_name: str
    flight: str
    entity_id: str
    score: float
    reason: str
    created_at: datetime
