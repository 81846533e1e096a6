"""`borderwatch keys init|show`, run in-process with the data directory from the environment."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from borderwatch.cli.keys import register
from borderwatch.errors import ConfigError, ConflictError


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    # The CLI builds its settings from the environment, as in production.
    monkeypatch.setenv("BORDERWATCH_DATA_DIR", str(tmp_path))
    return tmp_path


def test_init_then_show(app: typer.Typer, data_dir: Path) -> None:
    runner = CliRunner()
    created = runner.invoke(app, ["keys", "init", "--json"])
    assert created.exit_code == 0, created.output
    info = json.loads(created.stdout)
    assert info["created"] is True
    assert info["algorithm"] == "Ed25519"
    key_file = data_dir / "keys" / "signing-key.pem"
    assert info["path"] == str(key_file)
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600

    shown = runner.invoke(app, ["keys", "show", "--json"])
    assert shown.exit_code == 0, shown.output
    assert json.loads(shown.stdout)["public_key"] == info["public_key"]
    assert json.loads(shown.stdout)["fingerprint"] == info["fingerprint"]

    text = runner.invoke(app, ["keys", "show"])
    assert text.exit_code == 0
    assert info["public_key"] in text.stdout
    assert info["fingerprint"] in text.stdout
    assert "PRIVATE KEY" not in text.stdout


def test_init_twice_is_refused_unless_forced(app: typer.Typer, data_dir: Path) -> None:
    runner = CliRunner()
    first = json.loads(runner.invoke(app, ["keys", "init", "--json"]).stdout)
    again = runner.invoke(app, ["keys", "init"])
    assert isinstance(again.exception, ConflictError)  # cli/main.py maps it to an exit code
    forced = runner.invoke(app, ["keys", "init", "--force"])
    assert forced.exit_code == 0, forced.output
    assert "Created" in forced.stdout
    assert first["public_key"] not in forced.stdout


def test_show_without_key(app: typer.Typer, data_dir: Path) -> None:
    result = CliRunner().invoke(app, ["keys", "show"])
    assert isinstance(result.exception, ConfigError)
    assert "borderwatch keys init" in result.exception.message
