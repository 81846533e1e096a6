"""Airline messages in (PAXLST, PNRGOV, CSV manifests) and the quarantine of what could not be read."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel

from borderwatch.errors import InputError
from borderwatch.http.deps import InstanceDep, ReviewerDep, SubmitterDep
from borderwatch.services import quarantine as quarantine_service
from borderwatch.services.ingest import MAX_MESSAGE_BYTES, Received, ingest

router = APIRouter(tags=["messages"])

RAW_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/edifact": {"schema": {"type": "string", "format": "binary"}},
            "text/csv": {"schema": {"type": "string", "format": "binary"}},
            "application/octet-stream": {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


async def read_body(request: Request, limit: int) -> bytes:
    """Return the request body, refusing more than `limit` bytes without reading them all."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise InputError(f"the body has {declared} bytes; at most {limit} are accepted", field="body")
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise InputError(f"the body is larger than {limit} bytes", field="body")
        chunks.append(chunk)
    return b"".join(chunks)


@router.post(
    "/api/messages",
    status_code=202,
    openapi_extra=RAW_BODY,
    summary="Submit a PAXLST, PNRGOV or CSV manifest (the raw message as the body)",
)
async def submit_message(
    request: Request,
    instance: InstanceDep,
    actor: SubmitterDep,
    source: str = Query(default="api", max_length=200, description="Name of the message, e.g. the file name"),
) -> dict[str, Any]:
    body = await read_body(request, MAX_MESSAGE_BYTES)
    if not body:
        raise InputError("the body is empty: send the message bytes", field="body")
    report = ingest(instance.db, actor, [Received(source, body)], today=datetime.now(UTC).date())
    return report.as_dict()


class QuarantineItemOut(BaseModel):
    id: int
    source: str
    received_at: datetime
    reason: str
    problems: list[dict[str, Any]]
    status: str
    bytes: int


class QuarantineList(BaseModel):
    quarantine: list[QuarantineItemOut]


@router.get("/api/quarantine", response_model=QuarantineList, summary="What could not be ingested")
def list_quarantine(
    instance: InstanceDep, actor: ReviewerDep, include_closed: bool = Query(default=False)
) -> QuarantineList:
    items = quarantine_service.list_items(instance.db, actor, include_closed=include_closed)
    return QuarantineList(
        quarantine=[
            QuarantineItemOut(
                id=i.item_id,
                source=i.source,
                received_at=i.received_at,
                reason=i.reason,
                problems=i.problems,
                status=i.status,
                bytes=len(i.raw),
            )
            for i in items
        ]
    )
