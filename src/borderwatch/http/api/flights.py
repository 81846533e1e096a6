"""Flights, their travellers and screening: read, and screen on demand (officers and supervisors)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi import APIRouter, Query
from pydantic import BaseModel

from borderwatch.http.api.schemas import FlightOut, TravellerOut, flight_out, traveller_out
from borderwatch.http.deps import InstanceDep, ReviewerDep, RowId
from borderwatch.services import flights as flight_service
from borderwatch.services.rules import server_rule_set
from borderwatch.services.screen import match_config, screen_flight

router = APIRouter(tags=["flights"])


class FlightList(BaseModel):
    flights: list[FlightOut]


class TravellerList(BaseModel):
    travellers: list[TravellerOut]


class ScreeningOut(BaseModel):
    flight_id: int
    results: list[dict[str, Any]]


@router.get("/api/flights", response_model=FlightList, summary="The agency's flights, newest first")
def list_flights(
    instance: InstanceDep,
    actor: ReviewerDep,
    limit: int = Query(default=50, ge=1, le=500),
    on: date | None = Query(default=None, description="Only flights departing that day"),
) -> FlightList:
    return FlightList(
        flights=[flight_out(f) for f in flight_service.list_flights(instance.db, actor, limit=limit, on=on)]
    )


@router.get("/api/flights/{flight_id}", response_model=FlightOut, summary="One flight")
def get_flight(flight_id: RowId, instance: InstanceDep, actor: ReviewerDep) -> FlightOut:
    return flight_out(flight_service.get_flight(instance.db, actor, flight_id))


@router.get(
    "/api/flights/{flight_id}/travellers",
    response_model=TravellerList,
    summary="The flight's travellers (personal data: the read is audited)",
)
def flight_travellers(flight_id: RowId, instance: InstanceDep, actor: ReviewerDep) -> TravellerList:
    found = flight_service.flight_travellers(instance.db, actor, flight_id, purpose="API read")
    return TravellerList(travellers=[traveller_out(t) for t in found])


@router.get(
    "/api/flights/{flight_id}/screening",
    response_model=ScreeningOut,
    summary="Each traveller's latest screening outcome and hits",
)
def flight_screening(flight_id: RowId, instance: InstanceDep, actor: ReviewerDep) -> ScreeningOut:
    return ScreeningOut(
        flight_id=flight_id, results=flight_service.screening_results(instance.db, actor, flight_id)
    )


@router.post(
    "/api/flights/{flight_id}/screen", summary="Screen the flight now (watch lists, documents, rules)"
)
def screen(flight_id: RowId, instance: InstanceDep, actor: ReviewerDep) -> dict[str, Any]:
    settings = instance.settings
    report = screen_flight(
        instance.db,
        actor,
        str(flight_id),
        config=match_config(settings),
        now=datetime.now(UTC),
        rules=server_rule_set(settings.rules_file),
    )
    return report.as_dict()


@router.get(
    "/api/travellers/{traveller_id}",
    response_model=TravellerOut,
    summary="One traveller (personal data: the read is audited)",
)
def get_traveller(traveller_id: RowId, instance: InstanceDep, actor: ReviewerDep) -> TravellerOut:
    return traveller_out(flight_service.get_traveller(instance.db, actor, traveller_id, purpose="API read"))
