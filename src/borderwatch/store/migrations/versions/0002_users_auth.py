"""users and authentication: token versions, login attempts, false-positive memory, decisions on alert events

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("token_version", sa.Integer(), server_default="0", nullable=False))

    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.add_column(sa.Column("decision", sa.String(length=20), server_default="", nullable=False))

    op.create_table(
        "login_attempts",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("succeeded", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_login_attempts")),
    )
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.create_index("ix_login_attempts_user_at", ["agency_code", "username", "at"], unique=False)
        batch_op.create_index("ix_login_attempts_address_at", ["address", "at"], unique=False)

    op.create_table(
        "false_positives",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("identity_key", sa.String(length=64), nullable=False),
        sa.Column("entity_id", sa.String(length=160), nullable=False),
        sa.Column("entity_hash", sa.String(length=64), nullable=False),
        sa.Column("alert_id", BIG_ID, nullable=True),
        sa.Column("decided_by", sa.String(length=120), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["agency_id"], ["agencies.id"], name=op.f("fk_false_positives_agency_id_agencies")
        ),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_false_positives_alert_id_alerts"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_false_positives")),
        sa.UniqueConstraint(
            "agency_id", "identity_key", "entity_id", "entity_hash", name="uq_false_positives_identity_entity"
        ),
    )


def downgrade() -> None:
    op.drop_table("false_positives")
    with op.batch_alter_table("login_attempts", schema=None) as batch_op:
        batch_op.drop_index("ix_login_attempts_address_at")
        batch_op.drop_index("ix_login_attempts_user_at")
    op.drop_table("login_attempts")
    with op.batch_alter_table("alert_events", schema=None) as batch_op:
        batch_op.drop_column("decision")
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("token_version")
