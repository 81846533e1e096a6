"""The watch-list browser: the agency's lists with their active versions, and a search by name."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response

from borderwatch.domain.audit import Actor
from borderwatch.http.console.render import page
from borderwatch.http.deps import InstanceDep, require
from borderwatch.services import console
from borderwatch.services import lists as list_service
from borderwatch.services.screen import match_config

router = APIRouter(tags=["console"], include_in_schema=False)

ListReaderDep = Annotated[Actor, Depends(require(*sorted(console.LIST_READERS, key=lambda r: r.value)))]


@router.get("/lists", summary="The watch lists and a search by name")
def lists(
    request: Request,
    instance: InstanceDep,
    actor: ListReaderDep,
    q: Annotated[str, Query(max_length=console.MAX_QUERY_CHARS)] = "",
) -> Response:
    stored = list_service.show_lists(instance.db, actor)
    hits = (
        console.search_lists(instance.db, actor, q, config=match_config(instance.settings))
        if q.strip()
        else []
    )
    return page(request, "lists.html", "Watch lists", lists=stored, q=q, hits=hits)
