"""Settings: every field documented, the environment read only when asked, bad values refused."""

from __future__ import annotations

from pathlib import Path

import pytest

from borderwatch.errors import ConfigError
from borderwatch.settings import Settings, load_settings

DOCS = Path(__file__).resolve().parents[1] / "docs" / "configuration.md"


@pytest.mark.parametrize("name", sorted(Settings.model_fields))
def test_every_setting_is_documented(name: str) -> None:
    field = Settings.model_fields[name]
    assert field.description, f"setting {name} has no description"
    text = DOCS.read_text(encoding="utf-8")
    assert f"`{name}`" in text
    assert f"`BORDERWATCH_{name.upper()}`" in text


def test_environment_is_read_by_load_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("BORDERWATCH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("BORDERWATCH_AGENCY", "UKBF")
    settings = load_settings()
    assert settings.data_dir == tmp_path
    assert settings.agency == "UKBF"
    assert settings.effective_database_url == f"sqlite:///{tmp_path / 'borderwatch.db'}"


def test_bad_values_raise_a_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BORDERWATCH_ALERT_THRESHOLD", "1.7")
    with pytest.raises(ConfigError, match="alert_threshold"):
        load_settings()
    monkeypatch.setenv("BORDERWATCH_ALERT_THRESHOLD", "0.8")
    monkeypatch.setenv("BORDERWATCH_DATABASE_URL", "mysql://x")
    with pytest.raises(ConfigError, match="database_url"):
        load_settings()


def test_secrets_are_masked() -> None:
    settings = Settings(session_secret="do-not-print-me")
    assert "do-not-print-me" not in repr(settings)
