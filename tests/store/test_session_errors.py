"""Every way into the database turns the driver's operational errors into StorageError."""

from __future__ import annotations

from collections.abc import Callable
from contextlib import AbstractContextManager
from pathlib import Path

import pytest
from sqlalchemy import text

from borderwatch.errors import StorageError
from borderwatch.store.session import Database


@pytest.mark.parametrize(
    "door",
    [
        lambda db: db.transaction(),
        lambda db: db.reading(),
        lambda db: db.read_connection(),
        lambda db: db.write_connection(),
    ],
    ids=["transaction", "reading", "read_connection", "write_connection"],
)
def test_unopenable_database_is_a_storage_error(
    tmp_path: Path, door: Callable[[Database], AbstractContextManager[object]]
) -> None:
    db = Database(f"sqlite:///{tmp_path}")  # a folder, not a database file: SQLite cannot open it
    with pytest.raises(StorageError, match="database error on sqlite"), door(db) as handle:
        handle.execute(text("SELECT 1"))  # type: ignore[attr-defined]
    db.dispose()
