"""Training API: instructors start exercises and read the summary; trainees review alerts and decide.

Trainees are users of the training tenant (`<AGENCY>-TRAINING`); an instructor may be a user of
the live agency or of its training tenant, and acts in the training tenant either way. Every
handler calls one service with the actor from the role-checked dependency.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from pydantic import BaseModel, Field

from borderwatch.domain.alerts import Decision
from borderwatch.domain.audit import Actor, Role
from borderwatch.http.api.alerts import AlertDetailOut, alert_detail_out
from borderwatch.http.deps import InstanceDep, RowId, require
from borderwatch.services import exercises
from borderwatch.services.screen import match_config
from borderwatch.services.train import MAX_PASSENGERS
from borderwatch.store.training import StoredExercise

router = APIRouter(prefix="/api/training", tags=["training"])

InstructorDep = Annotated[Actor, Depends(require(Role.INSTRUCTOR))]
TraineeDep = Annotated[Actor, Depends(require(Role.TRAINEE))]
ParticipantDep = Annotated[Actor, Depends(require(Role.INSTRUCTOR, Role.TRAINEE))]


class ExerciseIn(BaseModel):
    route: str = Field(
        examples=["CMN-LHR"], pattern="^[A-Z]{3}-[A-Z]{3}$", description="Departure and arrival airports."
    )
    passengers: int = Field(default=180, ge=20, le=MAX_PASSENGERS)
    difficulty: str = Field(
        default="medium", pattern="^(easy|medium|hard)$", description="easy, medium or hard"
    )
    seed: int = Field(ge=0, le=2**31 - 1, description="The same seed gives the same flight.")
    trainees: list[str] = Field(min_length=1, max_length=exercises.MAX_TRAINEES)
    title: str = Field(default="", max_length=200)


class ExerciseOut(BaseModel):
    id: int
    title: str
    scenario: str
    flight_id: int
    started_by: str
    started_at: datetime
    status: str
    trainees: list[str]


class ExerciseStartedOut(BaseModel):
    exercise: ExerciseOut
    agency: str
    alerts: int


class ExerciseList(BaseModel):
    exercises: list[ExerciseOut]


class TraineeAlertOut(BaseModel):
    id: int
    kind: str
    severity: str
    traveller: str
    flight: str
    entity: str
    score: float
    reason: str
    your_decision: str | None = Field(description="Your last decision on it (never another trainee's).")
    decided_at: datetime | None = None


class TraineeAlertList(BaseModel):
    alerts: list[TraineeAlertOut]


class DecisionIn(BaseModel):
    decision: Decision = Field(description="'confirm match', 'false positive' or 'escalate'")
    note: str = Field(default="", max_length=exercises.MAX_NOTE_CHARS)


class DecisionOut(BaseModel):
    exercise: int
    alert: int
    trainee: str
    decision: str
    decided_at: datetime


def _exercise(item: StoredExercise) -> ExerciseOut:
    return ExerciseOut(
        id=item.exercise_id,
        title=item.title,
        scenario=item.scenario_id,
        flight_id=item.flight_id,
        started_by=item.started_by,
        started_at=item.started_at,
        status=item.status,
        trainees=list(item.trainees),
    )


@router.post("/exercises", response_model=ExerciseStartedOut, status_code=201, summary="Start an exercise")
def start_exercise(body: ExerciseIn, instance: InstanceDep, actor: InstructorDep) -> ExerciseStartedOut:
    started = exercises.start_generated_exercise(
        instance.db,
        actor,
        route=body.route,
        passengers=body.passengers,
        difficulty=body.difficulty,
        seed=body.seed,
        trainees=body.trainees,
        scenarios_dir=instance.settings.data_dir / "training" / "scenarios",
        config=match_config(instance.settings),
        now=datetime.now(UTC),
        title=body.title,
    )
    return ExerciseStartedOut(
        exercise=_exercise(started.exercise), agency=started.agency, alerts=started.alerts
    )


@router.get("/exercises", response_model=ExerciseList, summary="Exercises (a trainee sees their own)")
def list_exercises(instance: InstanceDep, actor: ParticipantDep) -> ExerciseList:
    return ExerciseList(exercises=[_exercise(e) for e in exercises.list_exercises(instance.db, actor)])


@router.get("/exercises/{exercise_id}/summary", summary="Instructor summary: scores and planted cases")
def summary(exercise_id: RowId, instance: InstanceDep, actor: InstructorDep) -> dict[str, Any]:
    return exercises.exercise_results(instance.db, actor, exercise_id).as_dict()


@router.get(
    "/exercises/{exercise_id}/alerts", response_model=TraineeAlertList, summary="Your exercise alerts"
)
def trainee_alerts(exercise_id: RowId, instance: InstanceDep, actor: TraineeDep) -> TraineeAlertList:
    found = exercises.trainee_alerts(instance.db, actor, exercise_id)
    return TraineeAlertList(alerts=[TraineeAlertOut(**a.as_dict()) for a in found])


@router.get(
    "/exercises/{exercise_id}/alerts/{alert_id}", response_model=AlertDetailOut, summary="One exercise alert"
)
def trainee_alert(
    exercise_id: RowId, alert_id: RowId, instance: InstanceDep, actor: TraineeDep
) -> AlertDetailOut:
    detail = exercises.exercise_alert(instance.db, actor, exercise_id, alert_id)
    # The training copy's review history is nobody's business in an exercise.
    return alert_detail_out(detail, with_review=False)


@router.post(
    "/exercises/{exercise_id}/alerts/{alert_id}/decision",
    response_model=DecisionOut,
    summary="Record your decision on an exercise alert",
)
def decide(
    exercise_id: RowId, alert_id: RowId, body: DecisionIn, instance: InstanceDep, actor: TraineeDep
) -> DecisionOut:
    taken = exercises.record_decision(
        instance.db, actor, exercise_id, alert_id, body.decision, note=body.note, now=datetime.now(UTC)
    )
    return DecisionOut(
        exercise=exercise_id,
        alert=alert_id,
        trainee=taken.trainee,
        decision=taken.decision.value,
        decided_at=taken.decided_at,
    )
