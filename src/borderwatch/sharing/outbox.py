"""The outbox delivery loop: exponential backoff with jitter and a cap, per-stream order.

A message is attempted only when it is due and every earlier message of its stream (the story of
one alert, the versions of one list) has been delivered: a partner never sees a decision before
the alert it is about. A failed attempt puts the message back with a delay of
`base * factor ** (attempts - 1)`, capped, and spread by +/- `jitter` so that many instances
coming back after an outage do not all retry in the same second (AWS Architecture Blog,
"Exponential Backoff And Jitter", 2015). Nothing here touches the database or the network:
the caller passes `send` (seal and POST) and `record` (store the outcome).
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from borderwatch.domain.exchange import DeliveryResult, OutboxMessage, OutboxState


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """How long to wait before the next attempt after a failure."""

    base: timedelta = timedelta(seconds=5)
    factor: float = 2.0
    cap: timedelta = timedelta(minutes=10)
    jitter: float = 0.2  # the delay is multiplied by a random factor in [1 - jitter, 1 + jitter]

    def __post_init__(self) -> None:
        if self.base <= timedelta(0) or self.cap < self.base:
            raise ValueError("retry policy needs 0 < base <= cap")
        if self.factor < 1.0 or not 0.0 <= self.jitter < 1.0:
            raise ValueError("retry policy needs factor >= 1 and 0 <= jitter < 1")


def backoff_delay(attempts: int, policy: RetryPolicy, rng: random.Random | None = None) -> timedelta:
    """Return the wait before the next attempt after `attempts` failed attempts (at least 1)."""
    exponent = max(attempts, 1) - 1
    seconds = policy.base.total_seconds()
    cap = policy.cap.total_seconds()
    # Stop multiplying once past the cap: factor ** 1000 would overflow a float.
    for _ in range(min(exponent, 64)):
        seconds *= policy.factor
        if seconds >= cap:
            seconds = cap
            break
    spread = (rng or random).uniform(1.0 - policy.jitter, 1.0 + policy.jitter)
    return timedelta(seconds=min(seconds * spread, cap))


def streams(messages: Iterable[OutboxMessage]) -> list[list[OutboxMessage]]:
    """Return the pending messages grouped by stream, each group in sequence order, oldest stream first."""
    groups: dict[tuple[int, str, str], list[OutboxMessage]] = {}
    for message in messages:
        if message.state is OutboxState.PENDING:
            groups.setdefault(message.stream_key, []).append(message)
    ordered = [sorted(group, key=lambda m: m.sequence) for group in groups.values()]
    return sorted(ordered, key=lambda group: (group[0].created_at, group[0].id))


def heads(messages: Iterable[OutboxMessage], now: datetime) -> list[OutboxMessage]:
    """Return the messages that may be attempted now: the first pending one of each stream, if due."""
    return [group[0] for group in streams(messages) if group[0].next_attempt_at <= now]


@dataclass
class RoundReport:
    """What one delivery round did."""

    attempted: int = 0
    delivered: list[str] = field(default_factory=list)  # message ids
    failed: dict[str, str] = field(default_factory=dict)  # message id -> error
    cancelled: list[str] = field(default_factory=list)
    waiting: int = 0  # pending messages not attempted (not due, or behind an undelivered one)

    def as_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "attempted": self.attempted,
            "delivered": len(self.delivered),
            "failed": len(self.failed),
            "cancelled": len(self.cancelled),
            "waiting": self.waiting,
            "errors": dict(self.failed),
        }


Send = Callable[[OutboxMessage], DeliveryResult]
Record = Callable[[OutboxMessage, DeliveryResult, "datetime | None"], None]


def deliver_round(
    pending: Sequence[OutboxMessage],
    *,
    now: datetime,
    send: Send,
    record: Record,
    policy: RetryPolicy | None = None,
    rng: random.Random | None = None,
    max_messages: int = 1000,
) -> RoundReport:
    """Attempt every stream's due messages in order, at most `max_messages`; return what happened.

    Within a stream, the next message is attempted in the same round once the one before it is
    delivered (or cancelled); the first failure stops that stream until its retry time. `record`
    receives each outcome with the next attempt time (None when delivered or cancelled).
    """
    policy = policy or RetryPolicy()
    report = RoundReport()
    for group in streams(pending):
        for position, message in enumerate(group):
            if report.attempted >= max_messages or message.next_attempt_at > now:
                report.waiting += len(group) - position
                break
            report.attempted += 1
            result = send(message)
            if result.delivered or result.cancelled:
                record(message, result, None)
                (report.delivered if result.delivered else report.cancelled).append(message.message_id)
                continue
            record(message, result, now + backoff_delay(message.attempts + 1, policy, rng))
            report.failed[message.message_id] = result.error
            report.waiting += len(group) - position - 1
            break
    return report


def run_until_idle(
    deliver_once: Callable[[], RoundReport],
    *,
    pending_count: Callable[[], int],
    max_rounds: int,
    interval: float = 1.0,
    sleep: Callable[[float], None] = time.sleep,
) -> list[RoundReport]:
    """Run delivery rounds until nothing is pending or `max_rounds` rounds ran; return their reports."""
    reports: list[RoundReport] = []
    for _ in range(max_rounds):
        reports.append(deliver_once())
        if pending_count() == 0:
            break
        sleep(interval)
    return reports
