"""Training exercises, their trainees, trainee decisions and answer keys.

Every query is filtered by the actor's agency: an exercise belongs to a training agency, so a live
agency's actor never finds one (NotFoundError), and a training actor never reaches live rows. Reads
and writes that carry (simulated) personal data are audited in the same transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from borderwatch.domain.alerts import Decision
from borderwatch.domain.audit import Actor
from borderwatch.domain.exercises import AnswerKey, ExerciseId, TraineeDecision
from borderwatch.errors import NotFoundError
from borderwatch.store import audit
from borderwatch.store.tables import (
    AlertRow,
    AnswerKeyRow,
    ExerciseRow,
    ExerciseTraineeRow,
    TraineeDecisionRow,
)


@dataclass(frozen=True, slots=True)
class StoredExercise:
    """An exercise as stored."""

    exercise_id: ExerciseId
    agency_id: int
    title: str
    scenario_id: str
    flight_id: int
    started_by: str
    started_at: datetime
    as_of: datetime
    status: str
    trainees: tuple[str, ...]

    def as_dict(self) -> dict[str, object]:
        """Return the exercise as JSON-ready data."""
        return {
            "id": self.exercise_id,
            "title": self.title,
            "scenario": self.scenario_id,
            "flight_id": self.flight_id,
            "started_by": self.started_by,
            "started_at": self.started_at.isoformat(),
            "as_of": self.as_of.isoformat(),
            "status": self.status,
            "trainees": list(self.trainees),
        }


def _utc(moment: datetime) -> datetime:
    # SQLite hands datetimes back without a zone; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def create_exercise(
    session: Session,
    actor: Actor,
    *,
    title: str,
    scenario_id: str,
    flight_id: int,
    trainees: Sequence[str],
    answer_key: dict[str, Any],
    content_hash: str,
    as_of: datetime,
    at: datetime,
) -> ExerciseId:
    """Store a new exercise of the actor's (training) agency with its trainees and answer key."""
    row = ExerciseRow(
        agency_id=actor.agency_id,
        title=title,
        scenario_id=scenario_id,
        flight_id=flight_id,
        started_by=actor.label,
        started_at=at,
        as_of=as_of,
        status="open",
    )
    session.add(row)
    session.flush()
    for name in dict.fromkeys(trainees):
        session.add(ExerciseTraineeRow(exercise_id=row.id, username=name, added_at=at))
    session.add(
        AnswerKeyRow(exercise_id=row.id, scenario_id=scenario_id, content_hash=content_hash, key=answer_key)
    )
    audit.record(
        session,
        actor,
        "exercise.start",
        subject_type="exercise",
        subject_id=row.id,
        detail={"scenario": scenario_id, "flight_id": flight_id, "trainees": list(dict.fromkeys(trainees))},
        at=at,
    )
    return ExerciseId(row.id)


def _row(session: Session, actor: Actor, exercise_id: int) -> ExerciseRow:
    row = session.execute(
        select(ExerciseRow).where(ExerciseRow.id == exercise_id, ExerciseRow.agency_id == actor.agency_id)
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"exercise {exercise_id} does not exist in agency {actor.agency_code}")
    return row


def _to_exercise(session: Session, row: ExerciseRow) -> StoredExercise:
    trainees = session.execute(
        select(ExerciseTraineeRow.username)
        .where(ExerciseTraineeRow.exercise_id == row.id)
        .order_by(ExerciseTraineeRow.id)
    ).scalars()
    return StoredExercise(
        ExerciseId(row.id),
        row.agency_id,
        row.title,
        row.scenario_id,
        row.flight_id,
        row.started_by,
        _utc(row.started_at),
        _utc(row.as_of),
        row.status,
        tuple(trainees),
    )


def get_exercise(session: Session, actor: Actor, exercise_id: int) -> StoredExercise:
    """Return one of the agency's exercises, or raise NotFoundError."""
    return _to_exercise(session, _row(session, actor, exercise_id))


def list_exercises(session: Session, actor: Actor) -> list[StoredExercise]:
    """Return the agency's exercises, newest first."""
    rows = session.execute(
        select(ExerciseRow).where(ExerciseRow.agency_id == actor.agency_id).order_by(ExerciseRow.id.desc())
    ).scalars()
    return [_to_exercise(session, row) for row in rows]


def answer_key(session: Session, actor: Actor, exercise_id: int, *, purpose: str) -> AnswerKey:
    """Return the exercise's answer key (audited: it names the planted travellers)."""
    _row(session, actor, exercise_id)
    row = session.execute(select(AnswerKeyRow).where(AnswerKeyRow.exercise_id == exercise_id)).scalar_one()
    audit.record(
        session,
        actor,
        "exercise.answer_key.read",
        subject_type="exercise",
        subject_id=exercise_id,
        detail={"purpose": purpose},
    )
    return AnswerKey.from_dict(row.key)


def add_decision(
    session: Session,
    actor: Actor,
    exercise_id: int,
    *,
    trainee: str,
    alert_id: int,
    decision: Decision,
    note: str,
    at: datetime,
) -> int:
    """Record a trainee's decision on an exercise alert (the alert itself is not changed); return its id."""
    _row(session, actor, exercise_id)
    row = TraineeDecisionRow(
        exercise_id=exercise_id,
        trainee=trainee,
        alert_id=alert_id,
        decision=decision.value,
        note=note,
        decided_at=at,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "exercise.decision",
        subject_type="alert",
        subject_id=alert_id,
        detail={"exercise": exercise_id, "trainee": trainee, "decision": decision.value},
        at=at,
    )
    return row.id


def decisions(
    session: Session, actor: Actor, exercise_id: int, *, trainee: str | None = None
) -> list[TraineeDecision]:
    """Return the exercise's trainee decisions (one trainee's when named), in the order taken."""
    _row(session, actor, exercise_id)
    query = select(TraineeDecisionRow).where(TraineeDecisionRow.exercise_id == exercise_id)
    if trainee is not None:
        query = query.where(TraineeDecisionRow.trainee == trainee)
    rows = session.execute(query.order_by(TraineeDecisionRow.decided_at, TraineeDecisionRow.id)).scalars()
    return [
        TraineeDecision(r.trainee, r.alert_id, Decision(r.decision), _utc(r.decided_at), r.note) for r in rows
    ]


@dataclass(frozen=True, slots=True)
class ExerciseAlert:
    """An alert on an exercise's flight, with the traveller it concerns (for linking to the key)."""

    alert_id: int
    traveller_id: int | None
    kind: str
    subject: str
    created_at: datetime


def exercise_alerts(session: Session, actor: Actor, exercise_id: int) -> list[ExerciseAlert]:
    """Return the alerts raised on the exercise's flight, oldest first."""
    row = _row(session, actor, exercise_id)
    rows = session.execute(
        select(AlertRow.id, AlertRow.traveller_id, AlertRow.kind, AlertRow.subject, AlertRow.created_at)
        .where(AlertRow.agency_id == actor.agency_id, AlertRow.flight_id == row.flight_id)
        .order_by(AlertRow.id)
    ).all()
    return [ExerciseAlert(a, t, k, s, _utc(c)) for a, t, k, s, c in rows]
