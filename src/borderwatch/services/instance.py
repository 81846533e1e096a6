"""An instance: settings and database together, as the entry points hand them to services.

Two instances can live in one process (one per agency in the exchange tests and the demo).
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from borderwatch.domain.agencies import Agency, AgencyCode, AgencyKind
from borderwatch.domain.audit import Actor, Role
from borderwatch.errors import ConfigError
from borderwatch.settings import Settings
from borderwatch.store import agencies
from borderwatch.store.session import Database


@dataclass
class Instance:
    """Settings plus the database they name, opened once."""

    settings: Settings
    db: Database = field(init=False)

    def __post_init__(self) -> None:
        self.db = Database(self.settings.effective_database_url)

    def actor(
        self,
        username: str = "system",
        role: Role = Role.SYSTEM,
        channel: str = "cli",
        agency: str | None = None,
    ) -> Actor:
        """Return an actor of this instance's default agency (or of `agency`)."""
        code = agency or self.settings.agency
        with self.db.transaction() as session:
            agency_id = agencies.agency_id(session, code)
        return Actor(agency_id, code, username, role, channel)

    @property
    def secret_file(self) -> Path:
        """Return the file holding the secret that signs tokens and session cookies."""
        return self.settings.secret_key_file or self.settings.data_dir / "secret.key"

    def secret(self) -> bytes:
        """Return the secret that signs tokens and cookies (settings.session_secret, else the secret file)."""
        if self.settings.session_secret is not None:
            value = self.settings.session_secret.get_secret_value()
        else:
            try:
                value = self.secret_file.read_text(encoding="ascii").strip()
            except OSError as exc:
                raise ConfigError(
                    f"cannot read the secret file {self.secret_file}: {exc.strerror} (run `borderwatch init`)"
                ) from exc
        # 32 bytes: the HMAC-SHA256 key length (RFC 2104 section 3 advises at least the hash output size).
        if len(value) < 32:
            raise ConfigError("the session secret must be at least 32 characters long")
        return value.encode("utf-8")

    def close(self) -> None:
        """Release the database connections."""
        self.db.dispose()


@dataclass(frozen=True, slots=True)
class InitReport:
    """What `init` did."""

    database: str
    data_dir: Path
    agency: str
    tables: int


def init_instance(settings: Settings) -> tuple[Instance, InitReport]:
    """Create the data folder, migrate the database and register the default agency; return the instance."""
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise ConfigError(f"cannot create the data directory {settings.data_dir}: {exc.strerror}") from exc
    secret_file = settings.secret_key_file or settings.data_dir / "secret.key"
    if not secret_file.exists():
        _write_secret(secret_file)
    instance = Instance(settings)
    instance.db.migrate()
    with instance.db.transaction() as session:
        agencies.ensure_agency(
            session, Agency(AgencyCode(settings.agency), settings.agency_name, AgencyKind.LIVE)
        )
    report = InitReport(
        instance.db.describe(), settings.data_dir, settings.agency, len(instance.db.table_names())
    )
    return instance, report


def _write_secret(path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    # Created 0600 from the start (never readable by others, not even for a moment):
    # the secret signs session cookies and tokens.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as handle:
        handle.write(secrets.token_urlsafe(48))


def open_instance(settings: Settings) -> Instance:
    """Return the instance for settings, migrating the schema when it is behind (cheap when current)."""
    instance, _ = init_instance(settings)
    return instance
