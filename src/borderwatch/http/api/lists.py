"""Watch lists over HTTP: see the active versions; supervisors and admins import new versions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Path, Query, Request
from pydantic import BaseModel

from borderwatch.errors import InputError
from borderwatch.http.api.messages import RAW_BODY, read_body
from borderwatch.http.deps import InstanceDep, ListManagerDep, ReviewerDep
from borderwatch.services import lists as list_service
from borderwatch.services.screen import match_config

router = APIRouter(tags=["lists"])


class ListOut(BaseModel):
    id: str
    kind: str
    title: str
    version: int | None
    source_date: datetime | None
    imported_at: datetime | None
    entries: int
    content_hash: str | None


class ListsOut(BaseModel):
    lists: list[ListOut]


@router.get("/api/lists", response_model=ListsOut, summary="Each list with its active version")
def show_lists(instance: InstanceDep, actor: ReviewerDep) -> ListsOut:
    stored = list_service.show_lists(instance.db, actor)
    return ListsOut(
        lists=[
            ListOut(
                id=s.list_id,
                kind=s.kind,
                title=s.title,
                version=s.version.version if s.version else None,
                source_date=s.version.source_date if s.version else None,
                imported_at=s.version.imported_at if s.version else None,
                entries=s.version.entries if s.version else 0,
                content_hash=s.version.content_hash if s.version else None,
            )
            for s in stored
        ]
    )


@router.post(
    "/api/lists/{kind}",
    openapi_extra=RAW_BODY,
    summary="Import a list file as a new version (the file as the body; OFAC: sdn.csv only)",
)
async def import_list(
    request: Request,
    instance: InstanceDep,
    actor: ListManagerDep,
    kind: str = Path(pattern="^(un|ofac|ftm|national|lost-stolen)$"),
    filename: str = Query(default="list", max_length=200, pattern=r"^[\w.\-]+$"),
) -> dict[str, Any]:
    data = await read_body(request, list_service.MAX_LIST_BYTES)
    if not data:
        raise InputError("the body is empty: send the list file", field="body")
    settings = instance.settings
    report = list_service.import_list_file(
        instance.db,
        actor,
        list_service.ListFile(kind, filename, data),
        now=datetime.now(UTC),
        rescreen_days=settings.rescreen_days,
        config=match_config(settings),
    )
    return report.as_dict()
