"""Shared fixtures. Which one to choose:

- `settings` / `instance`: a real borderwatch instance (migrated database, data folder) on SQLite
  and on PostgreSQL: every test that asks for them runs on both engines.
- `sqlite_instance`: SQLite only, for tests about files and the CLI where the engine is not the point.
- PostgreSQL comes from BORDERWATCH_TEST_PG_URL (default: the local server's `test` database); each
  test gets a database of its own, dropped afterwards. Without a server the PostgreSQL half skips
  with the reason, except under CI=true, where it fails: CI must test PostgreSQL for real.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa

from borderwatch.services.instance import Instance, init_instance
from borderwatch.settings import Settings

PG_URL = os.environ.get("BORDERWATCH_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
DATA = Path(__file__).parent / "data"
SHARED = Path(__file__).resolve().parents[2] / "shared"


def _pg_admin_engine() -> sa.Engine | None:
    engine = sa.create_engine(PG_URL, isolation_level="AUTOCOMMIT", pool_pre_ping=True)
    try:
        with engine.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.OperationalError:
        engine.dispose()
        return None
    return engine


@pytest.fixture(scope="session")
def pg_admin() -> Iterator[sa.Engine | None]:
    engine = _pg_admin_engine()
    yield engine
    if engine is not None:
        engine.dispose()


def _require_postgres(pg_admin: sa.Engine | None) -> sa.Engine:
    if pg_admin is None:
        reason = f"PostgreSQL is not reachable at {PG_URL}"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{reason}; under CI=true the PostgreSQL tests must run (.ci/run starts the server)")
        pytest.skip(reason)
    return pg_admin


@pytest.fixture
def pg_url(pg_admin: sa.Engine | None) -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    admin = _require_postgres(pg_admin)
    name = f"bw_test_{uuid.uuid4().hex[:12]}"
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = admin.url.set(database=name).render_as_string(hide_password=False)
    yield url
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'borderwatch.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def settings(database_url: str, tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", database_url=database_url, secure_cookies=False)


@pytest.fixture
def instance(settings: Settings) -> Iterator[Instance]:
    created, _ = init_instance(settings)
    yield created
    created.close()


@pytest.fixture
def sqlite_instance(tmp_path: Path) -> Iterator[Instance]:
    created, _ = init_instance(Settings(data_dir=tmp_path / "data", secure_cookies=False))
    yield created
    created.close()
