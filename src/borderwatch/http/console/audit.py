"""The audit viewer for auditors and supervisors: the agency's trail and the check of its hash chain."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from borderwatch.http.console.render import page
from borderwatch.http.deps import AuditReaderDep, InstanceDep
from borderwatch.services import audit as audit_service

router = APIRouter(tags=["console"], include_in_schema=False)

PAGE_SIZE = 100


@router.get("/audit", summary="The audit trail")
def trail(
    request: Request,
    instance: InstanceDep,
    actor: AuditReaderDep,
    action: Annotated[str, Query(max_length=60)] = "",
    page_number: Annotated[int, Query(alias="page", ge=1, le=1_000_000)] = 1,
) -> Response:
    events = audit_service.list_events(
        instance.db,
        actor,
        limit=PAGE_SIZE,
        offset=(page_number - 1) * PAGE_SIZE,
        action=action.strip() or None,
    )
    return page(
        request,
        "audit.html",
        "Audit trail",
        events=events,
        action=action,
        page_number=page_number,
        more=len(events) == PAGE_SIZE,
    )


@router.get("/audit/verify", summary="Verify the agency's hash chain")
def verify(request: Request, instance: InstanceDep, actor: AuditReaderDep) -> Response:
    chain = audit_service.verify_agency(instance.db, actor)
    return page(request, "audit_verify.html", "Audit chain", chain=chain)
