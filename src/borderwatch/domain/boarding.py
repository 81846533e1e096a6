"""Interactive API (iAPI) answers: board, no board, or refer to an officer, with the reasons.

An airline asks at check-in whether a traveller may board; the answer must come in a fraction of a
second and be explainable. The rules here turn what screening found into that answer:

- NO_BOARD: the travel document is reported lost or stolen, it has expired, or the traveller
  matches a listed person whose entry asks to refuse entry or arrest, with a near-certain score;
- REFER: any other watch-list hit at or above the alert threshold, or a high-severity risk rule,
  or a document that could not be checked: an officer decides, the airline holds the traveller;
- BOARD: nothing found.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import Enum

from borderwatch.domain.alerts import Severity
from borderwatch.domain.hits import Hit
from borderwatch.domain.risk_rules import RuleHit
from borderwatch.domain.travellers import DocumentType, Traveller
from borderwatch.domain.watchlists import ListEntry

NO_BOARD_CATEGORIES = frozenset({"arrest", "refuse entry"})


class BoardingAnswer(Enum):
    """The answer returned to the airline for one traveller."""

    BOARD = "board"
    NO_BOARD = "no board"
    REFER = "refer"


@dataclass(frozen=True, slots=True)
class BoardingDecision:
    """One traveller's answer with the reasons an officer (and the airline, in short) can read."""

    answer: BoardingAnswer
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class BoardingPolicy:
    """Thresholds of the boarding answer (an agency setting in the end, defaults here)."""

    no_board_score: float = 0.95  # a hit this sure on an arrest / refuse-entry entry answers NO_BOARD


def decide_boarding(
    traveller: Traveller,
    *,
    today: date,
    hits: Sequence[Hit],
    entries: dict[str, ListEntry],
    reported_documents: Sequence[str],
    rule_hits: Sequence[RuleHit],
    policy: BoardingPolicy | None = None,
) -> BoardingDecision:
    """Return the boarding answer for one traveller from what screening found."""
    rules = policy or BoardingPolicy()
    no_board: list[str] = []
    refer: list[str] = []
    for number in reported_documents:
        no_board.append(f"document {number} is reported lost or stolen")
    document = traveller.main_document
    if document is None:
        refer.append("no travel document reported")
    elif document.expiry_date is not None and document.expiry_date < today:
        no_board.append(
            f"{_kind(document.doc_type)} {document.number} expired on {document.expiry_date.isoformat()}"
        )
    for hit in hits:
        entry = entries.get(hit.entity_id)
        category = entry.category if entry is not None else ""
        text = f"may be {hit.matched_name} ({hit.entity_id}), score {hit.score:.2f}"
        if category in NO_BOARD_CATEGORIES and hit.score >= rules.no_board_score:
            no_board.append(f"{text}; listed to {category}")
        else:
            refer.append(text)
    for rule_hit in rule_hits:
        if rule_hit.severity is Severity.HIGH:
            refer.append(f"{rule_hit.title}: {rule_hit.explanation}")
    if no_board:
        return BoardingDecision(BoardingAnswer.NO_BOARD, tuple(no_board + refer))
    if refer:
        return BoardingDecision(BoardingAnswer.REFER, tuple(refer))
    return BoardingDecision(BoardingAnswer.BOARD, ())


def _kind(doc_type: DocumentType) -> str:
    return doc_type.name.lower().replace("_", " ")
