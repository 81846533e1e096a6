"""Database tables (SQLAlchemy 2 declarative). The only place that knows the schema.

Every row of personal data carries `agency_id`: agencies are isolated in the queries of the
repositories, never by convention in callers. Every schema change is an Alembic migration in
`store/migrations/versions/`; a test checks the migrations produce exactly these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# SQLite only auto-increments INTEGER PRIMARY KEY; BigInteger elsewhere.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[Any]: JSON}


class AgencyRow(Base):
    __tablename__ = "agencies"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(20), default="live")
    country: Mapped[str] = mapped_column(String(3), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class UserRow(Base):
    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("agency_id", "username", name="uq_users_agency_username"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    username: Mapped[str] = mapped_column(String(80))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Bumped to revoke every token issued to the user (logout, password change, deactivation).
    token_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class LoginAttemptRow(Base):
    """One login attempt, kept a short while so the rate limit holds across worker processes."""

    __tablename__ = "login_attempts"
    __table_args__ = (
        Index("ix_login_attempts_user_at", "agency_code", "username", "at"),
        Index("ix_login_attempts_address_at", "address", "at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_code: Mapped[str] = mapped_column(String(40))  # as typed: the agency may not exist
    username: Mapped[str] = mapped_column(String(80))
    address: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    succeeded: Mapped[bool] = mapped_column(Boolean)


class AuditHeadRow(Base):
    """One row per agency holding the hash of its last audit event: locked to serialise the chain."""

    __tablename__ = "audit_heads"
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"), primary_key=True)
    last_seq: Mapped[int] = mapped_column(BigInteger, default=0)
    last_hash: Mapped[str] = mapped_column(String(64), default="")


class AuditEventRow(Base):
    """Append-only, hash-chained record of every read and write of personal data."""

    __tablename__ = "audit_events"
    __table_args__ = (UniqueConstraint("agency_id", "seq", name="uq_audit_events_agency_seq"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    seq: Mapped[int] = mapped_column(BigInteger)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40), default="")
    subject_id: Mapped[str] = mapped_column(String(120), default="")
    channel: Mapped[str] = mapped_column(String(120), default="")  # CLI command or HTTP endpoint
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class WatchListRow(Base):
    __tablename__ = "watch_lists"
    __table_args__ = (UniqueConstraint("agency_id", "list_id", name="uq_watch_lists_agency_list"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    list_id: Mapped[str] = mapped_column(String(80))  # UN, OFAC, FTM:<dataset>, NAT:<agency>, LSD:<agency>
    kind: Mapped[str] = mapped_column(String(20))  # un, ofac, ftm, national, lost-stolen
    title: Mapped[str] = mapped_column(String(200), default="")
    active_version_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class ListVersionRow(Base):
    __tablename__ = "list_versions"
    __table_args__ = (UniqueConstraint("watch_list_id", "version", name="uq_list_versions_list_version"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    watch_list_id: Mapped[int] = mapped_column(ForeignKey("watch_lists.id"))
    version: Mapped[int] = mapped_column(Integer)
    source_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    imported_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    content_hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer)
    file_name: Mapped[str] = mapped_column(String(300), default="")
    delta: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)


class ListEntryRow(Base):
    """A listed entity as of one list version (each version keeps its own full copy)."""

    __tablename__ = "list_entries"
    __table_args__ = (
        UniqueConstraint("list_version_id", "entity_id", name="uq_list_entries_version_entity"),
        Index("ix_list_entries_entity", "entity_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_version_id: Mapped[int] = mapped_column(ForeignKey("list_versions.id", ondelete="CASCADE"))
    entity_id: Mapped[str] = mapped_column(String(120))
    kind: Mapped[str] = mapped_column(String(20))
    primary_name: Mapped[str] = mapped_column(Text)
    content_hash: Mapped[str] = mapped_column(String(64))
    data: Mapped[dict[str, Any]] = mapped_column(JSON)


class MessageRow(Base):
    """An ingested message, its raw bytes kept, whatever became of it."""

    __tablename__ = "messages"
    __table_args__ = (Index("ix_messages_agency_sha", "agency_id", "sha256"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    kind: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    sha256: Mapped[str] = mapped_column(String(64))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20))  # accepted, partial, quarantined
    report: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class QuarantineRow(Base):
    """What could not be processed: the raw bytes and the reasons, until retried or dismissed."""

    __tablename__ = "quarantine"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), nullable=True)
    source: Mapped[str] = mapped_column(String(300))
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    raw: Mapped[bytes] = mapped_column(LargeBinary)
    reason: Mapped[str] = mapped_column(Text)
    problems: Mapped[list[Any]] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="open")  # open, retried, dismissed


class FlightRow(Base):
    __tablename__ = "flights"
    __table_args__ = (UniqueConstraint("agency_id", "key", name="uq_flights_agency_key"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    key: Mapped[str] = mapped_column(String(80))
    carrier: Mapped[str] = mapped_column(String(3))
    number: Mapped[str] = mapped_column(String(8))
    departure_port: Mapped[str] = mapped_column(String(5))
    arrival_port: Mapped[str] = mapped_column(String(5))
    departure_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=False), nullable=True)
    arrival_time: Mapped[datetime | None] = mapped_column(DateTime(timezone=False), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TravellerRow(Base):
    __tablename__ = "travellers"
    __table_args__ = (
        UniqueConstraint("flight_id", "identity_key", name="uq_travellers_flight_identity"),
        Index("ix_travellers_agency_created", "agency_id", "created_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), nullable=True)
    identity_key: Mapped[str] = mapped_column(String(64))  # hash of name, birth date, document
    role: Mapped[str] = mapped_column(String(20))
    family_name: Mapped[str] = mapped_column(String(200))
    given_names: Mapped[str] = mapped_column(String(200))
    birth_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    gender: Mapped[str] = mapped_column(String(1))
    nationality: Mapped[str] = mapped_column(String(3))
    residence_country: Mapped[str] = mapped_column(String(3), default="")
    birth_place: Mapped[str] = mapped_column(String(200), default="")
    embarkation: Mapped[str] = mapped_column(String(5), default="")
    debarkation: Mapped[str] = mapped_column(String(5), default="")
    seat: Mapped[str] = mapped_column(String(8), default="")
    record_locator: Mapped[str] = mapped_column(String(20), default="")
    passenger_ref: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    depersonalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class TravelDocumentRow(Base):
    __tablename__ = "travel_documents"
    __table_args__ = (Index("ix_travel_documents_number", "issuing_state", "number_normalised"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    traveller_id: Mapped[int] = mapped_column(ForeignKey("travellers.id", ondelete="CASCADE"))
    doc_type: Mapped[str] = mapped_column(String(2))
    code: Mapped[str] = mapped_column(String(4), default="")
    number: Mapped[str] = mapped_column(String(40))
    number_normalised: Mapped[str] = mapped_column(String(40))
    issuing_state: Mapped[str] = mapped_column(String(3), default="")
    nationality: Mapped[str] = mapped_column(String(3), default="")
    expiry_date: Mapped[date | None] = mapped_column(Date, nullable=True)
    issue_date: Mapped[date | None] = mapped_column(Date, nullable=True)


class BookingRow(Base):
    """A passenger name record as pushed by the airline (PNRGOV), kept whole for risk rules."""

    __tablename__ = "bookings"
    __table_args__ = (UniqueConstraint("flight_id", "record_locator", name="uq_bookings_flight_locator"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"))
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"), nullable=True)
    record_locator: Mapped[str] = mapped_column(String(20))
    travellers: Mapped[int] = mapped_column(Integer)
    data: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    depersonalised_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class ScreeningRow(Base):
    """One screening run of one traveller: which list versions, what came out."""

    __tablename__ = "screenings"
    __table_args__ = (Index("ix_screenings_traveller", "traveller_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    traveller_id: Mapped[int] = mapped_column(ForeignKey("travellers.id", ondelete="CASCADE"))
    screened_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    list_versions: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    hits: Mapped[list[Any]] = mapped_column(JSON, default=list)
    best_score: Mapped[float] = mapped_column(Float, default=0.0)
    outcome: Mapped[str] = mapped_column(String(20))  # clear, alert, not screened


class AlertRow(Base):
    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("traveller_id", "kind", "subject", name="uq_alerts_traveller_kind_subject"),
        Index("ix_alerts_agency_state", "agency_id", "state"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    # None only for an alert received from a partner: its traveller and flight stay with the partner,
    # what crossed is in `shared_data` (exchange, migration 0004).
    traveller_id: Mapped[int | None] = mapped_column(
        ForeignKey("travellers.id", ondelete="CASCADE"), nullable=True
    )
    flight_id: Mapped[int | None] = mapped_column(ForeignKey("flights.id"), nullable=True)
    kind: Mapped[str] = mapped_column(String(30))
    subject: Mapped[str] = mapped_column(String(160))  # entity id, rule id or document key
    list_version_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    entity_hash: Mapped[str] = mapped_column(String(64), default="")
    score: Mapped[float] = mapped_column(Float, default=0.0)
    severity: Mapped[str] = mapped_column(String(10))
    state: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    assigned_to: Mapped[str] = mapped_column(String(80), default="")
    origin: Mapped[str] = mapped_column(String(40), default="")  # partner agency for received alerts
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    # Received from a partner (migration 0004): the agreement, the partner's own alert id, the
    # minimised fields that crossed, and when they must be purged.
    agreement_id: Mapped[str | None] = mapped_column(String(128), nullable=True)
    origin_ref: Mapped[str] = mapped_column(String(64), default="", server_default="")
    shared_data: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    retention_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)


class AlertEventRow(Base):
    """Everything that happened to an alert: assignment, notes, decisions, with officer and time."""

    __tablename__ = "alert_events"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    actor: Mapped[str] = mapped_column(String(120))
    action: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str] = mapped_column(String(20), default="")
    to_state: Mapped[str] = mapped_column(String(20), default="")
    note: Mapped[str] = mapped_column(Text, default="")
    # The decision an officer took or proposed (a Decision value), so a second officer can approve it.
    decision: Mapped[str] = mapped_column(String(20), default="", server_default="")


class FalsePositiveRow(Base):
    """A decided false positive: this traveller identity is not this list entry, as the entry then read.

    Suppresses the same alert on later trips until the entry's content (its hash) changes.
    """

    __tablename__ = "false_positives"
    __table_args__ = (
        UniqueConstraint(
            "agency_id", "identity_key", "entity_id", "entity_hash", name="uq_false_positives_identity_entity"
        ),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    identity_key: Mapped[str] = mapped_column(
        String(64)
    )  # travellers.identity_key: name, birth date, document
    entity_id: Mapped[str] = mapped_column(String(160))
    entity_hash: Mapped[str] = mapped_column(String(64))
    alert_id: Mapped[int | None] = mapped_column(ForeignKey("alerts.id", ondelete="SET NULL"), nullable=True)
    decided_by: Mapped[str] = mapped_column(String(120))
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class LostStolenRow(Base):
    """A travel document reported lost or stolen, as listed in one version of a lost/stolen list."""

    __tablename__ = "lost_stolen_documents"
    __table_args__ = (
        Index("ix_lost_stolen_lookup", "issuing_state", "number_normalised"),
        Index("ix_lost_stolen_version", "list_version_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    list_version_id: Mapped[int] = mapped_column(ForeignKey("list_versions.id", ondelete="CASCADE"))
    issuing_state: Mapped[str] = mapped_column(String(3))
    number: Mapped[str] = mapped_column(String(40))
    number_normalised: Mapped[str] = mapped_column(String(40))
    doc_type: Mapped[str] = mapped_column(String(4), default="")
    reported_on: Mapped[date | None] = mapped_column(Date, nullable=True)
    record_id: Mapped[str] = mapped_column(String(80), default="")


# Partner exchange (issue 8): agreements, outbox, inbox, data received from partners ----------------


class AgreementRow(Base):
    """This agency's copy of a sharing agreement with a partner agency (changes are audited)."""

    __tablename__ = "exchange_agreements"
    __table_args__ = (
        UniqueConstraint("agency_id", "agreement_id", name="uq_exchange_agreements_agency_agreement"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agreement_id: Mapped[str] = mapped_column(String(128))
    partner: Mapped[str] = mapped_column(String(64))
    partner_url: Mapped[str] = mapped_column(String(500))
    partner_public_key: Mapped[str] = mapped_column(String(64))  # base64 of the raw 32-byte Ed25519 key
    directions: Mapped[list[Any]] = mapped_column(JSON, default=list)
    alert_categories: Mapped[list[Any]] = mapped_column(JSON, default=list)
    list_ids: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fields: Mapped[list[Any]] = mapped_column(JSON, default=list)
    purpose: Mapped[str] = mapped_column(Text)
    retention_days: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    valid_until: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class OutboxRow(Base):
    """A message waiting for (or done with) delivery to a partner; sealed afresh at each attempt.

    `stream` orders messages: within one (agency, agreement, stream) a message is sent only after
    the one before it (lower `sequence`) was delivered, so the story of one alert keeps its order.
    """

    __tablename__ = "exchange_outbox"
    __table_args__ = (
        UniqueConstraint("message_id", name="uq_exchange_outbox_message_id"),
        UniqueConstraint(
            "agency_id", "agreement_id", "stream", "sequence", name="uq_exchange_outbox_stream_sequence"
        ),
        Index("ix_exchange_outbox_due", "state", "next_attempt_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agreement_id: Mapped[str] = mapped_column(String(128))
    message_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(40))
    stream: Mapped[str] = mapped_column(String(160))
    sequence: Mapped[int] = mapped_column(Integer)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    state: Mapped[str] = mapped_column(String(20))  # pending, delivered, cancelled
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class InboxRow(Base):
    """A message id received from a partner, remembered until `expires_at` to refuse replays."""

    __tablename__ = "exchange_inbox"
    __table_args__ = (
        UniqueConstraint("agency_id", "message_id", name="uq_exchange_inbox_agency_message"),
        Index("ix_exchange_inbox_expires", "expires_at"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    message_id: Mapped[str] = mapped_column(String(128))
    agreement_id: Mapped[str] = mapped_column(String(128))
    sender: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(40))
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the envelope as received
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class ReceivedRow(Base):
    """Data a partner sent under an agreement, kept only until its retention ends (then purged)."""

    __tablename__ = "exchange_received"
    __table_args__ = (
        Index("ix_exchange_received_retention", "agency_id", "retention_until"),
        Index("ix_exchange_received_agreement", "agency_id", "agreement_id"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agreement_id: Mapped[str] = mapped_column(String(128))
    partner: Mapped[str] = mapped_column(String(64))
    message_id: Mapped[str] = mapped_column(String(128))
    kind: Mapped[str] = mapped_column(String(40))  # alert, list
    reference: Mapped[str] = mapped_column(String(160))  # the partner's alert id, or the list id
    alert_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)  # our queue's copy
    list_version_id: Mapped[int | None] = mapped_column(BigInteger, nullable=True)
    data: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)  # exactly the fields that crossed
    received_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    retention_until: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class PublicationRow(Base):
    """A version of one of our lists sent to a partner under an agreement (the base of the next delta)."""

    __tablename__ = "exchange_publications"
    __table_args__ = (Index("ix_exchange_publications_list", "agency_id", "agreement_id", "list_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    agreement_id: Mapped[str] = mapped_column(String(128))
    list_id: Mapped[str] = mapped_column(String(80))
    list_version_id: Mapped[int] = mapped_column(BigInteger)
    version: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


# Training (migration 0005) ------------------------------------------------------------------------


class ExerciseRow(Base):
    """A training exercise: a scenario's flight ingested and screened in a training agency."""

    __tablename__ = "exercises"
    __table_args__ = (Index("ix_exercises_agency", "agency_id"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))  # always a training agency
    title: Mapped[str] = mapped_column(String(200), default="")
    scenario_id: Mapped[str] = mapped_column(String(160))
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"))
    started_by: Mapped[str] = mapped_column(String(120))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    as_of: Mapped[datetime] = mapped_column(DateTime(timezone=True))  # the moment the flight is screened as
    status: Mapped[str] = mapped_column(String(20), default="open")


class ExerciseTraineeRow(Base):
    """A trainee named for an exercise."""

    __tablename__ = "exercise_trainees"
    __table_args__ = (UniqueConstraint("exercise_id", "username", name="uq_exercise_trainees_exercise_user"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(String(80))
    added_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class TraineeDecisionRow(Base):
    """A trainee's decision on an exercise alert; the alert itself is left as it is for the others."""

    __tablename__ = "trainee_decisions"
    __table_args__ = (Index("ix_trainee_decisions_exercise_trainee", "exercise_id", "trainee"),)
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"))
    trainee: Mapped[str] = mapped_column(String(80))
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id", ondelete="CASCADE"))
    decision: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    decided_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class AnswerKeyRow(Base):
    """The answer key of an exercise's scenario, as the scenario folder gave it."""

    __tablename__ = "answer_keys"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    exercise_id: Mapped[int] = mapped_column(ForeignKey("exercises.id", ondelete="CASCADE"), unique=True)
    scenario_id: Mapped[str] = mapped_column(String(160))
    content_hash: Mapped[str] = mapped_column(String(64))
    key: Mapped[dict[str, Any]] = mapped_column(JSON)


class SealedDataRow(Base):
    """Personal data masked by depersonalisation, kept encrypted for an approved re-personalisation."""

    __tablename__ = "sealed_personal_data"
    __table_args__ = (
        UniqueConstraint("agency_id", "subject_type", "subject_id", name="uq_sealed_personal_data_subject"),
    )
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    subject_type: Mapped[str] = mapped_column(String(20))  # traveller, booking
    subject_id: Mapped[int] = mapped_column(BigInteger)
    nonce: Mapped[bytes] = mapped_column(LargeBinary)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class RepersonalisationRow(Base):
    """A request to re-personalise a depersonalised traveller: an officer asks, a supervisor approves."""

    __tablename__ = "repersonalisation_requests"
    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agencies.id"))
    traveller_id: Mapped[int] = mapped_column(ForeignKey("travellers.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    requested_by: Mapped[str] = mapped_column(String(120))
    requested_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    state: Mapped[str] = mapped_column(String(20))  # pending, approved, refused
    decided_by: Mapped[str] = mapped_column(String(120), default="")
    decided_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
