"""The partner exchange: what partners sent us (inbox) and what waits for or went to them (outbox)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from borderwatch.domain.audit import Actor
from borderwatch.http.console.render import page
from borderwatch.http.deps import InstanceDep, require
from borderwatch.services import console

router = APIRouter(tags=["console"], include_in_schema=False)

ExchangeDep = Annotated[Actor, Depends(require(*sorted(console.EXCHANGE_ROLES, key=lambda r: r.value)))]


@router.get("/exchange", summary="Partner exchange: inbox and outbox")
def exchange(request: Request, instance: InstanceDep, actor: ExchangeDep) -> Response:
    view = console.exchange_view(instance.db, actor)
    return page(request, "exchange.html", "Partner exchange", view=view)
