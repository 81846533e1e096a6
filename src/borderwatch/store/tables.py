"""Database tables (SQLAlchemy 2 declarative). The only place that knows the schema.

Every row of personal data carries `agency_id`: agencies are isolated in the queries of the
repositories, never by convention in callers. Every schema change is an Alembic migration in
`store/migrations/versions/`; a test checks the migrations produce exactly these tables.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

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
    type_annotation_map = {dict[str, Any]: JSON, list[Any]: JSON}


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
    traveller_id: Mapped[int] = mapped_column(ForeignKey("travellers.id", ondelete="CASCADE"))
    flight_id: Mapped[int] = mapped_column(ForeignKey("flights.id"))
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
