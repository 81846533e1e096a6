"""`borderwatch retention run`: depersonalise and delete API/PNR data, purge what partners sent.

For every agency of the instance, with `today` passed in: (1) API and PNR data stored more than
`depersonalise_after_days` ago are depersonalised; (2) those stored more than `delete_after_days`
ago are deleted; (3) data received from partners whose agreement's retention ends by the end of
`today` is purged, including data received under agreements since revoked; (4) message ids
remembered against replays are forgotten once their protection has ended. Each step is one
transaction with its audit event. What depersonalisation masks is first sealed (encrypted with a key
derived from the instance secret) so that a supervisor can approve re-personalising one record
(`services/repersonalisation.py`); deletion deletes the sealed copy too.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.retention import cutoffs
from borderwatch.services.instance import Instance
from borderwatch.store import agencies as agency_store
from borderwatch.store import exchange as exchange_store
from borderwatch.store import retention as retention_store
from borderwatch.store.sealed import sealing_key


@dataclass
class RetentionReport:
    """What one retention run did, per agency."""

    today: date
    depersonalise_before: datetime
    delete_before: datetime
    agencies: dict[str, dict[str, dict[str, int]]] = field(default_factory=dict)
    inbox_forgotten: int = 0

    def as_dict(self) -> dict[str, object]:
        """Return the report as JSON-ready data."""
        return {
            "today": self.today.isoformat(),
            "depersonalise_before": self.depersonalise_before.isoformat(),
            "delete_before": self.delete_before.isoformat(),
            "agencies": self.agencies,
            "inbox_forgotten": self.inbox_forgotten,
        }


def run_retention(
    instance: Instance, *, today: date, channel: str = "cli:retention run", now: datetime | None = None
) -> RetentionReport:
    """Apply retention for every agency of the instance as of `today`; return the counts of each step."""
    settings = instance.settings
    limits = cutoffs(
        today,
        depersonalise_after_days=settings.depersonalise_after_days,
        delete_after_days=settings.delete_after_days,
    )
    moment = now or datetime.now(UTC)
    end_of_today = datetime.combine(today, time(0), tzinfo=UTC) + timedelta(days=1)
    report = RetentionReport(today, limits.depersonalise_before, limits.delete_before)
    db = instance.db
    key = sealing_key(instance.secret())
    with db.transaction() as session:
        agencies = agency_store.list_agencies(session)
    for agency_id, agency in agencies:
        actor = Actor(agency_id, agency.code, "retention", Role.SYSTEM, channel)
        steps: dict[str, dict[str, int]] = {}
        with db.transaction() as session:
            steps["depersonalised"] = retention_store.depersonalise(
                session, actor, before=limits.depersonalise_before, at=moment, key=key
            )
        with db.transaction() as session:
            steps["deleted"] = retention_store.delete_expired(
                session, actor, before=limits.delete_before, at=moment
            )
        with db.transaction() as session:
            due = exchange_store.received_due(session, agency_id, before=end_of_today)
            steps["partner_data_purged"] = exchange_store.purge_received(
                session, actor, due, at=moment, reason=f"agreement retention ended by {today.isoformat()}"
            )
        report.agencies[agency.code] = steps
    with db.transaction() as session:
        report.inbox_forgotten = exchange_store.forget_expired_messages(
            session, now=datetime.combine(today, time(0), tzinfo=UTC)
        )
    return report
