"""The delivery loop: backoff grows, is capped and jittered; a stream's messages go out in order."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from borderwatch.domain.agreements import AgreementId
from borderwatch.domain.exchange import DeliveryResult, MessageKind, OutboxMessage, OutboxState
from borderwatch.sharing.outbox import (
    RetryPolicy,
    RoundReport,
    backoff_delay,
    deliver_round,
    heads,
    run_until_idle,
)

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)  # AT800 CMN-LHR leaves at 10:00


def message(
    ident: int, stream: str, sequence: int, *, due: datetime = NOW, attempts: int = 0
) -> OutboxMessage:
    return OutboxMessage(
        id=ident,
        agency_id=1,
        agreement_id=AgreementId("DGSN-UKBF-2025-001"),
        message_id=f"m{ident}",
        kind=MessageKind.ALERT,
        stream=stream,
        sequence=sequence,
        payload={"kind": "alert", "alert_ref": stream},
        state=OutboxState.PENDING,
        attempts=attempts,
        next_attempt_at=due,
        created_at=NOW - timedelta(minutes=10 - ident),
    )


def test_backoff_doubles_up_to_the_cap_without_jitter() -> None:
    policy = RetryPolicy(base=timedelta(seconds=5), factor=2.0, cap=timedelta(minutes=1), jitter=0.0)
    delays = [backoff_delay(n, policy).total_seconds() for n in range(1, 8)]
    assert delays == [5, 10, 20, 40, 60, 60, 60]
    assert backoff_delay(10_000, policy) == timedelta(minutes=1)  # no overflow


def test_jitter_spreads_delays_within_bounds() -> None:
    policy = RetryPolicy(base=timedelta(seconds=10), cap=timedelta(minutes=10), jitter=0.2)
    rng = random.Random(7)
    delays = {backoff_delay(1, policy, rng).total_seconds() for _ in range(50)}
    assert len(delays) > 10
    assert all(8.0 <= d <= 12.0 for d in delays)
    assert all(backoff_delay(30, policy, rng) <= policy.cap for _ in range(50))


def test_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="base"):
        RetryPolicy(base=timedelta(0))
    with pytest.raises(ValueError, match="factor"):
        RetryPolicy(factor=0.5)


def test_only_the_first_pending_message_of_a_stream_is_due() -> None:
    pending = [
        message(1, "alert:7", 1),
        message(2, "alert:7", 2),
        message(3, "alert:9", 1, due=NOW + timedelta(1)),
    ]
    assert [m.message_id for m in heads(pending, NOW)] == ["m1"]


def test_a_failure_holds_back_the_rest_of_its_stream_only() -> None:
    pending = [
        message(1, "alert:7", 1),
        message(2, "alert:7", 2),
        message(3, "alert:9", 1),
        message(4, "alert:9", 2),
    ]
    sent: list[str] = []
    outcomes: dict[str, datetime | None] = {}

    def send(m: OutboxMessage) -> DeliveryResult:
        sent.append(m.message_id)
        return DeliveryResult(m.message_id != "m1", "" if m.message_id != "m1" else "connection refused")

    def record(m: OutboxMessage, result: DeliveryResult, next_at: datetime | None) -> None:
        outcomes[m.message_id] = next_at

    policy = RetryPolicy(base=timedelta(seconds=5), jitter=0.0)
    report = deliver_round(pending, now=NOW, send=send, record=record, policy=policy)
    assert sent == ["m1", "m3", "m4"]  # m2 waits behind m1: the partner never sees it first
    assert report.delivered == ["m3", "m4"]
    assert report.failed == {"m1": "connection refused"}
    assert report.waiting == 1
    assert outcomes["m1"] == NOW + timedelta(seconds=5)
    assert outcomes["m3"] is None


def test_cancelled_messages_let_the_stream_go_on() -> None:
    pending = [message(1, "alert:7", 1), message(2, "alert:7", 2)]
    report = deliver_round(
        pending,
        now=NOW,
        send=lambda m: DeliveryResult(False, "agreement revoked", cancelled=True),
        record=lambda m, r, n: None,
    )
    assert report.cancelled == ["m1", "m2"]
    assert not report.failed


def test_max_messages_bounds_a_round() -> None:
    pending = [message(i, f"alert:{i}", 1) for i in range(1, 6)]
    report = deliver_round(
        pending, now=NOW, send=lambda m: DeliveryResult(True), record=lambda m, r, n: None, max_messages=2
    )
    assert report.attempted == 2
    assert report.waiting == 3


def test_run_until_idle_is_bounded() -> None:
    left = [3]
    naps: list[float] = []

    def once() -> RoundReport:
        left[0] = max(0, left[0] - 1)
        return RoundReport(attempted=1)

    reports = run_until_idle(
        once, pending_count=lambda: left[0], max_rounds=10, interval=0.5, sleep=naps.append
    )
    assert len(reports) == 3
    assert naps == [0.5, 0.5]
    left[0] = 100
    assert len(run_until_idle(once, pending_count=lambda: 99, max_rounds=4, sleep=naps.append)) == 4
