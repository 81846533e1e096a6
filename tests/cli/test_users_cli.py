"""`borderwatch users ...` and `borderwatch alerts show|decide --as` in-process, on both engines."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

import factories
from borderwatch.cli import alerts, users
from borderwatch.cli.output import CliState
from borderwatch.domain.alerts import AlertKind, Severity
from borderwatch.services.instance import Instance
from borderwatch.store import alerts as alert_store
from borderwatch.store import flights as flight_store


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    users.register(app)
    alerts.register(app)
    return app


def _run(app: typer.Typer, instance: Instance, *args: str, stdin: str | None = None) -> tuple[int, str]:
    result = CliRunner().invoke(app, list(args), obj=CliState(settings=instance.settings), input=stdin)
    return result.exit_code, result.output


def _password_file(tmp_path: Path, name: str, password: str = "Erg-Chebbi-dunes-2026") -> str:
    path = tmp_path / f"{name}.txt"
    path.write_text(password + "\n", encoding="utf-8")
    return str(path)


def test_add_list_deactivate(app: typer.Typer, instance: Instance, tmp_path: Path) -> None:
    code, output = _run(
        app,
        instance,
        "users",
        "add",
        "Nadia.Benali",
        "--role",
        "officer",
        "--full-name",
        "Nadia Benali",
        "--password-file",
        _password_file(tmp_path, "n"),
    )
    assert code == 0, output
    assert "User nadia.benali (officer) created in agency DGSN" in output
    code, output = _run(
        app,
        instance,
        "users",
        "add",
        "chef",
        "--role",
        "supervisor",
        stdin="Erg-Chebbi-dunes-2026\nErg-Chebbi-dunes-2026\n",
    )
    assert code == 0, output
    code, output = _run(
        app,
        instance,
        "users",
        "add",
        "robot",
        "--role",
        "system",
        "--password-file",
        _password_file(tmp_path, "r"),
    )
    assert code == 2
    assert "not a role" in output
    code, output = _run(app, instance, "users", "list", "--json")
    listed = json.loads(output)["users"]
    assert [(u["username"], u["role"], u["active"]) for u in listed] == [
        ("chef", "supervisor", True),
        ("nadia.benali", "officer", True),
    ]
    code, output = _run(app, instance, "users", "deactivate", "nadia.benali")
    assert code == 0, output
    code, output = _run(app, instance, "users", "list", "--json")
    assert [u["active"] for u in json.loads(output)["users"]] == [True, False]


def _alert(instance: Instance, severity: Severity) -> int:
    system = instance.actor(channel="test")
    with instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, factories.flight())
        [traveller_id], _ = flight_store.add_travellers(
            session, system, flight_id, [factories.traveller()], message_id=None
        )
        [alert_id] = alert_store.raise_alerts(
            session,
            system,
            [
                alert_store.NewAlert(
                    traveller_id=traveller_id,
                    flight_id=flight_id,
                    kind=AlertKind.WATCH_LIST,
                    subject="UN:QDi.190",
                    score=0.95,
                    severity=severity,
                    reason="name ~ ABDELKADER LAAGOUB",
                    evidence=[],
                )
            ],
            at=datetime.now(UTC),
        )
    return alert_id


def test_decide_as_named_officers_with_four_eyes(
    app: typer.Typer, instance: Instance, tmp_path: Path
) -> None:
    for name, role in (("nadia", "officer"), ("karim", "officer"), ("auditor1", "auditor")):
        code, output = _run(
            app,
            instance,
            "users",
            "add",
            name,
            "--role",
            role,
            "--password-file",
            _password_file(tmp_path, name),
        )
        assert code == 0, output
    alert_id = _alert(instance, Severity.HIGH)
    decide = ["alerts", "decide", str(alert_id), "--decision", "confirm match", "--note", "Same passport."]
    code, output = _run(app, instance, *decide, "--as", "nadia")
    assert code == 0, output
    assert "four eyes" in output
    code, output = _run(app, instance, *decide, "--as", "nadia")
    assert code != 0
    code, output = _run(app, instance, *decide, "--as", "auditor1")
    assert code != 0
    code, output = _run(app, instance, *decide, "--as", "karim", "--json")
    assert code == 0, output
    shown = json.loads(output)
    assert shown["state"] == "confirmed match"
    assert [(e["action"], e["actor"]) for e in shown["history"]][-2:] == [
        ("propose", "nadia@DGSN"),
        ("approve", "karim@DGSN"),
    ]
    code, output = _run(app, instance, *decide, "--as", "karim")
    assert code != 0  # already closed
    code, output = _run(app, instance, "alerts", "show", str(alert_id), "--json")
    assert json.loads(output)["state"] == "confirmed match"
    code, output = _run(
        app,
        instance,
        "alerts",
        "decide",
        str(alert_id),
        "--decision",
        "perhaps",
        "--note",
        "x",
        "--as",
        "karim",
    )
    assert code == 2
