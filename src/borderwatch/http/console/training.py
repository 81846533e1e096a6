"""Training pages: instructors start exercises and read the outcome; trainees work through their queue.

Exercises live in the training tenant `<AGENCY>-TRAINING` (services/exercises.py): an instructor of
the live agency or of the training one acts there; a trainee is a user of the training tenant and
sees only the exercises naming them. A trainee's decision is recorded for that trainee alone and
never moves the alert through the live review workflow. The guards are the API's
(http/api/training.py), so the console and the API let the same roles through.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from borderwatch.domain.alerts import Decision
from borderwatch.domain.audit import Role
from borderwatch.domain.exercises import Difficulty
from borderwatch.errors import InputError
from borderwatch.http.api.training import InstructorDep, ParticipantDep, TraineeDep
from borderwatch.http.console.render import page
from borderwatch.http.deps import InstanceDep, RowId
from borderwatch.http.security import CONTENT_SECURITY_POLICY
from borderwatch.services import debrief, exercises
from borderwatch.services.screen import match_config
from borderwatch.services.train import MAX_PASSENGERS

router = APIRouter(tags=["console"], include_in_schema=False)

DONE = {"start": "Exercise started.", "decision": "Decision recorded."}
MAX_SEED = 2**31 - 1
TRAINEE_SEPARATORS = re.compile(r"[\s,;]+")
# The debrief is one self-contained file: its one <style> is allowed by hash, nothing else is loosened.
DEBRIEF_CSP = CONTENT_SECURITY_POLICY.replace("style-src 'self'", f"style-src {debrief.style_source()}")


@router.get("/training", summary="Exercises (a trainee sees their own)")
def exercise_list(request: Request, instance: InstanceDep, actor: ParticipantDep) -> Response:
    found = exercises.list_exercises(instance.db, actor)
    return page(
        request, "training.html", "Training", exercises=found, instructs=actor.role is Role.INSTRUCTOR
    )


def _start_form(request: Request, *, status: int = 200, error: str = "", **values: object) -> Response:
    defaults: dict[str, object] = {
        "route": "CMN-LHR",
        "passengers": 180,
        "difficulty": "medium",
        "seed": datetime.now(UTC).strftime("%Y%m%d"),
        "trainees": "",
        "title": "",
    }
    return page(
        request,
        "training_new.html",
        "Start an exercise",
        status=status,
        error=error,
        form={**defaults, **values},
        difficulties=[d.value for d in Difficulty],
        max_passengers=MAX_PASSENGERS,
        max_seed=MAX_SEED,
    )


@router.get("/training/new", summary="The form that starts an exercise")
def new_exercise(request: Request, actor: InstructorDep) -> Response:
    return _start_form(request)


def _number(text: str, field: str, low: int, high: int) -> int:
    """Return a form's whole number within [low, high], or raise InputError naming the field."""
    try:
        value = int(text.strip())
    except ValueError:
        raise InputError(f"{field}: {text.strip()[:20]!r} is not a whole number", field=field) from None
    if not low <= value <= high:
        raise InputError(f"{field}: {value} is not between {low} and {high}", field=field)
    return value


@router.post("/training/exercises", summary="Start an exercise from the console")
def start_exercise(
    request: Request,
    instance: InstanceDep,
    actor: InstructorDep,
    route: Annotated[str, Form(max_length=20)],
    passengers: Annotated[str, Form(max_length=10)],
    difficulty: Annotated[str, Form(max_length=20)],
    seed: Annotated[str, Form(max_length=20)],
    trainees: Annotated[str, Form(max_length=4000)],
    title: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    values = {
        "route": route,
        "passengers": passengers,
        "difficulty": difficulty,
        "seed": seed,
        "trainees": trainees,
        "title": title,
    }
    try:
        started = exercises.start_generated_exercise(
            instance.db,
            actor,
            route=route.strip().upper(),
            passengers=_number(passengers, "passengers", 20, MAX_PASSENGERS),
            difficulty=difficulty,
            seed=_number(seed, "seed", 0, MAX_SEED),
            trainees=[name for name in TRAINEE_SEPARATORS.split(trainees) if name],
            scenarios_dir=instance.settings.data_dir / "training" / "scenarios",
            config=match_config(instance.settings),
            now=datetime.now(UTC),
            title=title,
        )
    except InputError as exc:
        return _start_form(request, status=422, error=exc.message, **values)
    return RedirectResponse(f"/training/exercises/{started.exercise.exercise_id}?done=start", status_code=303)


@router.get("/training/exercises/{exercise_id}", summary="Instructor summary of an exercise")
def summary(exercise_id: RowId, request: Request, instance: InstanceDep, actor: InstructorDep) -> Response:
    results = exercises.exercise_results(instance.db, actor, exercise_id)
    return page(
        request,
        "training_exercise.html",
        "Exercise",
        results=results,
        to_find=sum(1 for c in results.answer_key.cases if c.should_flag),
        done=DONE.get(request.query_params.get("done", ""), ""),
    )


@router.get("/training/exercises/{exercise_id}/debrief", summary="The exercise's debrief report (HTML)")
def debrief_report(exercise_id: RowId, instance: InstanceDep, actor: InstructorDep) -> Response:
    html = debrief.debrief_html(instance.db, actor, exercise_id)
    return HTMLResponse(html, headers={"content-security-policy": DEBRIEF_CSP})


@router.get("/training/exercises/{exercise_id}/alerts", summary="A trainee's alert queue in an exercise")
def trainee_queue(exercise_id: RowId, request: Request, instance: InstanceDep, actor: TraineeDep) -> Response:
    found = exercises.trainee_queue(instance.db, actor, exercise_id)
    return page(
        request,
        "training_alerts.html",
        "My alert queue",
        queue=found,
        alerts=[item.alert for item in found.alerts],
        decisions={item.alert.alert_id: item.decision for item in found.alerts},
    )


@router.get("/training/exercises/{exercise_id}/alerts/{alert_id}", summary="Review one exercise alert")
def exercise_alert(
    exercise_id: RowId, alert_id: RowId, request: Request, instance: InstanceDep, actor: ParticipantDep
) -> Response:
    found = exercises.exercise_alert_review(instance.db, actor, exercise_id, alert_id)
    return page(
        request,
        "training_alert.html",
        "Exercise alert",
        found=found,
        review=found.review,
        decides=actor.role is Role.TRAINEE,
        done=DONE.get(request.query_params.get("done", ""), ""),
    )


@router.post(
    "/training/exercises/{exercise_id}/alerts/{alert_id}/decision",
    summary="Record the trainee's decision (the alert's own state is untouched)",
)
def decide(
    exercise_id: RowId,
    alert_id: RowId,
    instance: InstanceDep,
    actor: TraineeDep,
    decision: Annotated[Decision, Form()],
    note: Annotated[str, Form(max_length=exercises.MAX_NOTE_CHARS)] = "",
) -> Response:
    exercises.record_decision(
        instance.db, actor, exercise_id, alert_id, decision, note=note, now=datetime.now(UTC)
    )
    return RedirectResponse(
        f"/training/exercises/{exercise_id}/alerts/{alert_id}?done=decision", status_code=303
    )
