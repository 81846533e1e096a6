"""Settings: one pydantic-settings object, built by the entry points and passed down.

Nothing reads the environment at import time. `load_settings()` is called by the CLI and the ASGI
entry point only; tests build `Settings(...)` directly, so two agencies can live in one process.
Every field has a description; `docs/configuration.md` lists them all (a test checks it).
"""

from __future__ import annotations

from pathlib import Path

import platformdirs
from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from borderwatch.errors import ConfigError


def default_data_dir() -> Path:
    """Return the per-user data folder used when BORDERWATCH_DATA_DIR is not set."""
    return Path(platformdirs.user_data_dir("borderwatch", appauthor=False))


class Settings(BaseSettings):
    """Every knob of a borderwatch instance. Environment variables are `BORDERWATCH_<FIELD>`."""

    model_config = SettingsConfigDict(env_prefix="BORDERWATCH_", extra="forbid", frozen=True)

    data_dir: Path = Field(
        default_factory=default_data_dir,
        description="Folder for the embedded database, signing keys, quarantined messages and reports.",
    )
    database_url: str = Field(
        default="",
        description=(
            "SQLAlchemy URL of the database. Empty: a SQLite file `borderwatch.db` in the data directory. "
            "PostgreSQL: `postgresql+psycopg://user@host:5432/dbname`."
        ),
    )
    agency: str = Field(
        default="DGSN",
        description="Code of the agency this instance works for by default (CLI commands act for it).",
    )
    agency_name: str = Field(
        default="Direction Générale de la Sûreté Nationale",
        description="Full name of the default agency, shown in the console and sent to partners.",
    )
    alert_threshold: float = Field(
        default=0.60,
        ge=0.0,
        le=1.0,
        description="Screening score at or above which a watch-list hit becomes an alert.",
    )
    rules_file: Path | None = Field(
        default=None,
        description="YAML risk rule set used when screening. Empty: the packaged default rule set.",
    )
    rescreen_days: int = Field(
        default=7,
        ge=0,
        description="When a list gets new or changed entries, travellers of the last N days are re-screened.",
    )
    depersonalise_after_days: int = Field(
        default=183,
        ge=1,
        description="API/PNR data are depersonalised (names, contacts, document numbers masked) after N days",
    )
    delete_after_days: int = Field(
        default=1826,
        ge=1,
        description="API and PNR data are deleted N days after arrival (default 5 years).",
    )
    secret_key_file: Path | None = Field(
        default=None,
        description="File with the secret for session cookies and tokens. Empty: `secret.key` in data_dir.",
    )
    session_secret: SecretStr | None = Field(
        default=None,
        description="Secret for cookies and tokens given directly (prefer secret_key_file). Never logged.",
    )
    login_attempts_per_minute: int = Field(
        default=5, ge=1, description="Failed logins allowed per user and address per minute before refusal."
    )
    token_minutes: int = Field(
        default=480, ge=1, description="Lifetime of an API token and a console session."
    )
    public_url: str = Field(
        default="http://127.0.0.1:8000",
        description="Address partners and browsers use to reach this instance.",
    )
    secure_cookies: bool = Field(
        default=True,
        description="Mark session cookies Secure (turn off only for plain-HTTP local testing).",
    )

    @field_validator("database_url")
    @classmethod
    def _known_engine(cls, value: str) -> str:
        if value and not value.startswith(("sqlite", "postgresql")):
            raise ValueError("database_url must be a sqlite:// or postgresql+psycopg:// URL")
        return value

    @property
    def effective_database_url(self) -> str:
        """Return the database URL, defaulting to the SQLite file in the data directory."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'borderwatch.db'}"

    @property
    def keys_dir(self) -> Path:
        """Return the folder for this instance's signing keys."""
        return self.data_dir / "keys"


def load_settings(**overrides: object) -> Settings:
    """Return the settings from the environment (and explicit overrides), or raise ConfigError."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValueError as exc:
        raise ConfigError(f"configuration is invalid: {exc}") from exc
