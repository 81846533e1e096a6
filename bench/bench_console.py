"""Benchmark: the console's alert queue and review page with 10,000 alerts in a SQLite database.

    .venv/bin/python bench/bench_console.py                # 10,000 alerts, 30 runs per page
    .venv/bin/python bench/bench_console.py --alerts 50000 --runs 50

A fresh instance (SQLite file in a temporary folder) gets the bundled UN list and 10,000 travellers
on 50 flights, each with one watch-list alert on a UN entry, with the evidence screening writes.
Each page is fetched through the whole ASGI application in process (FastAPI TestClient: routing,
security middleware, authentication, service, template), logged in with the session cookie, like
a browser. The baseline in the same run is `/health` (one `SELECT 1`): what any request costs here.
Every queue and review read writes its audit event, as in production. Target: under 200 ms.
"""

from __future__ import annotations

import argparse
import random
import statistics
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path

from fastapi.testclient import TestClient
from rich.console import Console
from rich.table import Table

from borderwatch.domain.alerts import AlertKind, AlertState, Severity
from borderwatch.domain.audit import Role
from borderwatch.domain.travellers import DocumentType, Flight, Gender, TravelDocument, Traveller
from borderwatch.http.app import create_app
from borderwatch.http.deps import SESSION_COOKIE
from borderwatch.services import auth
from borderwatch.services import lists as list_service
from borderwatch.services.instance import init_instance
from borderwatch.settings import Settings
from borderwatch.store import flights as flight_store
from borderwatch.store import lists as list_store
from borderwatch.store.console import search_active_entries
from borderwatch.store.tables import AlertEventRow, AlertRow

FAMILY = ["BENALI", "EL IDRISSI", "HADDAD", "LAAGOUB", "BELMOKHTAR", "SMITH", "DUPONT", "ALAOUI", "BENNANI"]
GIVEN = ["KARIM", "YOUSSEF", "FATIMA", "ABDELKADER", "MOKHTAR", "JOHN", "MARIE", "AICHA", "OMAR"]
PASSWORD = "Tamanrasset-1987-dunes"


def _prepare(folder: Path, alerts: int) -> tuple[Settings, str, int]:
    settings = Settings(data_dir=folder / "data", secure_cookies=False)
    instance, _ = init_instance(settings)
    system = instance.actor(channel="bench")
    now = datetime.now(UTC)
    with resources.as_file(
        resources.files("borderwatch").joinpath("data", "lists", "UN_consolidated.xml")
    ) as un:
        list_service.import_list(instance.db, system, "un", un, now=now)
    with instance.db.transaction() as session:
        entries = [
            e.entry.entity_id for e in search_active_entries(session, system.agency_id, "", limit=2000)
        ]
        version_id = list_store.active_version_id(session, system.agency_id, "UN")
    rng = random.Random(20261129)
    flights = 50
    per_flight = alerts // flights
    first_alert = 0
    for f in range(flights):
        flight = Flight(
            "AT", str(800 + f), "CMN", "LHR", datetime(2026, 12, 1, 8, 5) + timedelta(days=f % 14)
        )
        travellers = [
            Traveller(
                family_name=rng.choice(FAMILY),
                given_names=f"{rng.choice(GIVEN)} {i}",
                birth_date=date(1950 + rng.randrange(50), 1 + rng.randrange(12), 1 + rng.randrange(28)),
                gender=Gender.MALE,
                nationality="MAR",
                documents=(
                    TravelDocument(DocumentType.PASSPORT, f"P{f:02d}{i:06d}", "MAR", date(2030, 1, 1)),
                ),
            )
            for i in range(per_flight)
        ]
        with instance.db.transaction() as session:
            flight_id, _ = flight_store.upsert_flight(session, system, flight)
            ids, _ = flight_store.add_travellers(session, system, flight_id, travellers, message_id=None)
            rows = [
                AlertRow(
                    agency_id=system.agency_id,
                    traveller_id=tid,
                    flight_id=flight_id,
                    kind=AlertKind.WATCH_LIST.value,
                    subject=rng.choice(entries),
                    list_version_id=version_id,
                    entity_hash="ab" * 32,
                    score=round(0.6 + rng.random() * 0.4, 3),
                    severity=rng.choice([Severity.MEDIUM, Severity.HIGH]).value,
                    state=rng.choice([AlertState.NEW, AlertState.NEW, AlertState.IN_REVIEW]).value,
                    reason="name ~ listed name; variant table; birth date: same year",
                    evidence=_evidence(t),
                    origin="",
                    created_at=now - timedelta(hours=rng.randrange(24 * 14)),
                    updated_at=now,
                )
                for tid, t in zip(ids, travellers, strict=True)
            ]
            session.add_all(rows)
            session.flush()
            session.add_all(
                AlertEventRow(
                    alert_id=r.id, at=now, actor="system@DGSN", action="raise", to_state="new", note=""
                )
                for r in rows
            )
            first_alert = first_alert or rows[0].id
    auth.create_user(
        instance.db, system, username="bench.officer", role=Role.OFFICER, password=PASSWORD, now=now
    )
    token = auth.login(
        instance.db,
        instance.secret(),
        agency=settings.agency,
        username="bench.officer",
        password=PASSWORD,
        address="bench",
        now=now,
        token_minutes=600,
        attempts_per_minute=5,
    ).token
    instance.close()
    return settings, token, first_alert + alerts // 2


def _evidence(traveller: Traveller) -> list[dict[str, object]]:
    given, family = traveller.given_names.split()[0], traveller.family_name
    return [
        {
            "feature": "name",
            "rule": "transliteration variant",
            "score": 0.95,
            "traveller_value": given,
            "list_value": given.title(),
            "note": "variant table",
        },
        {
            "feature": "name",
            "rule": "exact",
            "score": 1.0,
            "traveller_value": family,
            "list_value": family,
            "note": "",
        },
        {
            "feature": "birth date",
            "rule": "same year",
            "score": 4.713,
            "traveller_value": str(traveller.birth_date),
            "list_value": str(traveller.birth_date)[:4],
            "note": "",
        },
        {
            "feature": "nationality",
            "rule": "match",
            "score": 1.097,
            "traveller_value": "MAR",
            "list_value": "MAR",
            "note": "",
        },
    ]


def _median_ms(client: TestClient, path: str, runs: int) -> tuple[float, float, int]:
    client.get(path)  # warm: templates compiled, caches filled
    timings = []
    status = 0
    for _ in range(runs):
        started = time.perf_counter()
        response = client.get(path)
        timings.append((time.perf_counter() - started) * 1000)
        status = response.status_code
    return statistics.median(timings), max(timings), status


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--alerts", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    console = Console()
    with tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        settings, token, alert_id = _prepare(Path(folder), args.alerts)
        console.print(f"prepared {args.alerts} alerts in {time.perf_counter() - started:.1f} s")
        app = create_app(settings)
        with TestClient(app) as client:
            client.cookies.set(SESSION_COOKIE, token)
            pages = [
                ("/health (baseline)", "/health"),
                ("alert queue, first page (50)", "/alerts"),
                ("alert queue, filtered by state", "/alerts?state=new"),
                ("alert queue, page 100", "/alerts?page=100"),
                ("review page", f"/alerts/{alert_id}"),
            ]
            table = Table(title=f"Console with {args.alerts} alerts (SQLite, median of {args.runs} runs)")
            for column in ("page", "median ms", "max ms", "status", "vs baseline"):
                table.add_column(column)
            baseline = None
            for label, path in pages:
                median, worst, status = _median_ms(client, path, args.runs)
                baseline = baseline or median
                table.add_row(
                    label, f"{median:.1f}", f"{worst:.1f}", str(status), f"{median / baseline:.1f}x"
                )
            console.print(table)
        app.state.instance.close()


if __name__ == "__main__":
    main()
