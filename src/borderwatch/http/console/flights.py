"""A flight's manifest: every traveller with the document check and the screening outcome."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from borderwatch.http.console.render import page
from borderwatch.http.deps import InstanceDep, ReviewerDep, RowId
from borderwatch.services import console

router = APIRouter(tags=["console"], include_in_schema=False)


@router.get("/flights/{flight_id}", summary="One flight's manifest")
def flight(flight_id: RowId, request: Request, instance: InstanceDep, actor: ReviewerDep) -> Response:
    view = console.flight_view(instance.db, actor, flight_id, today=datetime.now(UTC).date())
    return page(request, "flight.html", "Flight", view=view)
