"""SQLite WAL checkpoints taken off the request path by the serving workers' background thread."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import func, select, text

from borderwatch.services.instance import Instance, init_instance
from borderwatch.settings import Settings
from borderwatch.store import audit
from borderwatch.store.tables import AuditEventRow


def _append(instance: Instance, count: int) -> None:
    actor = instance.actor(channel="test")
    for n in range(count):
        with instance.db.write_connection() as connection:
            audit.record(connection, actor, "test.append", subject_id=n, at=datetime.now(UTC))


def test_checkpoint_copies_the_log_into_the_database(tmp_path: Path) -> None:
    instance, _ = init_instance(Settings(data_dir=tmp_path))
    _append(instance, 20)
    busy, log, copied = instance.db.checkpoint()
    assert busy == 0
    assert log > 0
    assert copied == log  # nobody was reading: every page of the log went into the database


def test_background_thread_checkpoints_instead_of_the_committing_request(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance, _ = init_instance(Settings(data_dir=tmp_path))
    db = instance.db
    seen: list[tuple[int, int, int]] = []
    checkpoint = db.checkpoint

    def recorded() -> tuple[int, int, int]:
        result = checkpoint()
        seen.append(result)
        return result

    monkeypatch.setattr(db, "checkpoint", recorded)
    thread = db.checkpoint_in_background(every=0.05)
    assert thread is not None
    assert thread.is_alive()
    assert thread.daemon
    with db.engine.connect() as connection:  # commits no longer checkpoint on their own
        assert connection.execute(text("PRAGMA wal_autocheckpoint")).scalar() == 0
    _append(instance, 30)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and not any(log > 0 and copied == log for _, log, copied in seen):
        time.sleep(0.05)
    assert any(log > 0 and copied == log for _, log, copied in seen), seen
    with db.reading() as session:  # nothing was lost on the way
        appended = session.execute(
            select(func.count()).select_from(AuditEventRow).where(AuditEventRow.action == "test.append")
        ).scalar_one()
    assert appended == 30
    db.dispose()
    thread.join(timeout=5)
    assert not thread.is_alive()  # disposing the database ends its checkpoints
