"""`borderwatch rules check|fields`, run in-process."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from borderwatch.cli.rules import register
from borderwatch.errors import InputError


def make_app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """Test root (a lone sub-app would be collapsed into the root command)."""

    return app


def test_check_default_rule_set() -> None:
    result = CliRunner().invoke(make_app(), ["rules", "check"])
    assert result.exit_code == 0, result.output
    assert "DOC-LOST-STOLEN" in result.output
    assert "packaged default rule set is a valid rule set" in result.output


def test_check_json(tmp_path: Path) -> None:
    result = CliRunner().invoke(make_app(), ["rules", "check", "--json"])
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["name"] == "default"
    cash = next(r for r in data["rules"] if r["id"] == "PNR-CASH-ONE-WAY-24H")
    assert cash["condition"].startswith("(booking.payment_kinds contains CA AND booking.is_one_way = yes")
    assert "booking.route_ports" in cash["facts"]


def test_check_a_broken_file_raises_input_error(tmp_path: Path) -> None:
    path = tmp_path / "agency.yaml"
    path.write_text(
        "name: agency\nversion: '1'\nrules:\n  - id: A\n    title: t\n    version: 1\n    severity: low\n"
        "    explanation: e\n    when: {field: traveller.age, op: older_than, value: 60}\n",
        encoding="utf-8",
    )
    result = CliRunner().invoke(make_app(), ["rules", "check", str(path)])
    assert result.exit_code != 0
    assert isinstance(result.exception, InputError)
    assert "line 9 (rule A, rules[0].when.op): unknown operator 'older_than'" in result.exception.message


def test_fields_json() -> None:
    result = CliRunner().invoke(make_app(), ["rules", "fields", "--json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    expiry = next(r for r in rows if r["name"] == "document.expiry_days")
    assert expiry["kind"] == "number"
    assert "expiry" in expiry["description"]
