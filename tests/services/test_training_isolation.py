"""A training tenant never mixes with live data: no training traveller or alert is visible to live
users, no live one to trainees, through the services and through HTTP; trainees never see each
other's decisions.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from borderwatch.domain.alerts import AlertState, Decision
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.hits import MatchConfig
from borderwatch.domain.travellers import TravellerId
from borderwatch.errors import NotFoundError
from borderwatch.http.api import training as training_api
from borderwatch.http.app import create_app
from borderwatch.services import auth, exercises, review
from borderwatch.services.demo import run_demo
from borderwatch.services.instance import Instance
from borderwatch.services.train import scenario_spec, write_scenario
from borderwatch.settings import Settings
from borderwatch.store import flights as flight_store

NOW = datetime(2026, 11, 30, 6, 0, tzinfo=UTC)
PASSWORD = "Tamanrasset-1987-dunes"


@dataclass
class World:
    live: Actor  # DGSN officer
    trainer: Actor  # DGSN-TRAINING, the instance acting
    exercise_id: int
    training_flight: int
    live_alerts: set[int]
    training_alerts: set[int]
    training_travellers: set[TravellerId]
    live_travellers: set[TravellerId]
    tokens: dict[str, str]


@pytest.fixture
def world(settings: Settings, instance: Instance, tmp_path: Path) -> World:
    run_demo(settings, now=NOW)  # live: the bundled flight, screened against the UN list
    system = instance.actor()
    officer = auth.create_user(
        instance.db, system, username="dgsn.officer", role=Role.OFFICER, password=PASSWORD, now=NOW
    )
    instructor = auth.create_user(
        instance.db, system, username="dgsn.instructor", role=Role.INSTRUCTOR, password=PASSWORD, now=NOW
    )
    folder = write_scenario(
        scenario_spec("CMN-LHR", passengers=60, difficulty="easy", seed=3), tmp_path / "s"
    )
    started = exercises.start_exercise(
        instance.db, system, folder.folder, ["amina", "tom"], config=MatchConfig(), now=NOW
    )
    trainer = exercises.training_actor(instance.db, system)
    trainees = {
        name: auth.create_user(
            instance.db, trainer, username=name, role=Role.TRAINEE, password=PASSWORD, now=NOW
        )
        for name in ("amina", "tom")
    }
    live = officer.actor("test")
    with instance.db.transaction() as session:
        live_flights = flight_store.list_flights(session, live)
        live_travellers = {
            t.traveller_id
            for f in live_flights
            for t in flight_store.travellers_of_flight(session, live, f.flight_id, purpose="test")
        }
        training_travellers = {
            t.traveller_id
            for t in flight_store.travellers_of_flight(
                session, trainer, started.exercise.flight_id, purpose="test"
            )
        }
    secret = instance.secret()
    tokens = {
        user.username: auth.issue_token(secret, user, now=datetime.now(UTC), minutes=60).token
        for user in (officer, instructor, *trainees.values())
    }
    return World(
        live=live,
        trainer=trainer,
        exercise_id=started.exercise.exercise_id,
        training_flight=started.exercise.flight_id,
        live_alerts={a.alert_id for a in review.list_alerts(instance.db, live, limit=1000)},
        training_alerts={a.alert_id for a in review.list_alerts(instance.db, trainer, limit=1000)},
        training_travellers=training_travellers,
        live_travellers=live_travellers,
        tokens=tokens,
    )


def test_both_worlds_have_data_and_share_none(world: World) -> None:
    assert world.live_alerts
    assert world.training_alerts
    assert not world.live_alerts & world.training_alerts
    assert world.training_travellers
    assert not world.live_travellers & world.training_travellers
    assert world.trainer.agency_code == "DGSN-TRAINING"


def test_live_users_see_no_training_traveller_or_alert(instance: Instance, world: World) -> None:
    with instance.db.transaction() as session:
        live_flights = {f.flight_id for f in flight_store.list_flights(session, world.live)}
        assert live_flights
        assert world.training_flight not in live_flights
        with pytest.raises(NotFoundError):
            flight_store.get_flight(session, world.live, world.training_flight)
        for traveller_id in world.training_travellers:
            with pytest.raises(NotFoundError):
                flight_store.get_traveller(session, world.live, traveller_id, purpose="test")
    for alert_id in world.training_alerts:
        with pytest.raises(NotFoundError):
            review.get_alert(instance.db, world.live, alert_id)
    with pytest.raises(NotFoundError):
        exercises.trainee_alerts(instance.db, world.live, world.exercise_id, trainee="amina")


def test_training_actors_see_no_live_traveller_or_alert(instance: Instance, world: World) -> None:
    with instance.db.transaction() as session:
        for traveller_id in world.live_travellers:
            with pytest.raises(NotFoundError):
                flight_store.get_traveller(session, world.trainer, traveller_id, purpose="test")
    for alert_id in world.live_alerts:
        with pytest.raises(NotFoundError):
            review.get_alert(instance.db, world.trainer, alert_id)
        with pytest.raises(NotFoundError):
            exercises.record_decision(
                instance.db,
                world.trainer,
                world.exercise_id,
                alert_id,
                Decision.CONFIRM_MATCH,
                trainee="amina",
                now=NOW,
            )


@pytest.fixture
def client(instance: Instance) -> Iterator[TestClient]:
    app = create_app(instance=instance)
    if not any(getattr(r, "path", "").startswith("/api/training") for r in app.routes):
        app.include_router(training_api.router)  # until the lead wires it into create_app
    with TestClient(app) as test_client:
        yield test_client


def _auth(world: World, user: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {world.tokens[user]}"}


def test_over_http_live_officer_sees_only_live_alerts(client: TestClient, world: World) -> None:
    listed = client.get("/api/alerts", params={"limit": 1000}, headers=_auth(world, "dgsn.officer"))
    assert listed.status_code == 200
    assert {a["id"] for a in listed.json()["alerts"]} == world.live_alerts
    for alert_id in world.training_alerts:
        assert client.get(f"/api/alerts/{alert_id}", headers=_auth(world, "dgsn.officer")).status_code == 404
    # a live officer is no trainee: the training endpoints refuse the role
    url = f"/api/training/exercises/{world.exercise_id}/alerts"
    assert client.get(url, headers=_auth(world, "dgsn.officer")).status_code == 403


def test_over_http_trainee_sees_only_exercise_alerts(client: TestClient, world: World) -> None:
    url = f"/api/training/exercises/{world.exercise_id}/alerts"
    listed = client.get(url, headers=_auth(world, "amina"))
    assert listed.status_code == 200
    assert {a["id"] for a in listed.json()["alerts"]} == world.training_alerts
    assert client.get("/api/alerts", headers=_auth(world, "amina")).status_code == 403
    for alert_id in world.live_alerts:
        detail = client.get(f"{url}/{alert_id}", headers=_auth(world, "amina"))
        assert detail.status_code == 404
        decided = client.post(
            f"{url}/{alert_id}/decision", headers=_auth(world, "amina"), json={"decision": "confirm match"}
        )
        assert decided.status_code == 404


def test_a_trainees_decision_does_not_change_another_trainees_view(
    instance: Instance, client: TestClient, world: World
) -> None:
    url = f"/api/training/exercises/{world.exercise_id}/alerts"
    alert_id = min(world.training_alerts)
    decided = client.post(
        f"{url}/{alert_id}/decision",
        headers=_auth(world, "amina"),
        json={"decision": "confirm match", "note": "same birth date"},
    )
    assert decided.status_code == 200
    assert decided.json()["trainee"] == "amina"
    mine = {a["id"]: a for a in client.get(url, headers=_auth(world, "amina")).json()["alerts"]}
    theirs = {a["id"]: a for a in client.get(url, headers=_auth(world, "tom")).json()["alerts"]}
    assert mine[alert_id]["your_decision"] == "confirm match"
    assert theirs[alert_id]["your_decision"] is None
    assert review.get_alert(instance.db, world.trainer, alert_id).summary.state is AlertState.NEW


def test_over_http_instructor_starts_and_reads_the_summary(client: TestClient, world: World) -> None:
    started = client.post(
        "/api/training/exercises",
        headers=_auth(world, "dgsn.instructor"),
        json={"route": "CMN-CDG", "passengers": 40, "difficulty": "easy", "seed": 5, "trainees": ["amina"]},
    )
    assert started.status_code == 201, started.text
    assert started.json()["agency"] == "DGSN-TRAINING"
    exercise_id = started.json()["exercise"]["id"]
    summary = client.get(
        f"/api/training/exercises/{exercise_id}/summary", headers=_auth(world, "dgsn.instructor")
    )
    assert summary.status_code == 200
    assert [t["trainee"] for t in summary.json()["trainees"]] == ["amina"]
    # trainees do not read the answers
    refused = client.get(f"/api/training/exercises/{exercise_id}/summary", headers=_auth(world, "amina"))
    assert refused.status_code == 403
    # the live officer still sees only live alerts
    listed = client.get("/api/alerts", params={"limit": 1000}, headers=_auth(world, "dgsn.officer"))
    assert {a["id"] for a in listed.json()["alerts"]} == world.live_alerts
