"""The API an agency deploys, end to end: messages and lists in, flights and screening out, iAPI checks."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

import pytest
from agency_world import AgencyWorld, build_agency
from fastapi.testclient import TestClient

from borderwatch.domain.audit import Role
from borderwatch.formats.risk_rules import dump_rule_set
from borderwatch.http.api.check import CheckOut
from borderwatch.http.app import create_app
from borderwatch.services.instance import Instance, init_instance
from borderwatch.services.rules import load_rule_set
from borderwatch.settings import Settings

PACKAGE = resources.files("borderwatch").joinpath("data")


def _world(instance: Instance) -> AgencyWorld:
    return build_agency(instance, "DGSN", (Role.OFFICER, Role.SUPERVISOR, Role.AUDITOR), surname="BENALI")


def _load(client: TestClient, world: AgencyWorld) -> int:
    un = PACKAGE.joinpath("lists", "UN_consolidated.xml").read_bytes()
    imported = client.post(
        "/api/lists/un?filename=UN_consolidated.xml", content=un, headers=world.auth(Role.SUPERVISOR)
    )
    assert imported.status_code == 200, imported.text
    assert imported.json()["entries"] == 1003
    paxlst = PACKAGE.joinpath("demo", "AT800-CMN-LHR.paxlst").read_bytes()
    submitted = client.post(
        "/api/messages?source=AT800.paxlst",
        content=paxlst,
        headers={**world.auth(Role.OFFICER), "content-type": "application/edifact"},
    )
    assert submitted.status_code == 202, submitted.text
    [message] = submitted.json()["messages"]
    assert (message["passengers"], message["crew"], message["stored"]) == (150, 6, 156)
    flight_id: int = message["flight_id"]
    return flight_id


def test_messages_lists_flights_and_screening(client: TestClient, instance: Instance) -> None:
    world = _world(instance)
    flight_id = _load(client, world)
    officer = world.auth(Role.OFFICER)

    flights = client.get("/api/flights", headers=officer).json()["flights"]
    assert {f["key"] for f in flights} >= {"AT800/2026-12-01/CMN-LHR"}
    travellers = client.get(f"/api/flights/{flight_id}/travellers", headers=officer).json()["travellers"]
    assert len(travellers) == 156
    assert all(t["documents"] for t in travellers)

    screened = client.post(f"/api/flights/{flight_id}/screen", headers=officer)
    assert screened.status_code == 200, screened.text
    assert {h["entity"] for h in screened.json()["hits"]} == {
        "UN:QDi.190",
        "UN:QDi.082",
        "UN:QDi.060",
        "UN:QDi.232",
        "UN:QDi.136",
    }
    results = client.get(f"/api/flights/{flight_id}/screening", headers=officer).json()["results"]
    assert len(results) == 156
    assert sum(1 for r in results if r["hits"]) == 5

    one = client.get(f"/api/travellers/{travellers[0]['id']}", headers=officer)
    assert one.status_code == 200
    events = client.get("/api/audit/events?limit=200", headers=world.auth(Role.AUDITOR)).json()["events"]
    reads = [e for e in events if e["action"] in ("travellers.read", "traveller.read")]
    assert any(e["channel"] == "http:GET /api/travellers/{traveller_id}" for e in reads)
    assert any(e["channel"] == "http:GET /api/flights/{flight_id}/travellers" for e in reads)


def test_bad_message_is_quarantined_and_listed(client: TestClient, instance: Instance) -> None:
    world = _world(instance)
    response = client.post(
        "/api/messages?source=junk.txt", content=b"UNB+garbage'", headers=world.auth(Role.OFFICER)
    )
    assert response.status_code == 202
    assert response.json()["quarantined"] == 1
    listed = client.get("/api/quarantine", headers=world.auth(Role.OFFICER)).json()["quarantine"]
    assert [q["source"] for q in listed] == ["junk.txt"]
    empty = client.post("/api/messages", content=b"", headers=world.auth(Role.OFFICER))
    assert empty.status_code == 422
    assert empty.json()["error"] == "InputError"


def test_officer_cannot_import_lists(client: TestClient, instance: Instance) -> None:
    world = _world(instance)
    response = client.post("/api/lists/un", content=b"<x/>", headers=world.auth(Role.OFFICER))
    assert response.status_code == 403


def test_check_answers_board_refer_and_no_board(client: TestClient, instance: Instance) -> None:
    world = _world(instance)
    _load(client, world)
    lost = "GBR,123456789,P,2026-11-01,UK-1\n"
    header = (
        PACKAGE.joinpath("templates", "lost_stolen_template.csv").read_text(encoding="utf-8").splitlines()[0]
    )
    imported = client.post(
        "/api/lists/lost-stolen?filename=lsd.csv",
        content=(header + "\n" + lost).encode(),
        headers=world.auth(Role.SUPERVISOR),
    )
    assert imported.status_code == 200, imported.text
    body = {
        "flight": {"carrier": "AT", "number": "800", "departure_port": "CMN", "arrival_port": "LHR"},
        "travellers": [
            {
                "reference": "P1",
                "family_name": "ELMOTASSADEQ",
                "given_names": "MUNIR",
                "birth_date": "1974-04-03",
                "gender": "M",
                "nationality": "MAR",
                "documents": [
                    {"type": "P", "number": "TK7410032", "issuing_state": "MAR", "expiry_date": "2029-03-14"}
                ],
            },
            {
                "reference": "P2",
                "family_name": "SMITH",
                "given_names": "OLIVIA",
                "birth_date": "1990-05-01",
                "gender": "F",
                "nationality": "GBR",
                "documents": [
                    {"type": "P", "number": "123456789", "issuing_state": "GBR", "expiry_date": "2030-01-01"}
                ],
            },
            {
                "reference": "P3",
                "family_name": "WRIGHT",
                "given_names": "JAMES",
                "birth_date": "1985-02-03",
                "gender": "M",
                "nationality": "GBR",
                "documents": [
                    {"type": "P", "number": "555000111", "issuing_state": "GBR", "expiry_date": "2031-01-01"}
                ],
            },
        ],
    }
    response = client.post("/api/check", json=body, headers=world.auth(Role.OFFICER))
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/json"
    # The body is written without the response model: it must still be exactly the documented one.
    assert CheckOut.model_validate_json(response.content).model_dump(mode="json") == response.json()
    answers = {a["reference"]: a for a in response.json()["answers"]}
    assert answers["P1"]["answer"] == "refer"
    assert answers["P1"]["hits"][0]["entity"] == "UN:QDi.082"
    assert answers["P2"]["answer"] == "no board"
    assert answers["P2"]["reasons"][0] == "document 123456789 is reported lost or stolen"
    assert answers["P3"] == {
        "reference": "P3",
        "traveller": "WRIGHT/JAMES",
        "answer": "board",
        "reasons": [],
        "hits": [],
    }
    invalid = client.post("/api/check", json={"travellers": []}, headers=world.auth(Role.OFFICER))
    assert invalid.status_code == 422


def test_a_broken_rule_file_is_the_servers_error_not_the_callers(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    rules = tmp_path / "agency.yaml"
    good = dump_rule_set(load_rule_set())
    rules.write_text(good, encoding="utf-8")
    created, _ = init_instance(Settings(data_dir=tmp_path / "data", secure_cookies=False, rules_file=rules))

    def saved(text: str, seconds: int) -> None:  # an administrator's save, some seconds later
        rules.write_text(text, encoding="utf-8")
        stamp = rules.stat()
        os.utime(rules, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + seconds * 1_000_000_000))

    try:
        world = build_agency(created, "DGSN", (Role.OFFICER,), surname="BENALI")
        body = {"travellers": [{"family_name": "WRIGHT", "given_names": "JAMES", "nationality": "GBR"}]}
        with TestClient(create_app(instance=created)) as client:
            assert client.post("/api/check", json=body, headers=world.auth(Role.OFFICER)).status_code == 200
            saved("name: agency\nversion: '2'\nrules: [", 10)
            broken = client.post("/api/check", json=body, headers=world.auth(Role.OFFICER))
            assert broken.status_code == 500
            assert broken.json()["error"] == "ConfigError"
            assert "agency.yaml" not in broken.text  # no server path for the caller
            assert any("agency.yaml" in r.getMessage() for r in caplog.records)  # the log has it
            saved(good, 20)
            assert client.post("/api/check", json=body, headers=world.auth(Role.OFFICER)).status_code == 200
    finally:
        created.close()
