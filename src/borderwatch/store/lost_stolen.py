"""Lost and stolen travel documents: one row per document per list version, looked up in memory."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from borderwatch.domain.watchlists import LostStolenDocument, normalise_document_number
from borderwatch.store.tables import LostStolenRow

BATCH = 5000


def add_documents(session: Session, version_id: int, documents: Sequence[LostStolenDocument]) -> None:
    """Store the documents of one list version (bulk insert in batches)."""
    for start in range(0, len(documents), BATCH):
        rows = [
            {
                "list_version_id": version_id,
                "issuing_state": d.issuing_state.upper(),
                "number": d.number,
                "number_normalised": normalise_document_number(d.number),
                "doc_type": d.doc_type,
                "reported_on": d.reported_on,
                "record_id": d.record_id,
            }
            for d in documents[start : start + BATCH]
        ]
        session.execute(insert(LostStolenRow), rows)


def document_keys(session: Session, version_id: int) -> Iterator[tuple[str, str]]:
    """Yield (issuing state, normalised number) of every document of one version."""
    result = session.execute(
        select(LostStolenRow.issuing_state, LostStolenRow.number_normalised)
        .where(LostStolenRow.list_version_id == version_id)
        .execution_options(yield_per=BATCH)
    )
    yield from ((state, number) for state, number in result)


def find_document(
    session: Session, version_ids: Sequence[int], state: str, number: str
) -> LostStolenDocument | None:
    """Return the reported document with this state and number in any of the versions, or None."""
    row = session.execute(
        select(LostStolenRow)
        .where(
            LostStolenRow.list_version_id.in_(version_ids),
            LostStolenRow.issuing_state == state.upper(),
            LostStolenRow.number_normalised == normalise_document_number(number),
        )
        .limit(1)
    ).scalar_one_or_none()
    if row is None:
        return None
    return LostStolenDocument(row.issuing_state, row.number, row.doc_type, row.reported_on, row.record_id)
