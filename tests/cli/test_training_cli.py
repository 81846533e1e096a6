"""`borderwatch training ...` run in-process: scenario, exercise, decisions, score and report."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from borderwatch.cli.training import register
from borderwatch.errors import InputError, NotFoundError


@pytest.fixture
def app() -> typer.Typer:
    application = typer.Typer()

    @application.callback()
    def root() -> None:
        """Test root: keeps `training` a sub-command."""

    register(application)
    return application


@pytest.fixture
def runner(tmp_path: Path) -> CliRunner:
    return CliRunner(env={"BORDERWATCH_DATA_DIR": str(tmp_path / "bw"), "BORDERWATCH_DATABASE_URL": ""})


def _ok(runner: CliRunner, app: typer.Typer, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, (result.output, result.exception)
    return result.output


def test_scenario_new_writes_the_same_files_for_the_same_seed(
    runner: CliRunner, app: typer.Typer, tmp_path: Path
) -> None:
    args = [
        "training",
        "scenario",
        "new",
        "--route",
        "CMN-LHR",
        "--passengers",
        "180",
        "--difficulty",
        "medium",
        "--seed",
        "7",
        "--out",
    ]
    out = _ok(runner, app, *args, str(tmp_path / "a"))
    assert "planted cases" in out
    _ok(runner, app, *args, str(tmp_path / "b"))
    names = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert names == sorted(p.name for p in (tmp_path / "b").iterdir())
    assert "answer_key.json" in names
    assert any(n.endswith(".paxlst") for n in names)
    assert any(n.endswith(".pnrgov") for n in names)
    for name in names:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    data = json.loads(_ok(runner, app, *args, str(tmp_path / "c"), "--json"))
    assert data["planted"]["listed person"] == 4


def test_a_whole_exercise_from_the_command_line(runner: CliRunner, app: typer.Typer, tmp_path: Path) -> None:
    scenario = tmp_path / "scenario"
    _ok(
        runner,
        app,
        "training",
        "scenario",
        "new",
        "--route",
        "CMN-LHR",
        "--passengers",
        "60",
        "--difficulty",
        "easy",
        "--seed",
        "3",
        "--out",
        str(scenario),
    )
    started = json.loads(
        _ok(
            runner,
            app,
            "training",
            "exercise",
            "start",
            str(scenario),
            "--trainee",
            "amina",
            "--trainee",
            "tom",
            "--json",
        )
    )
    exercise = started["exercise"]["id"]
    assert started["agency"] == "DGSN-TRAINING"
    assert started["exercise"]["trainees"] == ["amina", "tom"]
    assert started["alerts"] >= 5
    key = json.loads((scenario / "answer_key.json").read_text())
    first_case = key["cases"][0]["case"]
    summary = json.loads(_ok(runner, app, "training", "score", str(exercise), "--json"))
    alert_of_case = next(c["alerts"][0] for c in summary["cases"] if c["alerts"] and c["should_flag"])
    decided = json.loads(
        _ok(
            runner,
            app,
            "training",
            "decide",
            str(exercise),
            str(alert_of_case),
            "--as",
            "amina",
            "--decision",
            "confirm",
            "--note",
            "same birth date",
            "--json",
        )
    )
    assert decided["decision"] == "confirm match"
    summary = json.loads(_ok(runner, app, "training", "score", str(exercise), "--json"))
    amina, tom = summary["trainees"]
    assert len(amina["found"]) == 1
    assert tom["found"] == []
    assert len(tom["missed"]) == sum(1 for c in key["cases"] if c["should_flag"])
    assert first_case in {c["case"] for c in summary["cases"]}
    table = _ok(runner, app, "training", "score", str(exercise))
    assert "amina" in table
    report = tmp_path / "report.html"
    _ok(runner, app, "training", "report", str(exercise), "--out", str(report))
    assert "<table" in report.read_text(encoding="utf-8")


def test_errors_are_borderwatch_errors(runner: CliRunner, app: typer.Typer, tmp_path: Path) -> None:
    bad_route = runner.invoke(
        app,
        ["training", "scenario", "new", "--route", "CASABLANCA", "--seed", "1", "--out", str(tmp_path / "x")],
    )
    assert isinstance(bad_route.exception, InputError)
    not_a_scenario = runner.invoke(
        app, ["training", "exercise", "start", str(tmp_path), "--trainee", "amina"]
    )
    assert isinstance(not_a_scenario.exception, InputError)
    no_exercise = runner.invoke(app, ["training", "score", "999"])
    assert isinstance(no_exercise.exception, NotFoundError)
    scenario = tmp_path / "s"
    _ok(
        runner,
        app,
        "training",
        "scenario",
        "new",
        "--route",
        "CMN-LHR",
        "--passengers",
        "40",
        "--difficulty",
        "easy",
        "--seed",
        "2",
        "--out",
        str(scenario),
    )
    started = json.loads(
        _ok(runner, app, "training", "exercise", "start", str(scenario), "--trainee", "amina", "--json")
    )
    stranger = runner.invoke(
        app,
        [
            "training",
            "decide",
            str(started["exercise"]["id"]),
            "1",
            "--as",
            "mallory",
            "--decision",
            "confirm",
        ],
    )
    assert isinstance(stranger.exception, NotFoundError)
    bad_decision = runner.invoke(
        app,
        ["training", "decide", str(started["exercise"]["id"]), "1", "--as", "amina", "--decision", "maybe"],
    )
    assert isinstance(bad_decision.exception, InputError)
