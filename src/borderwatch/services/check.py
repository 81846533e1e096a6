"""Interactive checks (iAPI): a traveller or a whole flight in, board / no board / refer out.

Answers come from the same screening as batch manifests (names, lost and stolen documents, risk
rules) over the indexes already in memory, so one traveller takes a few milliseconds. Each request
is audited (who asked, for which flight, how many travellers, which answers); the travellers are
not stored here: the airline's batch PAXLST brings them into the flight and raises the alerts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from borderwatch.domain.audit import Actor
from borderwatch.domain.boarding import BoardingDecision, decide_boarding
from borderwatch.domain.hits import Hit, MatchConfig
from borderwatch.domain.risk_rules import RuleSet
from borderwatch.domain.travellers import Flight, Traveller
from borderwatch.services.screen import load_lists, screen_one
from borderwatch.store import audit
from borderwatch.store.session import Database


@dataclass(frozen=True, slots=True)
class CheckResult:
    """The answer for one traveller of a check request."""

    reference: str  # the airline's passenger reference, or the position in the request
    traveller: Traveller
    decision: BoardingDecision
    hits: tuple[Hit, ...]

    def as_dict(self) -> dict[str, Any]:
        """Return the answer as JSON-ready data."""
        return {
            "reference": self.reference,
            "traveller": self.traveller.display_name,
            "answer": self.decision.answer.value,
            "reasons": list(self.decision.reasons),
            "hits": [
                {"entity": h.entity_id, "score": round(h.score, 4), "matched_name": h.matched_name}
                for h in self.hits
            ],
        }


def check_travellers(
    db: Database,
    actor: Actor,
    travellers: Sequence[tuple[str, Traveller]],
    *,
    flight: Flight | None,
    config: MatchConfig,
    rules: RuleSet | None,
    now: datetime,
) -> list[CheckResult]:
    """Return the boarding answer for each (reference, traveller); the request is audited."""
    lists = load_lists(db, actor)
    results = []
    for reference, traveller in travellers:
        hits, reported, rule_hits = screen_one(traveller, lists, config, rules=rules, flight=flight, now=now)
        decision = decide_boarding(
            traveller,
            today=now.date(),
            hits=hits,
            entries=lists.entries,
            reported_documents=[d.number for d in reported],
            rule_hits=rule_hits,
        )
        results.append(CheckResult(reference, traveller, decision, hits))
    answers = Counter(r.decision.answer.value for r in results)
    with db.write_connection() as connection:
        audit.record(
            connection,
            actor,
            "iapi.check",
            subject_type="flight",
            subject_id=flight.key if flight else "",
            at=now,
            detail={"travellers": len(results), "answers": dict(answers)},
        )
    return results
