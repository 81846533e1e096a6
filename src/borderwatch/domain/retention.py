"""Retention of API and PNR data: when records are depersonalised and deleted, and what masking hides.

Following the EU PNR Directive (2016/681) article 12: after the first period, the data elements
that could identify a person (names, contact details, document numbers, payment and frequent-flyer
details) are masked, and the rest is kept for statistics and risk rules; after the second period
everything is deleted.

Documented exceptions (docs/retention.md): a traveller with an alert still under review is
neither depersonalised nor deleted until the alert is closed; a confirmed match keeps its
traveller personalised until the deletion date, then goes with it. Data received from a partner
follows the retention of its agreement instead. Pure: `today` is passed in.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

MASK = "***"

# Keys masked wherever they appear in a stored booking (PNRGOV data as `to_json(Booking)`).
BOOKING_MASKED_KEYS = frozenset(
    {
        "family_name",
        "given_names",
        "birth_place",
        "contacts",
        "addresses",
        "payer_name",
        "payer_address",
        "payer_phone",
        "card_number_masked",
        "frequent_flyer",
        "ticket_number",
        "title",
    }
)


@dataclass(frozen=True, slots=True)
class RetentionCutoffs:
    """The instants before which stored data is depersonalised, and deleted."""

    today: date
    depersonalise_before: datetime
    delete_before: datetime


def cutoffs(today: date, *, depersonalise_after_days: int, delete_after_days: int) -> RetentionCutoffs:
    """Return the cut-off instants for `today` (00:00 UTC): data stored before them is due."""
    if depersonalise_after_days < 1 or delete_after_days < 1:
        raise ValueError("retention periods must be at least one day")
    start = datetime.combine(today, time(0), tzinfo=UTC)
    return RetentionCutoffs(
        today,
        start - timedelta(days=depersonalise_after_days),
        start - timedelta(days=delete_after_days),
    )


def mask_text(value: str) -> str:
    """Return the mask for a non-empty text (an empty one stays empty: nothing was there)."""
    return MASK if value else ""


def _mask(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, list):
        return [_mask(item) for item in value]
    return value


def depersonalise_booking(data: Mapping[str, Any]) -> dict[str, Any]:
    """Return a stored booking with names, contacts, document numbers and payment identity masked."""

    def walk(value: Any, in_documents: bool) -> Any:
        if isinstance(value, Mapping):
            return {
                key: _mask(item)
                if key in BOOKING_MASKED_KEYS or (in_documents and key == "number")
                else walk(item, key == "documents")
                for key, item in value.items()
            }
        if isinstance(value, list):
            return [walk(item, in_documents) for item in value]
        return value

    # `number` is a document number only inside `documents` (a segment's `number` is the flight's).
    result: dict[str, Any] = walk(data, False)
    return result
