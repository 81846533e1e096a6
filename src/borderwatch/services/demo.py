"""The demo: the bundled UN list and a bundled CMN->LHR flight, ingested, screened and alerted.

Runs on whatever instance the settings name (by default the embedded SQLite database in the data
folder). Running it again adds nothing: the same list version, the same message bytes and the same
screening are recognised.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources

from borderwatch.services import lists as list_service
from borderwatch.services.ingest import IngestReport, Received, ingest
from borderwatch.services.instance import init_instance
from borderwatch.services.lists import ImportReport
from borderwatch.services.screen import ScreeningReport, match_config, screen_flight
from borderwatch.settings import Settings

DEMO_FLIGHT = "AT800-CMN-LHR.paxlst"
Step = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class DemoReport:
    """Everything the demo did."""

    database: str
    list_import: ImportReport
    ingest: IngestReport
    screening: ScreeningReport


def run_demo(settings: Settings, *, now: datetime, step: Step | None = None) -> DemoReport:
    """Run the demo on the instance the settings name and return what happened at each step."""
    say = step or (lambda _text: None)
    say("Preparing the database")
    instance, init = init_instance(settings)
    try:
        actor = instance.actor(channel="cli:demo")
        package = resources.files("borderwatch").joinpath("data")
        say("Importing the UN Security Council Consolidated List")
        with resources.as_file(package.joinpath("lists", "UN_consolidated.xml")) as un_file:
            list_report = list_service.import_list(instance.db, actor, "un", un_file, now=now)
        say("Ingesting the PAXLST of flight AT800 Casablanca -> London Heathrow")
        flight_bytes = package.joinpath("demo", DEMO_FLIGHT).read_bytes()
        ingest_report = ingest(instance.db, actor, [Received(DEMO_FLIGHT, flight_bytes)], today=now.date())
        say("Screening every traveller against the list")
        screening = screen_flight(
            instance.db, actor, "AT800/2026-12-01/CMN-LHR", config=match_config(settings), now=now
        )
        return DemoReport(init.database, list_report, ingest_report, screening)
    finally:
        instance.close()
