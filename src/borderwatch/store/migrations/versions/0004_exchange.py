"""partner exchange: agreements, outbox, inbox, received data, list publications; received alerts in the queue

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30

Alerts received from a partner join the one alert queue: `alerts.traveller_id` and `flight_id`
become nullable (the traveller stays with the partner) and the minimised fields that crossed go to
`alerts.shared_data`, with the agreement and the retention end.

SQLite cannot drop NOT NULL in place; Alembic's batch mode copies the table and drops the old
one. With foreign keys enforced, that DROP would cascade to `alert_events` (ON DELETE CASCADE), so
enforcement is switched off around the copy. SQLite ignores that switch inside a transaction; it is
only open here when earlier revisions ran in the same call (a new, empty database), and the
upgrade refuses to copy a non-empty table in that case rather than lose history.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _alter_alerts(nullable: bool) -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.alter_column("traveller_id", existing_type=BIG_ID, nullable=nullable)
        batch_op.alter_column("flight_id", existing_type=BIG_ID, nullable=nullable)


def _sqlite_safely(change: bool) -> None:
    """Run `_alter_alerts` on SQLite without foreign-key actions firing on the table copy."""
    bind = op.get_bind()
    bind.exec_driver_sql("PRAGMA foreign_keys=OFF")
    enforced = bind.exec_driver_sql("PRAGMA foreign_keys").scalar()
    rows = bind.exec_driver_sql("SELECT COUNT(*) FROM alerts").scalar()
    if enforced and rows:
        raise RuntimeError(
            "migration 0004 must rebuild the alerts table but cannot turn off SQLite foreign keys "
            "inside this transaction; run `borderwatch init` (it migrates one revision at a time)"
        )
    try:
        _alter_alerts(change)
    finally:
        # The copy's INSERT opened a transaction, in which SQLite would ignore the PRAGMA and leave
        # the pooled connection without foreign keys: commit first (SQLite DDL is not transactional
        # in Alembic anyway), then switch enforcement back on.
        raw = bind.connection.dbapi_connection
        if raw is not None and getattr(raw, "in_transaction", False):
            raw.commit()
        bind.exec_driver_sql("PRAGMA foreign_keys=ON")


def upgrade() -> None:
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.add_column(sa.Column("agreement_id", sa.String(length=128), nullable=True))
        batch_op.add_column(sa.Column("origin_ref", sa.String(length=64), server_default="", nullable=False))
        batch_op.add_column(sa.Column("shared_data", sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column("retention_until", sa.DateTime(timezone=True), nullable=True))
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_safely(True)
    else:
        _alter_alerts(True)

    op.create_table(
        "exchange_agreements",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("agreement_id", sa.String(length=128), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("partner_url", sa.String(length=500), nullable=False),
        sa.Column("partner_public_key", sa.String(length=64), nullable=False),
        sa.Column("directions", sa.JSON(), nullable=False),
        sa.Column("alert_categories", sa.JSON(), nullable=False),
        sa.Column("list_ids", sa.JSON(), nullable=False),
        sa.Column("fields", sa.JSON(), nullable=False),
        sa.Column("purpose", sa.Text(), nullable=False),
        sa.Column("retention_days", sa.Integer(), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=False),
        sa.Column("valid_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_exchange_agreements_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_agreements")),
        sa.UniqueConstraint("agency_id", "agreement_id", name="uq_exchange_agreements_agency_agreement"),
    )
    op.create_table(
        "exchange_outbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("agreement_id", sa.String(length=128), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("stream", sa.String(length=160), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_error", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_exchange_outbox_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_outbox")),
        sa.UniqueConstraint("message_id", name="uq_exchange_outbox_message_id"),
        sa.UniqueConstraint(
            "agency_id", "agreement_id", "stream", "sequence", name="uq_exchange_outbox_stream_sequence"
        ),
    )
    with op.batch_alter_table("exchange_outbox", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_outbox_due", ["state", "next_attempt_at"], unique=False)

    op.create_table(
        "exchange_inbox",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("agreement_id", sa.String(length=128), nullable=False),
        sa.Column("sender", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_exchange_inbox_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_inbox")),
        sa.UniqueConstraint("agency_id", "message_id", name="uq_exchange_inbox_agency_message"),
    )
    with op.batch_alter_table("exchange_inbox", schema=None) as batch_op:
        batch_op.create_index("ix_exchange_inbox_expires", ["expires_at"], unique=False)

    op.create_table(
        "exchange_received",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("agreement_id", sa.String(length=128), nullable=False),
        sa.Column("partner", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("reference", sa.String(length=160), nullable=False),
        sa.Column("alert_id", sa.BigInteger(), nullable=True),
        sa.Column("list_version_id", sa.BigInteger(), nullable=True),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("retention_until", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_exchange_received_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_received")),
    )
    with op.batch_alter_table("exchange_received", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_received_retention", ["agency_id", "retention_until"], unique=False
        )
        batch_op.create_index("ix_exchange_received_agreement", ["agency_id", "agreement_id"], unique=False)

    op.create_table(
        "exchange_publications",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("agreement_id", sa.String(length=128), nullable=False),
        sa.Column("list_id", sa.String(length=80), nullable=False),
        sa.Column("list_version_id", sa.BigInteger(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_exchange_publications_agency_id_agencies")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exchange_publications")),
    )
    with op.batch_alter_table("exchange_publications", schema=None) as batch_op:
        batch_op.create_index(
            "ix_exchange_publications_list", ["agency_id", "agreement_id", "list_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("exchange_publications")
    op.drop_table("exchange_received")
    op.drop_table("exchange_inbox")
    op.drop_table("exchange_outbox")
    op.drop_table("exchange_agreements")
    # Alerts received from partners have no traveller: they cannot survive a downgrade.
    op.execute("DELETE FROM alerts WHERE traveller_id IS NULL OR flight_id IS NULL")
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_safely(False)
    else:
        _alter_alerts(False)
    with op.batch_alter_table("alerts", schema=None) as batch_op:
        batch_op.drop_column("retention_until")
        batch_op.drop_column("shared_data")
        batch_op.drop_column("origin_ref")
        batch_op.drop_column("agreement_id")
