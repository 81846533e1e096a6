"""Engines, sessions and migrations: the one door to the database.

SQLite (one file, WAL, foreign keys on) is the embedded default; PostgreSQL is the production
database. Engine differences live here and nowhere else.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import create_engine, event, inspect
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from borderwatch.errors import StorageError

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
READ_ONLY = "borderwatch_read_only"


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # pysqlite starts a transaction only at the first write, so a read-then-write (the audit chain
    # reads its head, then appends) would read outside the transaction and two writers could both
    # append the same sequence number. Take transactions into our hands: see _sqlite_begin.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def _no_autocheckpoint(dbapi_connection: Any, _record: Any) -> None:
    # A commit that crosses 1,000 WAL pages would otherwise copy them into the database and sync it,
    # on the request that happened to commit: see Database.checkpoint_in_background.
    dbapi_connection.execute("PRAGMA wal_autocheckpoint=0")


def _sqlite_begin(connection: Any) -> None:
    # BEGIN IMMEDIATE takes SQLite's write lock at the start: transactions that write run one after
    # the other (others wait up to busy_timeout), and what a transaction reads stays true until it
    # commits. Read-only transactions (`Database.reading()`) take no write lock: with WAL they see
    # one snapshot and never block a writer.
    if connection.get_execution_options().get(READ_ONLY):
        connection.exec_driver_sql("BEGIN")
    else:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


class Database:
    """An engine and a session factory for one database URL."""

    def __init__(self, url: str) -> None:
        self.url = url
        if url.startswith("sqlite"):
            path = url.split("///", 1)[-1]
            if path and path != ":memory:":
                Path(path).parent.mkdir(parents=True, exist_ok=True)
            self.engine: Engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
            event.listen(self.engine, "connect", _sqlite_pragmas)
            event.listen(self.engine, "begin", _sqlite_begin)
        else:
            self.engine = create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=10)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        self._stop_checkpoints = threading.Event()  # set by `dispose`
        self._read_engine = self.engine.execution_options(**{READ_ONLY: True})
        self._read_sessions = sessionmaker(self._read_engine, expire_on_commit=False)

    @property
    def is_sqlite(self) -> bool:
        """True for the embedded SQLite database."""
        return self.engine.dialect.name == "sqlite"

    @contextmanager
    def _storage_errors(self) -> Iterator[None]:
        """Turn the driver's operational errors (locked, unreachable...) into StorageError."""
        try:
            yield
        except OperationalError as exc:
            raise StorageError(f"database error on {self.describe()}: {exc.orig}") from exc

    @contextmanager
    def transaction(self) -> Iterator[Session]:
        """Yield a session inside one transaction: committed on success, rolled back on error."""
        with self._storage_errors(), self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def reading(self) -> Iterator[Session]:
        """Yield a session for reading only (one consistent snapshot; never blocks writers)."""
        with self._storage_errors(), self._read_sessions() as session, session.begin():
            yield session

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """Yield a Core connection in a read-only transaction: `reading` without an ORM session, for
        the one-statement reads every request makes (its user)."""
        with self._storage_errors(), self._read_engine.connect() as connection, connection.begin():
            yield connection

    @contextmanager
    def write_connection(self) -> Iterator[Connection]:
        """Yield a Core connection in one writing transaction (committed on success), without an ORM
        session: for the single audit append of an interactive check."""
        with self._storage_errors(), self.engine.begin() as connection:
            yield connection

    def checkpoint(self) -> tuple[int, int, int]:
        """SQLite: copy what the write-ahead log holds into the database without waiting for anyone
        (PASSIVE); return (busy, pages in the log, pages copied). (0, 0, 0) on PostgreSQL."""
        if not self.is_sqlite:
            return (0, 0, 0)
        raw = self.engine.raw_connection()
        try:
            row = raw.cursor().execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
        finally:
            raw.close()
        busy, log, copied = row
        return int(busy), int(log), int(copied)

    def checkpoint_in_background(self, every: float = 1.0) -> threading.Thread | None:
        """SQLite: take WAL checkpoints off the request path, onto a daemon thread, every `every` s.

        Connections made from now on no longer checkpoint when a commit crosses 1,000 WAL pages (the
        committing request would wait for the copy and the disk sync: ~1 in 300 audited requests
        took 5-15 ms longer); the thread does it instead. For the serving workers; the CLI keeps
        SQLite's default. Runs until `dispose`; returns the thread (None on PostgreSQL, whose server
        does this itself).
        """
        if not self.is_sqlite:
            return None
        event.listen(self.engine, "connect", _no_autocheckpoint)
        self.engine.dispose()  # pooled connections come back with the setting
        self._stop_checkpoints.clear()
        thread = threading.Thread(
            target=self._checkpoint_loop, args=(every,), name="borderwatch-wal-checkpoint", daemon=True
        )
        thread.start()
        return thread

    def _checkpoint_loop(self, every: float) -> None:
        while not self._stop_checkpoints.wait(every):
            try:
                self.checkpoint()
            except (SQLAlchemyError, sqlite3.Error) as exc:  # busy, or the file is gone: log it, try again
                logging.getLogger("borderwatch.store").warning("WAL checkpoint failed: %s", exc)

    def describe(self) -> str:
        """Return the URL without any password, for messages."""
        return self.engine.url.render_as_string(hide_password=True)

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (creates the database when new)."""
        try:
            with self.engine.begin() as connection:
                config = alembic_config(self.url)
                config.attributes["connection"] = connection
                command.upgrade(config, "head")
        except SQLAlchemyError as exc:
            raise StorageError(f"could not migrate {self.describe()}: {exc}") from exc

    def table_names(self) -> list[str]:
        """Return the names of the tables that exist."""
        return sorted(inspect(self.engine).get_table_names())

    def dispose(self) -> None:
        """Close every pooled connection (and stop the background checkpoints, if any)."""
        self._stop_checkpoints.set()
        self.engine.dispose()


def alembic_config(url: str) -> Config:
    """Return an Alembic configuration for `url`, using the migrations shipped in the package."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config
