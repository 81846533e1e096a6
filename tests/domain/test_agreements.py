"""Agreements: validity, revocation, what may be shared, and data minimisation."""

from __future__ import annotations

import base64
import dataclasses
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import (
    Agreement,
    AgreementId,
    Direction,
    ShareableField,
    agreement_changes,
    decode_public_key,
    is_active,
    key_fingerprint,
    minimise,
    permits_alert,
    permits_direction,
    permits_list,
    retention_ends,
    revoke,
    withheld_fields,
)
from borderwatch.domain.alerts import AlertKind
from borderwatch.domain.watchlists import ListId
from borderwatch.errors import AccessDeniedError, InputError

KEY = bytes(range(32))
START = datetime(2025, 1, 1, tzinfo=UTC)
END = datetime(2027, 1, 1, tzinfo=UTC)
NOW = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)


def make_agreement(**changes: object) -> Agreement:
    """Return DGSN's copy of an agreement with UKBF, with `changes` applied."""
    base = Agreement(
        id=AgreementId("DGSN-UKBF-2025-001"),
        agency=AgencyCode("DGSN"),
        partner=AgencyCode("UKBF"),
        partner_url="https://borderwatch.ukbf.example",
        partner_public_key=KEY,
        directions=frozenset({Direction.SEND, Direction.RECEIVE}),
        alert_categories=frozenset({AlertKind.WATCH_LIST}),
        list_ids=frozenset({ListId("UN")}),
        fields=frozenset({ShareableField.FAMILY_NAME, ShareableField.BIRTH_DATE, ShareableField.REASON}),
        purpose="Prevention of terrorist offences at the border",
        retention_days=30,
        valid_from=START,
        valid_until=END,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


# A shared-alert record as the share service will build it from an alert on a Casablanca-London flight.
RECORD: dict[str, object] = {
    "family_name": "BENJELLOUN",
    "given_names": "YOUSSEF",
    "birth_date": "1984-03-12",
    "nationality": "MAR",
    "document_number": "AB1234567",
    "flight": "AT800",
    "reason": "name ~ BENJELLOUN, Youssef; birth date exact",
    "entity_id": "UN:QDi.001",
    "score": 0.93,
    "officer_notes": "Travels with his brother; informant says ...",
}


def test_active_within_validity() -> None:
    result = is_active(make_agreement(), NOW)
    assert result
    assert result.allowed is True


@pytest.mark.parametrize(
    ("changes", "now", "words"),
    [
        ({}, START - timedelta(seconds=1), "not valid before 2025-01-01"),
        ({}, END, "expired at 2027-01-01"),  # valid_until is exclusive
        ({"revoked_at": NOW - timedelta(days=1)}, NOW, "was revoked at"),
        # Revocation stops sharing at once, even when the recorded instant is ahead of our clock.
        ({"revoked_at": NOW + timedelta(minutes=1)}, NOW, "was revoked at"),
    ],
)
def test_inactive_with_reason(changes: dict[str, object], now: datetime, words: str) -> None:
    result = is_active(make_agreement(**changes), now)
    assert not result
    assert words in result.reason
    assert "DGSN-UKBF-2025-001" in result.reason


def test_open_ended_agreement_stays_active() -> None:
    assert is_active(make_agreement(valid_until=None), datetime(2099, 1, 1, tzinfo=UTC))


def test_naive_now_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        is_active(make_agreement(), datetime(2025, 6, 1))


def test_permits_alert_by_category_and_direction() -> None:
    agreement = make_agreement(directions=frozenset({Direction.SEND}))
    assert permits_alert(agreement, AlertKind.WATCH_LIST, NOW)
    refused = permits_alert(agreement, AlertKind.RISK_RULE, NOW)
    assert not refused
    assert "'risk rule'" in refused.reason
    inbound = permits_alert(agreement, AlertKind.WATCH_LIST, NOW, direction=Direction.RECEIVE)
    assert not inbound
    assert "does not allow receiving from UKBF" in inbound.reason


def test_permits_list() -> None:
    agreement = make_agreement()
    assert permits_list(agreement, "UN", NOW)
    refused = permits_list(agreement, "OFAC", NOW)
    assert not refused
    assert "watch list 'OFAC'" in refused.reason


def test_revoked_agreement_permits_nothing() -> None:
    agreement = revoke(make_agreement(), NOW)
    for permission in (
        permits_alert(agreement, AlertKind.WATCH_LIST, NOW),
        permits_list(agreement, "UN", NOW),
        permits_direction(agreement, Direction.RECEIVE, NOW),
    ):
        assert not permission
        assert "revoked" in permission.reason
    with pytest.raises(AccessDeniedError, match="revoked"):
        minimise(agreement, RECORD, NOW)
    # A second revocation keeps the first instant (the audit trail must not move).
    assert revoke(agreement, NOW + timedelta(days=1)).revoked_at == NOW


def test_minimise_keeps_only_agreed_fields_and_never_officer_notes() -> None:
    shared = minimise(make_agreement(), RECORD, NOW)
    assert shared == {
        "family_name": "BENJELLOUN",
        "birth_date": "1984-03-12",
        "reason": "name ~ BENJELLOUN, Youssef; birth date exact",
    }
    assert "officer_notes" in withheld_fields(make_agreement(), RECORD)


def test_minimise_shares_officer_notes_only_when_agreed() -> None:
    agreement = make_agreement(fields=frozenset({ShareableField.OFFICER_NOTES}))
    assert minimise(agreement, RECORD, NOW) == {"officer_notes": RECORD["officer_notes"]}


def test_minimise_refuses_expired_agreement() -> None:
    with pytest.raises(AccessDeniedError, match="expired"):
        minimise(make_agreement(), RECORD, END + timedelta(days=1))


def test_minimise_refuses_direction_not_agreed() -> None:
    with pytest.raises(AccessDeniedError, match="does not allow sending"):
        minimise(make_agreement(directions=frozenset({Direction.RECEIVE})), RECORD, NOW)


FIELD_NAMES = [f.value for f in ShareableField]
keys = st.one_of(
    st.sampled_from(FIELD_NAMES),
    st.sampled_from(FIELD_NAMES).map(str.upper),
    st.sampled_from(FIELD_NAMES).map(lambda name: f" {name}"),
    st.text(max_size=20),
)
values = st.one_of(st.none(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30))


@given(
    record=st.dictionaries(keys, values, max_size=25),
    allowed=st.frozensets(st.sampled_from(list(ShareableField))),
)
def test_minimise_never_lets_an_unlisted_field_through(
    record: dict[str, object], allowed: frozenset[ShareableField]
) -> None:
    agreement = make_agreement(fields=allowed)
    shared = minimise(agreement, record, NOW)
    allowed_names = {f.value for f in allowed}
    assert set(shared) <= allowed_names
    # Nothing allowed is lost, and values pass unchanged.
    assert shared == {k: v for k, v in record.items() if k in allowed_names}
    assert set(withheld_fields(agreement, record)) == set(record) - set(shared)


def test_retention_ends() -> None:
    received = datetime(2025, 6, 1, 23, 0, tzinfo=UTC)
    assert retention_ends(make_agreement(), received) == datetime(2025, 7, 1, 23, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id": AgreementId(" ")}, "id"),
        ({"partner": AgencyCode("DGSN")}, "partner"),
        ({"partner_url": "ftp://ukbf.example"}, "partner_url"),
        ({"partner_public_key": b"short"}, "partner_public_key"),
        ({"directions": frozenset()}, "directions"),
        ({"purpose": ""}, "purpose"),
        ({"retention_days": 0}, "retention_days"),
        ({"valid_from": datetime(2025, 1, 1)}, "valid_from"),
        ({"valid_until": START}, "valid_until"),
    ],
)
def test_invalid_agreement_is_refused_with_field(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        make_agreement(**changes)
    assert info.value.field == field


def test_decode_public_key_raw_or_base64() -> None:
    assert decode_public_key(KEY) == KEY
    assert decode_public_key(base64.b64encode(KEY).decode()) == KEY
    assert decode_public_key(base64.b64encode(KEY)) == KEY
    for bad in ("", "not base64!", base64.b64encode(b"x" * 31).decode(), b"x" * 33):
        with pytest.raises(InputError, match="32 bytes"):
            decode_public_key(bad)


def test_fingerprint_is_sha256_in_groups() -> None:
    # SHA-256 of bytes 0..31, computed independently with `printf ... | sha256sum`.
    assert key_fingerprint(KEY).replace(" ", "") == (
        "630DCD2966C4336691125448BBB25B4FF412A49C732DB2C8ABC1B8581BD710DD"
    )
    assert len(key_fingerprint(KEY).split()) == 16


def test_agreement_changes_for_the_audit_log() -> None:
    before = make_agreement()
    after = dataclasses.replace(
        before, fields=before.fields | {ShareableField.OFFICER_NOTES}, retention_days=14
    )
    changes = {c.field: c for c in agreement_changes(before, after)}
    assert set(changes) == {"fields", "retention_days"}
    assert "officer_notes" in changes["fields"].after
    assert "officer_notes" not in changes["fields"].before
    assert (changes["retention_days"].before, changes["retention_days"].after) == ("30", "14")
    assert agreement_changes(before, before) == ()
