"""The dashboard: today's flights, alerts by state and a chart of alerts per day."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response

from borderwatch.http.console.render import chart, page
from borderwatch.http.deps import ActorDep, InstanceDep
from borderwatch.services import console

router = APIRouter(tags=["console"], include_in_schema=False)


@router.get("/", summary="The dashboard")
def dashboard(request: Request, instance: InstanceDep, actor: ActorDep) -> Response:
    board = console.dashboard(instance.db, actor, today=datetime.now(UTC).date())
    return page(request, "dashboard.html", "Dashboard", board=board, chart=chart(board.per_day))
