"""The audit chain stays whole when many requests append at the same time (both engines).

Found by the iAPI load benchmark: on SQLite two transactions read the same chain head and both
appended the same sequence number; one request failed with a server error.
"""

from __future__ import annotations

import threading

from borderwatch.domain.audit import Role
from borderwatch.services.instance import Instance
from borderwatch.store import audit


def test_concurrent_appends_keep_one_unbroken_chain(instance: Instance) -> None:
    actor = instance.actor(username="officer", role=Role.OFFICER, channel="test")
    errors: list[BaseException] = []

    def append(worker: int) -> None:
        for n in range(15):
            try:
                with instance.db.transaction() as session:
                    audit.record(
                        session, actor, "traveller.read", subject_type="traveller", subject_id=f"{worker}-{n}"
                    )
            except BaseException as exc:
                errors.append(exc)

    threads = [threading.Thread(target=append, args=(w,)) for w in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with instance.db.transaction() as session:
        report = audit.verify(session, actor.agency_id)
    assert report.events == 6 * 15
    assert report.intact
