"""Messages between partner agencies: what kinds exist, and an outbox message as the outbox holds it.

Pure values. The outbox (store) keeps them, the delivery loop (sharing/outbox.py) orders and
retries them, the share service (services/share.py) decides what is sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from borderwatch.domain.agreements import AgreementId


class MessageKind(Enum):
    """What a message between partners carries (the `kind` key of every payload)."""

    ALERT = "alert"  # a confirmed hit, minimised to the agreed fields
    ALERT_ACK = "alert.ack"  # the partner received our alert and put it in its queue
    ALERT_DECISION = "alert.decision"  # the partner's officer decided on the alert we sent
    LIST_DELTA = "list.delta"  # what changed in a list we publish to the partner


class OutboxState(Enum):
    """Where a message stands in the outbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    CANCELLED = "cancelled"  # the agreement was revoked or no longer allows it: never sent


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """One message for a partner; messages of one stream go out in `sequence` order."""

    id: int
    agency_id: int
    agreement_id: AgreementId
    message_id: str
    kind: MessageKind
    stream: str  # e.g. `alert:42` or `list:LSD:UKBF`
    sequence: int
    payload: Mapping[str, object]
    state: OutboxState
    attempts: int
    next_attempt_at: datetime
    created_at: datetime
    delivered_at: datetime | None = None
    last_error: str = ""

    @property
    def stream_key(self) -> tuple[int, str, str]:
        """Return what orders messages: (agency, agreement, stream)."""
        return (self.agency_id, self.agreement_id, self.stream)


@dataclass(frozen=True, slots=True)
class DeliveryResult:
    """What one delivery attempt came to; `delivered` or `cancelled`, else retried later."""

    delivered: bool
    error: str = ""
    cancelled: bool = False
    status: int | None = None  # the partner's HTTP status, when it answered
    detail: Mapping[str, object] = field(default_factory=dict)
