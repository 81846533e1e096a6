"""training: exercises, their trainees, trainee decisions and answer keys

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29

An exercise lives in a training agency (agencies.kind = training): its flight, travellers and alerts
are ordinary rows of that agency, so the agency filter of every repository keeps them from live
users. Trainee decisions are kept apart from the alerts' own review history, so one trainee's
decision never changes what another trainee sees.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "exercises",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("agency_id", BIG_ID, nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("scenario_id", sa.String(length=160), nullable=False),
        sa.Column("flight_id", BIG_ID, nullable=False),
        sa.Column("started_by", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(["agency_id"], ["agencies.id"], name=op.f("fk_exercises_agency_id_agencies")),
        sa.ForeignKeyConstraint(["flight_id"], ["flights.id"], name=op.f("fk_exercises_flight_id_flights")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercises")),
    )
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.create_index("ix_exercises_agency", ["agency_id"], unique=False)
    op.create_table(
        "exercise_trainees",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("exercise_id", BIG_ID, nullable=False),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("added_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_exercise_trainees_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_exercise_trainees")),
        sa.UniqueConstraint("exercise_id", "username", name="uq_exercise_trainees_exercise_user"),
    )
    op.create_table(
        "trainee_decisions",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("exercise_id", BIG_ID, nullable=False),
        sa.Column("trainee", sa.String(length=80), nullable=False),
        sa.Column("alert_id", BIG_ID, nullable=False),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["alert_id"], ["alerts.id"], name=op.f("fk_trainee_decisions_alert_id_alerts"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_trainee_decisions_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trainee_decisions")),
    )
    with op.batch_alter_table("trainee_decisions", schema=None) as batch_op:
        batch_op.create_index(
            "ix_trainee_decisions_exercise_trainee", ["exercise_id", "trainee"], unique=False
        )
    op.create_table(
        "answer_keys",
        sa.Column("id", BIG_ID, nullable=False),
        sa.Column("exercise_id", BIG_ID, nullable=False),
        sa.Column("scenario_id", sa.String(length=160), nullable=False),
        sa.Column("content_hash", sa.String(length=64), nullable=False),
        sa.Column("key", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["exercise_id"],
            ["exercises.id"],
            name=op.f("fk_answer_keys_exercise_id_exercises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_answer_keys")),
        sa.UniqueConstraint("exercise_id", name=op.f("uq_answer_keys_exercise_id")),
    )


def downgrade() -> None:
    op.drop_table("answer_keys")
    with op.batch_alter_table("trainee_decisions", schema=None) as batch_op:
        batch_op.drop_index("ix_trainee_decisions_exercise_trainee")
    op.drop_table("trainee_decisions")
    op.drop_table("exercise_trainees")
    with op.batch_alter_table("exercises", schema=None) as batch_op:
        batch_op.drop_index("ix_exercises_agency")
    op.drop_table("exercises")
