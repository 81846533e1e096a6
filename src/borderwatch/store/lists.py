"""Watch lists and their versions: every import kept whole, one version active per list."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from borderwatch.domain.audit import Actor
from borderwatch.domain.watchlists import ListEntry, ListId, ListSource, ListVersion
from borderwatch.errors import NotFoundError
from borderwatch.store import audit
from borderwatch.store.codec import content_hash, from_json, to_json
from borderwatch.store.tables import ListEntryRow, ListVersionRow, WatchListRow


@dataclass(frozen=True, slots=True)
class StoredList:
    """A watch list with its active version."""

    list_id: str
    kind: str
    title: str
    version: ListVersion | None
    version_id: int | None


def _to_version(list_id: str, source: ListSource, row: ListVersionRow) -> ListVersion:
    return ListVersion(
        ListId(list_id),
        row.version,
        source,
        row.source_date,
        row.imported_at,
        row.content_hash,
        row.entries,
        row.file_name,
    )


def _source_of(kind: str) -> ListSource:
    return {
        "un": ListSource.UN,
        "ofac": ListSource.OFAC,
        "ftm": ListSource.FTM,
        "national": ListSource.NATIONAL,
        "lost-stolen": ListSource.LOST_STOLEN,
    }[kind]


def find_list(session: Session, agency_id: int, list_id: str) -> WatchListRow | None:
    """Return the agency's list row with this id, or None."""
    return session.execute(
        select(WatchListRow).where(WatchListRow.agency_id == agency_id, WatchListRow.list_id == list_id)
    ).scalar_one_or_none()


def active_version_hash(session: Session, agency_id: int, list_id: str) -> str | None:
    """Return the content hash of the list's active version, or None when never imported."""
    row = find_list(session, agency_id, list_id)
    if row is None or row.active_version_id is None:
        return None
    version = session.get(ListVersionRow, row.active_version_id)
    return version.content_hash if version else None


def add_version(
    session: Session,
    actor: Actor,
    *,
    list_id: str,
    kind: str,
    title: str,
    entries: Sequence[ListEntry],
    source_hash: str,
    source_date: datetime | None,
    imported_at: datetime,
    file_name: str,
    delta: dict[str, Any],
    problems: list[Any],
    entry_count: int | None = None,
) -> ListVersion:
    """Store a new version of a list with its entries, make it active, and audit it.

    `entry_count` is given for lists whose records live in their own table (lost and stolen documents).
    """
    row = find_list(session, actor.agency_id, list_id)
    if row is None:
        row = WatchListRow(agency_id=actor.agency_id, list_id=list_id, kind=kind, title=title)
        session.add(row)
        session.flush()
    number = (
        session.execute(
            select(func.max(ListVersionRow.version)).where(ListVersionRow.watch_list_id == row.id)
        ).scalar_one()
        or 0
    ) + 1
    version = ListVersionRow(
        watch_list_id=row.id,
        version=number,
        source_date=source_date,
        imported_at=imported_at,
        content_hash=source_hash,
        entries=len(entries) if entry_count is None else entry_count,
        file_name=file_name,
        delta=delta,
        problems=problems,
    )
    session.add(version)
    session.flush()
    session.add_all(
        ListEntryRow(
            list_version_id=version.id,
            entity_id=entry.entity_id,
            kind=entry.kind.value,
            primary_name=entry.primary_name,
            content_hash=content_hash(entry),
            data=to_json(entry),
        )
        for entry in entries
    )
    row.active_version_id = version.id
    audit.record(
        session,
        actor,
        "list.import",
        subject_type="list",
        subject_id=list_id,
        detail={
            "version": number,
            "entries": version.entries,
            "sha256": source_hash,
            "file": file_name,
            **delta.get("counts", {}),
        },
    )
    return _to_version(list_id, _source_of(kind), version)


def active_version_id(session: Session, agency_id: int, list_id: str) -> int:
    """Return the id of the list's active version, or raise NotFoundError."""
    row = find_list(session, agency_id, list_id)
    if row is None or row.active_version_id is None:
        raise NotFoundError(f"no list {list_id!r} has been imported")
    return row.active_version_id


def list_lists(session: Session, agency_id: int) -> list[StoredList]:
    """Return the agency's lists with their active versions."""
    rows = (
        session.execute(
            select(WatchListRow).where(WatchListRow.agency_id == agency_id).order_by(WatchListRow.list_id)
        )
        .scalars()
        .all()
    )
    result = []
    for row in rows:
        version_row = session.get(ListVersionRow, row.active_version_id) if row.active_version_id else None
        version = _to_version(row.list_id, _source_of(row.kind), version_row) if version_row else None
        result.append(StoredList(row.list_id, row.kind, row.title, version, row.active_version_id))
    return result


def versions(session: Session, agency_id: int, list_id: str) -> list[tuple[ListVersion, dict[str, Any]]]:
    """Return every version of a list, oldest first, with the delta each brought."""
    row = find_list(session, agency_id, list_id)
    if row is None:
        raise NotFoundError(f"no list {list_id!r} has been imported")
    found = session.execute(
        select(ListVersionRow).where(ListVersionRow.watch_list_id == row.id).order_by(ListVersionRow.version)
    ).scalars()
    return [(_to_version(list_id, _source_of(row.kind), v), v.delta or {}) for v in found]


def entries_of_version(session: Session, version_id: int) -> list[ListEntry]:
    """Return the entries of one stored version."""
    rows = session.execute(
        select(ListEntryRow.data).where(ListEntryRow.list_version_id == version_id)
    ).scalars()
    return [from_json(ListEntry, data) for data in rows]


def entry_hashes(session: Session, version_id: int) -> dict[str, str]:
    """Return entity id -> content hash for one stored version."""
    rows = session.execute(
        select(ListEntryRow.entity_id, ListEntryRow.content_hash).where(
            ListEntryRow.list_version_id == version_id
        )
    )
    return {entity: digest for entity, digest in rows}


def active_entries(
    session: Session, agency_id: int, *, kinds: Sequence[str] | None = None
) -> tuple[list[ListEntry], dict[str, int]]:
    """Return the entries of every active list version of the agency, and list id -> version id."""
    query = select(WatchListRow).where(
        WatchListRow.agency_id == agency_id, WatchListRow.active_version_id.is_not(None)
    )
    if kinds:
        query = query.where(WatchListRow.kind.in_(kinds))
    entries: list[ListEntry] = []
    version_ids: dict[str, int] = {}
    for row in session.execute(query).scalars():
        assert row.active_version_id is not None
        version_ids[row.list_id] = row.active_version_id
        entries.extend(entries_of_version(session, row.active_version_id))
    return entries, version_ids
