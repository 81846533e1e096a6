"""`borderwatch mrz` run in-process on real samples."""

from __future__ import annotations

import json
from pathlib import Path

import typer
from typer.testing import CliRunner

from borderwatch.cli.mrz import register

SAMPLES = Path(__file__).resolve().parents[1] / "data" / "mrz"
runner = CliRunner()


def _app() -> typer.Typer:
    app = typer.Typer()
    register(app)

    @app.callback()
    def main() -> None:
        """Keep `mrz` a named sub-command, as in the real application."""

    return app


def _lines(name: str) -> list[str]:
    return (SAMPLES / name).read_text().splitlines()


def test_valid_mrz_exits_0_and_prints_a_table() -> None:
    result = runner.invoke(_app(), ["mrz", *_lines("td1_che_smith.txt"), "--today", "2019-01-01"])
    assert result.exit_code == 0, result.output
    assert "VALID" in result.output
    assert "SMITH" in result.output
    assert "JOHN ALBERT" in result.output
    assert "composite" in result.output


def test_bad_check_digit_exits_1_and_names_the_problem() -> None:
    result = runner.invoke(
        _app(), ["mrz", *_lines("td1_bel_bo03003_bad_birth_cd.txt"), "--today", "2026-06-01"]
    )
    assert result.exit_code == 1
    assert "birth date check digit is 8, expected 7 (line 2, column 7)" in result.output


def test_json_has_every_field_check_and_problem() -> None:
    result = runner.invoke(
        _app(), ["mrz", *_lines("td3_doc9303_utopia_eriksson.txt"), "--json", "--today", "2026-06-01"]
    )
    assert result.exit_code == 1  # UTO without --specimen
    data = json.loads(result.output)
    assert data["format"] == "TD3"
    assert data["valid"] is False
    assert len(data["fields"]) == 14
    assert [c["name"] for c in data["checks"]] == [
        "document number",
        "birth date",
        "expiry date",
        "optional data",
    ]
    assert data["composite"]["ok"] is True
    assert {p["field"] for p in data["problems"] if p["severity"] == "error"} == {
        "issuing_state",
        "nationality",
    }


def test_specimen_mode_accepts_utopia() -> None:
    args = [
        "mrz",
        *_lines("td3_doc9303_utopia_eriksson.txt"),
        "--specimen",
        "--json",
        "--today",
        "2026-06-01",
    ]
    result = runner.invoke(_app(), args)
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["valid"] is True
    assert data["document"]["expired"] is True


def test_today_defaults_to_the_real_date_and_garbage_is_reported_not_raised() -> None:
    result = runner.invoke(_app(), ["mrz", "hello [world]", "<<<"])
    assert result.exit_code == 1
    assert "INVALID" in result.output
    assert "line 1 has 13 characters" in result.output


def test_bad_today_is_a_usage_error() -> None:
    result = runner.invoke(_app(), ["mrz", *_lines("td1_che_smith.txt"), "--today", "01/02/2020"])
    assert result.exit_code == 2
