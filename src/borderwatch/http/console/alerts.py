"""The alert queue and the review page: traveller and listed entity side by side, then a decision."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import RedirectResponse, Response

from borderwatch.domain.alerts import AlertState, Decision
from borderwatch.errors import InputError
from borderwatch.http.console.render import page
from borderwatch.http.deps import InstanceDep, ReviewerDep, RowId
from borderwatch.services import console, review

router = APIRouter(tags=["console"], include_in_schema=False)

PAGE_SIZE = 50
NOTE = Form(max_length=review.MAX_NOTE_CHARS)
DONE = {"assign": "Alert assigned.", "note": "Note added.", "decision": "Decision recorded."}


@router.get("/alerts", summary="The alert queue")
def queue(
    request: Request,
    instance: InstanceDep,
    actor: ReviewerDep,
    state: Annotated[list[AlertState], Query()] = [],  # noqa: B006 - FastAPI copies query defaults
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    found = console.alert_queue(
        instance.db, actor, states=state, limit=PAGE_SIZE, offset=(page_number - 1) * PAGE_SIZE
    )
    pages = max(1, -(-found.total // PAGE_SIZE))
    return page(
        request,
        "alerts.html",
        "Alert queue",
        queue=found,
        states=list(AlertState),
        chosen=set(state),
        page_number=page_number,
        pages=pages,
        filter_query=[("state", s.value) for s in state],
    )


def _review_page(
    request: Request,
    instance: InstanceDep,
    actor: ReviewerDep,
    alert_id: RowId,
    *,
    status: int = 200,
    **extra: object,
) -> Response:
    found = console.alert_review(instance.db, actor, alert_id)
    return page(
        request,
        "alert.html",
        "Alert review",
        status=status,
        review=found,
        decisions=list(Decision),
        done=DONE.get(request.query_params.get("done", ""), ""),
        **extra,
    )


@router.get("/alerts/{alert_id}", summary="Review one alert")
def alert(alert_id: RowId, request: Request, instance: InstanceDep, actor: ReviewerDep) -> Response:
    return _review_page(request, instance, actor, alert_id)


@router.post("/alerts/{alert_id}/assign", summary="Assign the alert")
def assign(
    alert_id: RowId,
    request: Request,
    instance: InstanceDep,
    actor: ReviewerDep,
    username: Annotated[str, Form(max_length=80)] = "",
) -> Response:
    review.assign_alert(instance.db, actor, alert_id, username.strip() or None)
    return RedirectResponse(f"/alerts/{alert_id}?done=assign", status_code=303)


@router.post("/alerts/{alert_id}/notes", summary="Add a note to the alert")
def add_note(
    alert_id: RowId,
    request: Request,
    instance: InstanceDep,
    actor: ReviewerDep,
    note: Annotated[str, NOTE],
) -> Response:
    try:
        review.add_note(instance.db, actor, alert_id, note)
    except InputError as exc:
        return _review_page(request, instance, actor, alert_id, status=422, note_error=exc.message, note=note)
    return RedirectResponse(f"/alerts/{alert_id}?done=note#history", status_code=303)


@router.post("/alerts/{alert_id}/decision", summary="Decide the alert")
def decide(
    alert_id: RowId,
    request: Request,
    instance: InstanceDep,
    actor: ReviewerDep,
    decision: Annotated[Decision, Form()],
    note: Annotated[str, NOTE] = "",
) -> Response:
    try:
        review.decide_alert(instance.db, actor, alert_id, decision, note)
    except InputError as exc:
        return _review_page(
            request, instance, actor, alert_id, status=422, decision_error=exc.message, note=note
        )
    return RedirectResponse(f"/alerts/{alert_id}?done=decision", status_code=303)
