"""Agreements between partner agencies: what may be shared, with whom, why, and for how long.

An agreement is held by each side (DGSN's copy names UKBF as partner, UKBF's copy names DGSN).
It says which alert categories and watch lists may cross, and which fields of a record (data
minimisation: only what the purpose needs), how long the receiver may keep them, and when the
agreement is valid. Revoking it stops sharing at once, in both directions.

Pure: the current time is always passed in. Every refusal carries a reason a person can read.
"""

from __future__ import annotations

import base64
import binascii
import dataclasses
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import NewType

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.alerts import AlertKind
from borderwatch.domain.watchlists import ListId
from borderwatch.errors import AccessDeniedError, InputError

AgreementId = NewType("AgreementId", str)

PUBLIC_KEY_BYTES = 32  # RFC 8032 section 5.1.5: an Ed25519 public key is 32 bytes


class Direction(Enum):
    """Which way data may flow under an agreement, seen from the agency holding this copy."""

    SEND = "send"  # we send to the partner
    RECEIVE = "receive"  # the partner sends to us


class ShareableField(Enum):
    """A field of a shared record that an agreement may allow; anything else never leaves."""

    FAMILY_NAME = "family_name"
    GIVEN_NAMES = "given_names"
    BIRTH_DATE = "birth_date"
    GENDER = "gender"
    NATIONALITY = "nationality"
    DOCUMENT_NUMBER = "document_number"
    DOCUMENT_TYPE = "document_type"
    DOCUMENT_ISSUING_STATE = "document_issuing_state"
    FLIGHT = "flight"
    FLIGHT_DATE = "flight_date"
    ORIGIN = "origin"
    DESTINATION = "destination"
    ALERT_KIND = "alert_kind"
    SEVERITY = "severity"
    REASON = "reason"
    ENTITY_ID = "entity_id"
    LIST_ID = "list_id"
    SCORE = "score"
    DECISION = "decision"
    OFFICER_NOTES = "officer_notes"  # free text that may name third parties: only when explicitly agreed


@dataclass(frozen=True, slots=True)
class Permission:
    """Whether an agreement allows something, and the reason; true in a boolean context when allowed."""

    allowed: bool
    reason: str

    def __bool__(self) -> bool:
        return self.allowed


@dataclass(frozen=True, slots=True)
class Agreement:
    """A sharing agreement as held by `agency` with its partner agency `partner`.

    Times are timezone-aware. `valid_until` is exclusive (the first instant no longer covered);
    `None` means open-ended. Any `revoked_at` stops sharing at once, whatever its value.
    `partner_public_key` is the partner's raw 32-byte Ed25519 key (see `decode_public_key`).
    """

    id: AgreementId
    agency: AgencyCode
    partner: AgencyCode
    partner_url: str
    partner_public_key: bytes
    directions: frozenset[Direction]
    alert_categories: frozenset[AlertKind]
    list_ids: frozenset[ListId]
    fields: frozenset[ShareableField]
    purpose: str
    retention_days: int
    valid_from: datetime
    valid_until: datetime | None = None
    revoked_at: datetime | None = None

    def __post_init__(self) -> None:
        problems: list[tuple[str, str]] = []
        if not self.id.strip():
            problems.append(("id", "is empty"))
        if not self.agency.strip():
            problems.append(("agency", "is empty"))
        if not self.partner.strip():
            problems.append(("partner", "is empty"))
        elif self.partner == self.agency:
            problems.append(("partner", f"is the agency itself ({self.agency})"))
        if not self.partner_url.startswith(("https://", "http://")):
            problems.append(("partner_url", f"must be an http(s) address, got {self.partner_url!r}"))
        if not isinstance(self.partner_public_key, bytes) or len(self.partner_public_key) != PUBLIC_KEY_BYTES:
            problems.append(("partner_public_key", f"must be {PUBLIC_KEY_BYTES} raw bytes (Ed25519)"))
        if not self.directions:
            problems.append(("directions", "names no direction (send, receive)"))
        if not self.purpose.strip():
            problems.append(("purpose", "is empty: an agreement must state its purpose"))
        if self.retention_days < 1:
            problems.append(("retention_days", f"must be at least 1, got {self.retention_days}"))
        for name in ("valid_from", "valid_until", "revoked_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                problems.append((name, "has no time zone"))
        if (
            self.valid_until is not None
            and self.valid_until.utcoffset() is not None
            and self.valid_from.utcoffset() is not None
            and self.valid_until <= self.valid_from
        ):
            problems.append(("valid_until", "is not after valid_from"))
        if problems:
            field, _ = problems[0]
            detail = "; ".join(f"{name} {reason}" for name, reason in problems)
            raise InputError(
                f"agreement {self.id!r}: {detail}", source="agreement", field=field, reason=detail
            )

    @property
    def partner_public_key_b64(self) -> str:
        """Return the partner's public key as standard base64 text."""
        return base64.b64encode(self.partner_public_key).decode("ascii")

    @property
    def is_revoked(self) -> bool:
        """True once the agreement has been revoked."""
        return self.revoked_at is not None


def decode_public_key(value: bytes | str) -> bytes:
    """Return the raw 32-byte Ed25519 public key given as raw bytes or as base64 text.

    Raises InputError when the value is neither.
    """
    if isinstance(value, bytes) and len(value) == PUBLIC_KEY_BYTES:
        return value
    text = value.decode("ascii", errors="replace") if isinstance(value, bytes) else value
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError):
        raw = b""
    if len(raw) != PUBLIC_KEY_BYTES:
        raise InputError(
            "public key is neither 32 raw bytes nor base64 of 32 bytes (an Ed25519 public key)",
            field="partner_public_key",
        )
    return raw


def key_fingerprint(public_key: bytes) -> str:
    """Return the SHA-256 fingerprint of a raw public key, as 16 groups of 4 hex digits.

    Both agencies read it to each other over a second channel before trusting a key.
    """
    digest = hashlib.sha256(public_key).hexdigest().upper()
    return " ".join(digest[i : i + 4] for i in range(0, len(digest), 4))


def _require_aware(now: datetime) -> None:
    if now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")


def is_active(agreement: Agreement, now: datetime) -> Permission:
    """Return whether the agreement is in force at `now` (not revoked, within its validity), and why."""
    _require_aware(now)
    if agreement.revoked_at is not None:
        return Permission(
            False, f"agreement {agreement.id} was revoked at {agreement.revoked_at.isoformat()}"
        )
    if now < agreement.valid_from:
        return Permission(
            False, f"agreement {agreement.id} is not valid before {agreement.valid_from.isoformat()}"
        )
    if agreement.valid_until is not None and now >= agreement.valid_until:
        return Permission(False, f"agreement {agreement.id} expired at {agreement.valid_until.isoformat()}")
    return Permission(True, f"agreement {agreement.id} is in force")


def permits_direction(agreement: Agreement, direction: Direction, now: datetime) -> Permission:
    """Return whether data may flow in `direction` under the agreement at `now`, and why."""
    active = is_active(agreement, now)
    if not active:
        return active
    if direction not in agreement.directions:
        verb = "sending to" if direction is Direction.SEND else "receiving from"
        return Permission(False, f"agreement {agreement.id} does not allow {verb} {agreement.partner}")
    return active


def permits_alert(
    agreement: Agreement, category: AlertKind, now: datetime, *, direction: Direction = Direction.SEND
) -> Permission:
    """Return whether an alert of `category` may be shared under the agreement at `now`, and why."""
    flow = permits_direction(agreement, direction, now)
    if not flow:
        return flow
    if category not in agreement.alert_categories:
        return Permission(
            False, f"agreement {agreement.id} does not cover alerts of category {category.value!r}"
        )
    return Permission(True, f"agreement {agreement.id} covers alerts of category {category.value!r}")


def permits_list(
    agreement: Agreement, list_id: ListId | str, now: datetime, *, direction: Direction = Direction.SEND
) -> Permission:
    """Return whether entries of watch list `list_id` may be shared under the agreement at `now`, and why."""
    flow = permits_direction(agreement, direction, now)
    if not flow:
        return flow
    if list_id not in agreement.list_ids:
        return Permission(False, f"agreement {agreement.id} does not cover watch list {list_id!r}")
    return Permission(True, f"agreement {agreement.id} covers watch list {list_id!r}")


def minimise(
    agreement: Agreement,
    record: Mapping[str, object],
    now: datetime,
    *,
    direction: Direction = Direction.SEND,
) -> dict[str, object]:
    """Return a copy of `record` holding only the fields the agreement allows.

    Keys are compared exactly with `ShareableField` values; any other key (an unknown field, a
    misspelling, officer notes not agreed) is left out. Raises AccessDeniedError when the
    agreement is not in force or does not allow `direction`.
    """
    flow = permits_direction(agreement, direction, now)
    if not flow:
        raise AccessDeniedError(f"nothing may be shared: {flow.reason}")
    allowed = {f.value for f in agreement.fields}
    return {key: value for key, value in record.items() if isinstance(key, str) and key in allowed}


def retention_ends(agreement: Agreement, received_at: datetime) -> datetime:
    """Return the instant by which data received under the agreement at `received_at` must be deleted."""
    return received_at + timedelta(days=agreement.retention_days)


def revoke(agreement: Agreement, at: datetime) -> Agreement:
    """Return the agreement revoked at `at` (an already revoked agreement keeps its first revocation)."""
    _require_aware(at)
    if agreement.revoked_at is not None:
        return agreement
    return dataclasses.replace(agreement, revoked_at=at)


@dataclass(frozen=True, slots=True)
class AgreementChange:
    """One field of an agreement that changed, as text for the audit log."""

    field: str
    before: str
    after: str


def _describe(value: object) -> str:
    if isinstance(value, frozenset):
        return ", ".join(sorted(_describe(v) for v in value))
    if isinstance(value, Enum):
        return str(value.value)
    if isinstance(value, bytes):
        return key_fingerprint(value)
    if isinstance(value, datetime):
        return value.isoformat()
    return "" if value is None else str(value)


def agreement_changes(before: Agreement, after: Agreement) -> tuple[AgreementChange, ...]:
    """Return the fields that differ between two versions of an agreement, for the audit log.

    Keys are shown by fingerprint, sets as sorted lists, times in ISO 8601.
    """
    changes = []
    for item in dataclasses.fields(Agreement):
        old, new = getattr(before, item.name), getattr(after, item.name)
        if old != new:
            changes.append(AgreementChange(item.name, _describe(old), _describe(new)))
    return tuple(changes)


def withheld_fields(agreement: Agreement, record: Mapping[str, object]) -> tuple[str, ...]:
    """Return, sorted, the keys of `record` that `minimise` leaves out (for the audit of a share)."""
    allowed = {f.value for f in agreement.fields}
    return tuple(sorted(str(key) for key in record if not (isinstance(key, str) and key in allowed)))
