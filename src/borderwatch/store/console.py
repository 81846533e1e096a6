"""Read-only queries the web console needs and the aggregate repositories do not offer yet.

Every query is limited to one agency. Reads of personal data are audited by the caller's
service through `store.audit` in the same transaction (see services/console.py); the queries
here that return no personal data (counts, list entries of public lists) are not.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from borderwatch.domain.alerts import AlertKind, AlertState
from borderwatch.domain.watchlists import ListEntry, normalise_document_number
from borderwatch.store.codec import from_json
from borderwatch.store.tables import (
    AlertRow,
    ListEntryRow,
    ListVersionRow,
    LostStolenRow,
    WatchListRow,
)

LOST_STOLEN_KIND = "lost-stolen"


def alert_days(session: Session, agency_id: int, *, since: datetime) -> list[datetime]:
    """Return the creation time of each of the agency's alerts raised since a moment (no personal data)."""
    return list(
        session.execute(
            select(AlertRow.created_at).where(AlertRow.agency_id == agency_id, AlertRow.created_at >= since)
        ).scalars()
    )


def count_alerts(session: Session, agency_id: int, states: Sequence[AlertState] | None = None) -> int:
    """Return how many of the agency's alerts are in one of `states` (all when None)."""
    query = select(func.count()).select_from(AlertRow).where(AlertRow.agency_id == agency_id)
    if states:
        query = query.where(AlertRow.state.in_([s.value for s in states]))
    return int(session.execute(query).scalar_one())


@dataclass(frozen=True, slots=True)
class FlightAlert:
    """One alert raised on a flight, by traveller (for the manifest view)."""

    alert_id: int
    traveller_id: int
    kind: AlertKind
    state: AlertState
    subject: str
    score: float


def flight_alerts(session: Session, agency_id: int, flight_id: int) -> list[FlightAlert]:
    """Return the alerts of one of the agency's flights, oldest first."""
    rows = session.execute(
        select(
            AlertRow.id,
            AlertRow.traveller_id,
            AlertRow.kind,
            AlertRow.state,
            AlertRow.subject,
            AlertRow.score,
        )
        .where(AlertRow.agency_id == agency_id, AlertRow.flight_id == flight_id)
        .order_by(AlertRow.id)
    ).all()
    return [
        FlightAlert(int(i), int(t), AlertKind(k), AlertState(s), subject, float(score))
        for i, t, k, s, subject, score in rows
        if t is not None
    ]


def reported_documents(
    session: Session, agency_id: int, documents: Sequence[tuple[str, str]]
) -> dict[tuple[str, str], str]:
    """Return (issuing state, normalised number) -> list id for documents on an active lost/stolen list."""
    versions = dict(
        session.execute(
            select(WatchListRow.active_version_id, WatchListRow.list_id).where(
                WatchListRow.agency_id == agency_id,
                WatchListRow.kind == LOST_STOLEN_KIND,
                WatchListRow.active_version_id.is_not(None),
            )
        ).all()
    )
    numbers = sorted({normalise_document_number(n) for _, n in documents if n})
    if not versions or not numbers:
        return {}
    found: dict[tuple[str, str], str] = {}
    for start in range(0, len(numbers), 500):
        rows = session.execute(
            select(
                LostStolenRow.issuing_state, LostStolenRow.number_normalised, LostStolenRow.list_version_id
            ).where(
                LostStolenRow.list_version_id.in_(list(versions)),
                LostStolenRow.number_normalised.in_(numbers[start : start + 500]),
            )
        ).all()
        for state, number, version_id in rows:
            found[(state.upper(), number)] = str(versions[version_id])
    return found


@dataclass(frozen=True, slots=True)
class ListedEntry:
    """A list entry with the list it belongs to."""

    entry: ListEntry
    list_id: str
    list_kind: str
    list_title: str
    version: int


def entry_of_version(session: Session, agency_id: int, version_id: int, entity_id: str) -> ListedEntry | None:
    """Return one entry of one of the agency's list versions (as that version read), or None."""
    found = session.execute(
        select(
            ListEntryRow.data,
            WatchListRow.list_id,
            WatchListRow.kind,
            WatchListRow.title,
            ListVersionRow.version,
        )
        .join(ListVersionRow, ListVersionRow.id == ListEntryRow.list_version_id)
        .join(WatchListRow, WatchListRow.id == ListVersionRow.watch_list_id)
        .where(
            ListEntryRow.list_version_id == version_id,
            ListEntryRow.entity_id == entity_id,
            WatchListRow.agency_id == agency_id,
        )
    ).first()
    if found is None:
        return None
    data, list_id, kind, title, version = found
    return ListedEntry(from_json(ListEntry, data), list_id, kind, title, int(version))


def active_entry(session: Session, agency_id: int, entity_id: str) -> ListedEntry | None:
    """Return the entry with this id in one of the agency's active list versions, or None."""
    found = session.execute(
        select(ListEntryRow.list_version_id)
        .join(WatchListRow, WatchListRow.active_version_id == ListEntryRow.list_version_id)
        .where(WatchListRow.agency_id == agency_id, ListEntryRow.entity_id == entity_id)
        .limit(1)
    ).scalar_one_or_none()
    return None if found is None else entry_of_version(session, agency_id, int(found), entity_id)


def search_active_entries(
    session: Session, agency_id: int, text: str, *, limit: int = 50, offset: int = 0
) -> list[ListedEntry]:
    """Return active entries whose primary name or id contains `text` (case-insensitive), by name."""
    pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
    rows = session.execute(
        select(
            ListEntryRow.data,
            WatchListRow.list_id,
            WatchListRow.kind,
            WatchListRow.title,
            ListVersionRow.version,
        )
        .join(ListVersionRow, ListVersionRow.id == ListEntryRow.list_version_id)
        .join(WatchListRow, WatchListRow.active_version_id == ListEntryRow.list_version_id)
        .where(
            WatchListRow.agency_id == agency_id,
            or_(
                ListEntryRow.primary_name.ilike(pattern, escape="\\"),
                ListEntryRow.entity_id.ilike(pattern, escape="\\"),
            ),
        )
        .order_by(ListEntryRow.primary_name, ListEntryRow.entity_id)
        .limit(limit)
        .offset(offset)
    ).all()
    return [ListedEntry(from_json(ListEntry, d), lid, kind, title, int(v)) for d, lid, kind, title, v in rows]


def active_entries_by_id(session: Session, agency_id: int, entity_ids: Sequence[str]) -> list[ListedEntry]:
    """Return the active entries with these ids (any order; ids not found are left out)."""
    if not entity_ids:
        return []
    rows = session.execute(
        select(
            ListEntryRow.data,
            WatchListRow.list_id,
            WatchListRow.kind,
            WatchListRow.title,
            ListVersionRow.version,
        )
        .join(ListVersionRow, ListVersionRow.id == ListEntryRow.list_version_id)
        .join(WatchListRow, WatchListRow.active_version_id == ListEntryRow.list_version_id)
        .where(WatchListRow.agency_id == agency_id, ListEntryRow.entity_id.in_(list(entity_ids)))
    ).all()
    return [ListedEntry(from_json(ListEntry, d), lid, kind, title, int(v)) for d, lid, kind, title, v in rows]
