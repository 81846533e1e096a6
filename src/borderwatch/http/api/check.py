"""Interactive check (in the spirit of iAPI): travellers in, board / no board / refer out, with reasons."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Response
from pydantic import BaseModel, Field
from pydantic_core import to_json
from starlette.concurrency import run_in_threadpool

from borderwatch.domain.audit import Actor
from borderwatch.domain.travellers import DocumentType, Flight, Gender, TravelDocument, Traveller
from borderwatch.http.deps import InstanceDep, SubmitterDep
from borderwatch.services.check import check_travellers
from borderwatch.services.instance import Instance
from borderwatch.services.rules import server_rule_set
from borderwatch.services.screen import match_config

router = APIRouter(tags=["check"])

CODE = r"^[A-Z]{1,3}<{0,2}$"
INLINE_TRAVELLERS = 10  # checks this small are answered on the event loop (see `check`)


class DocumentIn(BaseModel):
    type: str = Field(default="P", pattern="^[A-Z]{1,2}$", description="P passport, I identity card, V visa")
    number: str = Field(min_length=1, max_length=40)
    issuing_state: str = Field(pattern=CODE, description="ICAO code as on the document (GBR, MAR, D)")
    expiry_date: date | None = None


class TravellerIn(BaseModel):
    reference: str = Field(default="", max_length=40, description="The airline's passenger reference")
    family_name: str = Field(min_length=1, max_length=200)
    given_names: str = Field(default="", max_length=200)
    birth_date: date | None = None
    gender: str = Field(default="U", pattern="^[MFXU]$")
    nationality: str = Field(default="", pattern=r"^([A-Z]{1,3}<{0,2})?$")
    documents: list[DocumentIn] = Field(default_factory=list, max_length=5)


class FlightIn(BaseModel):
    carrier: str = Field(pattern="^[A-Z0-9]{2,3}$")
    number: str = Field(pattern="^[0-9]{1,4}[A-Z]?$")
    departure_port: str = Field(pattern="^[A-Z]{3}$")
    arrival_port: str = Field(pattern="^[A-Z]{3}$")
    departure_time: datetime | None = None


class CheckIn(BaseModel):
    flight: FlightIn | None = None
    travellers: list[TravellerIn] = Field(min_length=1, max_length=1000)


class CheckAnswer(BaseModel):
    reference: str
    traveller: str
    answer: str = Field(description="board, no board or refer")
    reasons: list[str]
    hits: list[dict[str, Any]]


class CheckOut(BaseModel):
    answers: list[CheckAnswer]


def _traveller(t: TravellerIn) -> Traveller:
    return Traveller(
        family_name=t.family_name.upper(),
        given_names=t.given_names.upper(),
        birth_date=t.birth_date,
        gender=Gender.from_code(t.gender),
        nationality=t.nationality,
        documents=tuple(
            TravelDocument(
                DocumentType.from_code(d.type), d.number, d.issuing_state, d.expiry_date, code=d.type
            )
            for d in t.documents
        ),
        passenger_ref=t.reference,
    )


@router.post(
    "/api/check",
    response_model=CheckOut,
    summary="Board / no board / refer for one traveller or a whole flight, with reasons",
)
async def check(body: CheckIn, instance: InstanceDep, actor: SubmitterDep) -> Response:
    # A check of a few travellers takes well under a millisecond of screening on the indexes in
    # memory: it is answered on the event loop, since a hop to a worker thread and back would cost
    # more. A whole flight goes to a worker thread, so the loop keeps serving the small ones.
    if len(body.travellers) <= INLINE_TRAVELLERS:
        return _check(body, instance, actor)
    return await run_in_threadpool(_check, body, instance, actor)


def _check(body: CheckIn, instance: Instance, actor: Actor) -> Response:
    settings = instance.settings
    flight = (
        Flight(
            body.flight.carrier,
            body.flight.number,
            body.flight.departure_port,
            body.flight.arrival_port,
            body.flight.departure_time,
        )
        if body.flight
        else None
    )
    rules = server_rule_set(settings.rules_file)
    results = check_travellers(
        instance.db,
        actor,
        [(t.reference or str(i + 1), _traveller(t)) for i, t in enumerate(body.travellers)],
        flight=flight,
        config=match_config(settings),
        rules=rules,
        now=datetime.now(UTC),
    )
    # The answers' dicts hold exactly CheckOut's fields (tests check the body against the model) and
    # are encoded once: returned as models, 400 answers were validated twice and dumped through dicts.
    return Response(to_json({"answers": [r.as_dict() for r in results]}), media_type="application/json")
