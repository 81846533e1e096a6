"""Importing watch lists: parse, compare with the active version, store a new version (all or nothing).

Kinds: `un` (UN Security Council XML), `ofac` (SDN legacy CSV with alt.csv / add.csv), `ftm`
(OpenSanctions FollowTheMoney JSON lines), `national` (an agency's own list, CSV) and
`lost-stolen` (lost and stolen travel documents, CSV). Every import is a version with the source's
date, the import time and a content hash; the same content twice changes nothing; a file that
cannot be read leaves the active version as it was.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from borderwatch.domain.audit import Actor
from borderwatch.domain.hits import MatchConfig
from borderwatch.domain.watchlists import ListVersion, diff_entries
from borderwatch.errors import InputError
from borderwatch.formats.lists.common import ParsedList
from borderwatch.formats.lists.ftm import parse_ftm
from borderwatch.formats.lists.lost_stolen import parse_lost_stolen
from borderwatch.formats.lists.national import parse_national_list
from borderwatch.formats.lists.ofac import parse_ofac
from borderwatch.formats.lists.un import parse_un_list
from borderwatch.services.reference import country_table
from borderwatch.services.rescreen import RescreenReport, rescreen_recent
from borderwatch.services.screen import SCREENED_KINDS, forget_active_lists
from borderwatch.store import lists as list_store
from borderwatch.store import lost_stolen as lost_stolen_store
from borderwatch.store.codec import content_hash
from borderwatch.store.messages import sha256
from borderwatch.store.session import Database

LIST_KINDS = ("un", "ofac", "ftm", "national", "lost-stolen")
MAX_LIST_BYTES = 512 * 1024 * 1024
DELTA_IDS_KEPT = 5000  # a version's stored delta names at most this many ids per kind (counts are exact)


@dataclass(frozen=True, slots=True)
class ListFile:
    """A list as received: its kind, file name and bytes (OFAC: alt.csv and add.csv beside sdn.csv)."""

    kind: str
    name: str
    data: bytes
    alt: bytes | None = None
    add: bytes | None = None
    agency: str = ""  # national lists: whose list it is (a partner's shared subset); empty: the importer's


@dataclass(frozen=True, slots=True)
class ImportReport:
    """What one list import did."""

    list_id: str
    kind: str
    file: str
    entries: int
    changed: bool  # False when the same content was already the active version
    version: ListVersion | None
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    modified: dict[str, list[str]] = field(default_factory=dict)
    problems: list[dict[str, object]] = field(default_factory=list)
    rescreen: RescreenReport | None = None

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        version = self.version
        return {
            "list": self.list_id,
            "kind": self.kind,
            "file": self.file,
            "entries": self.entries,
            "changed": self.changed,
            "version": version.version if version else None,
            "source_date": version.source_date.isoformat() if version and version.source_date else None,
            "content_hash": version.content_hash if version else None,
            "added": len(self.added),
            "removed": len(self.removed),
            "modified": len(self.modified),
            "problems": self.problems,
            "rescreen": self.rescreen.as_dict() if self.rescreen else None,
        }


def _read(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_LIST_BYTES:
            raise InputError(
                f"{path}: {size} bytes is more than the {MAX_LIST_BYTES} bytes a list may have",
                source=str(path),
            )
        return path.read_bytes()
    except FileNotFoundError as exc:
        raise InputError(f"{path}: no such file", source=str(path)) from exc
    except IsADirectoryError as exc:
        raise InputError(f"{path}: is a folder, not a list file", source=str(path)) from exc
    except PermissionError as exc:
        raise InputError(f"{path}: not readable (permission denied)", source=str(path)) from exc


def read_list_file(kind: str, path: Path) -> ListFile:
    """Return the list file's bytes (for `ofac`, with alt.csv and add.csv from beside sdn.csv)."""
    kind = kind.lower()
    if kind not in LIST_KINDS:
        raise InputError(f"unknown list kind {kind!r}: use one of {', '.join(LIST_KINDS)}", field="kind")
    if kind == "ofac":
        alt, add = path.with_name("alt.csv"), path.with_name("add.csv")
        return ListFile(
            kind,
            path.name,
            _read(path),
            _read(alt) if alt.exists() else None,
            _read(add) if add.exists() else None,
        )
    return ListFile(kind, path.name, _read(path))


def _parse(file: ListFile, agency: str) -> tuple[str, str, ParsedList]:
    countries = country_table()
    if file.kind == "un":
        return (
            "UN",
            "UN Security Council Consolidated List",
            parse_un_list(file.data, countries=countries, source=file.name),
        )
    if file.kind == "ofac":
        return (
            "OFAC",
            "OFAC Specially Designated Nationals",
            parse_ofac(file.data, file.alt, file.add, countries=countries, source=file.name),
        )
    if file.kind == "ftm":
        dataset = file.name.split(".", 1)[0] or "opensanctions"
        return (
            f"FTM:{dataset}",
            f"OpenSanctions data: {dataset}",
            parse_ftm(file.data, countries=countries, source=file.name),
        )
    return (
        f"NAT:{agency}",
        f"National watch list of {agency}",
        parse_national_list(file.data, agency=agency, countries=countries, source=file.name),
    )


def import_list(
    db: Database,
    actor: Actor,
    kind: str,
    path: Path,
    *,
    now: datetime | None = None,
    rescreen_days: int = 0,
    config: MatchConfig | None = None,
    list_id: str | None = None,
) -> ImportReport:
    """Import a list file as a new version of the agency's list (see `import_list_file`)."""
    return import_list_file(
        db,
        actor,
        read_list_file(kind, path),
        now=now,
        rescreen_days=rescreen_days,
        config=config,
        list_id=list_id,
    )


def import_list_file(
    db: Database,
    actor: Actor,
    file: ListFile,
    *,
    now: datetime | None = None,
    rescreen_days: int = 0,
    config: MatchConfig | None = None,
    list_id: str | None = None,
) -> ImportReport:
    """Import a list as a new version of the agency's list, unless its content is already active.

    All or nothing: a file that cannot be read raises InputError and the active version stays.
    When the version adds or changes entities and `rescreen_days` > 0, the travellers of the last
    `rescreen_days` days are screened against those entities only, and new hits raise alerts.
    `list_id` overrides the default id (a partner's shared list is kept apart from one's own).
    """
    moment = now or datetime.now(UTC)
    if file.kind == "lost-stolen":
        return _import_lost_stolen(db, actor, file, list_id or f"LSD:{actor.agency_code}", moment)
    default_id, title, parsed = _parse(file, file.agency or actor.agency_code)
    list_id = list_id or default_id
    problems = [p.as_dict() for p in parsed.problems]
    with db.transaction() as session:
        if list_store.active_version_hash(session, actor.agency_id, list_id) == parsed.content_hash:
            return ImportReport(
                list_id, file.kind, file.name, len(parsed.entries), False, None, problems=problems
            )
        stored = list_store.find_list(session, actor.agency_id, list_id)
        previous = stored.active_version_id if stored is not None else None
        added, removed, modified = _delta(session, previous, parsed)
        version = list_store.add_version(
            session,
            actor,
            list_id=list_id,
            kind=file.kind,
            title=title,
            entries=parsed.entries,
            source_hash=parsed.content_hash,
            source_date=parsed.source_date,
            imported_at=moment,
            file_name=file.name,
            delta=_stored_delta(added, removed, modified),
            problems=problems,
        )
    forget_active_lists()
    rescreened = None
    if rescreen_days > 0 and (added or modified) and file.kind in SCREENED_KINDS:
        rescreened = rescreen_recent(
            db, actor, [*added, *modified], days=rescreen_days, config=config or MatchConfig(), now=moment
        )
    return ImportReport(
        list_id,
        file.kind,
        file.name,
        len(parsed.entries),
        True,
        version,
        added,
        removed,
        modified,
        problems,
        rescreened,
    )


def _stored_delta(added: list[str], removed: list[str], modified: dict[str, list[str]]) -> dict[str, Any]:
    return {
        "added": added[:DELTA_IDS_KEPT],
        "removed": removed[:DELTA_IDS_KEPT],
        "changed": dict(list(modified.items())[:DELTA_IDS_KEPT]),
        "counts": {"added": len(added), "removed": len(removed), "changed": len(modified)},
    }


def _delta(
    session: Session, version_id: int | None, parsed: ParsedList
) -> tuple[list[str], list[str], dict[str, list[str]]]:
    old_hashes = list_store.entry_hashes(session, version_id) if version_id is not None else {}
    new_hashes = {str(e.entity_id): content_hash(e) for e in parsed.entries}
    added = sorted(set(new_hashes) - set(old_hashes))
    removed = sorted(set(old_hashes) - set(new_hashes))
    changed_ids = {k for k in set(new_hashes) & set(old_hashes) if new_hashes[k] != old_hashes[k]}
    modified: dict[str, list[str]] = {}
    if changed_ids and version_id is not None:
        old = [e for e in list_store.entries_of_version(session, version_id) if e.entity_id in changed_ids]
        new = [e for e in parsed.entries if e.entity_id in changed_ids]
        modified = {str(change.entity_id): list(change.fields) for change in diff_entries(old, new).changed}
    return added, removed, modified


def _import_lost_stolen(
    db: Database, actor: Actor, file: ListFile, list_id: str, moment: datetime
) -> ImportReport:
    result = parse_lost_stolen(file.data, countries=country_table(), source=file.name)
    digest = sha256(file.data)
    problems = [p.as_dict() for p in result.problems]
    documents = list(result.records)
    with db.transaction() as session:
        if list_store.active_version_hash(session, actor.agency_id, list_id) == digest:
            return ImportReport(list_id, file.kind, file.name, len(documents), False, None, problems=problems)
        stored = list_store.find_list(session, actor.agency_id, list_id)
        old_keys = (
            set(lost_stolen_store.document_keys(session, stored.active_version_id))
            if stored is not None and stored.active_version_id is not None
            else set()
        )
        new_keys = {(d.issuing_state.upper(), d.key[1]) for d in documents}
        added = sorted(f"{s}:{n}" for s, n in new_keys - old_keys)
        removed = sorted(f"{s}:{n}" for s, n in old_keys - new_keys)
        version = list_store.add_version(
            session,
            actor,
            list_id=list_id,
            kind=file.kind,
            title=f"Lost and stolen documents ({list_id})",
            entries=(),
            entry_count=len(documents),
            source_hash=digest,
            source_date=None,
            imported_at=moment,
            file_name=file.name,
            delta=_stored_delta(added, removed, {}),
            problems=problems,
        )
        version_id = list_store.active_version_id(session, actor.agency_id, list_id)
        lost_stolen_store.add_documents(session, version_id, documents)
    forget_active_lists()
    return ImportReport(
        list_id, file.kind, file.name, len(documents), True, version, added, removed, {}, problems
    )


def show_lists(db: Database, actor: Actor) -> list[list_store.StoredList]:
    """Return the agency's lists with their active versions."""
    with db.transaction() as session:
        return list_store.list_lists(session, actor.agency_id)


def list_history(db: Database, actor: Actor, list_id: str) -> list[tuple[ListVersion, dict[str, Any]]]:
    """Return every version of a list with the delta each brought, oldest first."""
    with db.transaction() as session:
        return list_store.versions(
            session, actor.agency_id, list_id.upper() if ":" not in list_id else list_id
        )
