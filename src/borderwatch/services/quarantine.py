"""The quarantine: what could not be ingested, kept with its bytes and reasons until dealt with."""

from __future__ import annotations

from borderwatch.domain.audit import Actor
from borderwatch.store import messages as message_store
from borderwatch.store.messages import QuarantinedItem
from borderwatch.store.session import Database


def list_items(db: Database, actor: Actor, *, include_closed: bool = False) -> list[QuarantinedItem]:
    """Return the agency's quarantined items (open ones unless `include_closed`)."""
    with db.transaction() as session:
        return message_store.list_quarantine(session, actor, status=None if include_closed else "open")


def show_item(db: Database, actor: Actor, item_id: int) -> QuarantinedItem:
    """Return one quarantined item with its raw bytes (the read is audited)."""
    with db.transaction() as session:
        return message_store.get_quarantined(session, actor, item_id)
