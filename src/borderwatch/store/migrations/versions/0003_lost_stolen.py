"""lost and stolen travel documents

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "lost_stolen_documents",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("list_version_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("issuing_state", sa.String(length=3), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("number_normalised", sa.String(length=40), nullable=False),
        sa.Column("doc_type", sa.String(length=4), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=True),
        sa.Column("record_id", sa.String(length=80), nullable=False),
        sa.ForeignKeyConstraint(
            ["list_version_id"],
            ["list_versions.id"],
            name=op.f("fk_lost_stolen_documents_list_version_id_list_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lost_stolen_documents")),
    )
    with op.batch_alter_table("lost_stolen_documents", schema=None) as batch_op:
        batch_op.create_index("ix_lost_stolen_lookup", ["issuing_state", "number_normalised"], unique=False)
        batch_op.create_index("ix_lost_stolen_version", ["list_version_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("lost_stolen_documents", schema=None) as batch_op:
        batch_op.drop_index("ix_lost_stolen_version")
        batch_op.drop_index("ix_lost_stolen_lookup")
    op.drop_table("lost_stolen_documents")
