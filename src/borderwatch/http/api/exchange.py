"""Partner exchange API: the inbox partners post signed envelopes to, and agreements for admins.

The inbox is not behind a user login: a partner instance proves who it is by the Ed25519
signature of each envelope, checked against the key in our copy of the agreement.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field

from borderwatch.domain.agreements import Agreement
from borderwatch.errors import EnvelopeRejectedError, EnvelopeRejection
from borderwatch.formats.agreements import dump_agreement, load_agreement
from borderwatch.http.deps import AdminDep, InstanceDep
from borderwatch.http.errors import error_body
from borderwatch.services import share
from borderwatch.sharing.envelope import MAX_ENVELOPE_BYTES

router = APIRouter(prefix="/api/exchange", tags=["exchange"])


class AgreementOut(BaseModel):
    id: str
    partner: str
    partner_url: str
    directions: list[str]
    alert_categories: list[str]
    list_ids: list[str]
    fields: list[str]
    purpose: str
    retention_days: int
    valid_from: datetime
    valid_until: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, agreement: Agreement) -> AgreementOut:
        return cls(
            id=agreement.id,
            partner=agreement.partner,
            partner_url=agreement.partner_url,
            directions=sorted(d.value for d in agreement.directions),
            alert_categories=sorted(c.value for c in agreement.alert_categories),
            list_ids=sorted(agreement.list_ids),
            fields=sorted(f.value for f in agreement.fields),
            purpose=agreement.purpose,
            retention_days=agreement.retention_days,
            valid_from=agreement.valid_from,
            valid_until=agreement.valid_until,
            revoked_at=agreement.revoked_at,
        )


class AgreementList(BaseModel):
    agreements: list[AgreementOut]


class AgreementIn(BaseModel):
    yaml: str = Field(min_length=1, max_length=256 * 1024, description="The agreement as a YAML document")


class AgreementSaved(BaseModel):
    agreement: AgreementOut
    created: bool
    changes: list[dict[str, str]]


class RevokeOut(BaseModel):
    agreement: AgreementOut
    outbox_cancelled: int


async def _body(request: Request) -> bytes:
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > MAX_ENVELOPE_BYTES:
            break  # enough to be refused as too large; the rest is not read
    return bytes(data)


@router.post(
    "/inbox",
    summary="Receive a signed envelope from a partner agency",
    responses={202: {"description": "accepted"}, 200: {"description": "already received"}, 400: {}},
)
async def inbox(request: Request, instance: InstanceDep) -> JSONResponse:
    data = await _body(request)
    try:
        result = await run_in_threadpool(share.receive_envelope, instance, data)
    except EnvelopeRejectedError as exc:
        info: dict[str, Any] = exc.as_dict()
        body = error_body(str(info.pop("error")), str(info.pop("message")), **info)
        status = 413 if exc.rejection is EnvelopeRejection.TOO_LARGE else 400
        return JSONResponse(body, status_code=status)
    return JSONResponse(result.as_dict(), status_code=202 if result.status == "accepted" else 200)


@router.get("/agreements", response_model=AgreementList, summary="The agency's agreements")
def list_agreements(instance: InstanceDep, actor: AdminDep) -> AgreementList:
    found = share.list_agreements(instance.db, actor)
    return AgreementList(agreements=[AgreementOut.of(a) for a in found])


@router.post("/agreements", response_model=AgreementSaved, summary="Add or change an agreement (YAML)")
def add_agreement(body: AgreementIn, instance: InstanceDep, actor: AdminDep) -> AgreementSaved:
    agreement = load_agreement(body.yaml, source="request")
    created, changes = share.add_agreement(instance.db, actor, agreement, now=datetime.now(UTC))
    return AgreementSaved(
        agreement=AgreementOut.of(agreement),
        created=created,
        changes=[{"field": c.field, "before": c.before, "after": c.after} for c in changes],
    )


@router.get("/agreements/{agreement_id}/yaml", summary="One agreement as YAML")
def agreement_yaml(agreement_id: str, instance: InstanceDep, actor: AdminDep) -> JSONResponse:
    found: dict[str, Agreement] = {a.id: a for a in share.list_agreements(instance.db, actor)}
    if agreement_id not in found:
        return JSONResponse(
            error_body("NotFoundError", f"agreement {agreement_id!r} not found"), status_code=404
        )
    return JSONResponse({"yaml": dump_agreement(found[agreement_id])})


@router.post(
    "/agreements/{agreement_id}/revoke", response_model=RevokeOut, summary="Revoke an agreement at once"
)
def revoke_agreement(agreement_id: str, instance: InstanceDep, actor: AdminDep) -> RevokeOut:
    agreement, cancelled = share.revoke_agreement(instance.db, actor, agreement_id, now=datetime.now(UTC))
    return RevokeOut(agreement=AgreementOut.of(agreement), outbox_cancelled=cancelled)
