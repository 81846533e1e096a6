"""The iAPI boarding answer: no board, refer or board, always with the reasons."""

from __future__ import annotations

from datetime import date

from borderwatch.domain.alerts import Severity
from borderwatch.domain.boarding import BoardingAnswer, decide_boarding
from borderwatch.domain.hits import Hit
from borderwatch.domain.risk_rules import RuleHit
from borderwatch.domain.travellers import Traveller
from borderwatch.domain.watchlists import EntityId, EntityKind, ListedName, ListEntry, ListSource
from factories import travel_document, traveller

TODAY = date(2026, 11, 29)


def _valid() -> Traveller:
    return traveller(documents=(travel_document(expiry_date=date(2030, 1, 1)),))


def _entry(entity: str, category: str = "") -> ListEntry:
    return ListEntry(
        EntityId(entity),
        ListSource.NATIONAL,
        EntityKind.PERSON,
        (ListedName("LOBB MOLLY"),),
        category=category,
    )


def _hit(entity: str, score: float) -> Hit:
    return Hit(EntityId(entity), score, "LOBB MOLLY")


def _rule(severity: Severity) -> RuleHit:
    return RuleHit(
        "R1", 1, "default", severity, "One-way cash ticket", "paid in cash 3 hours before departure", ()
    )


def test_nothing_found_boards() -> None:
    decision = decide_boarding(
        _valid(), today=TODAY, hits=[], entries={}, reported_documents=[], rule_hits=[]
    )
    assert decision.answer is BoardingAnswer.BOARD
    assert decision.reasons == ()


def test_lost_or_stolen_document_means_no_board() -> None:
    decision = decide_boarding(
        _valid(), today=TODAY, hits=[], entries={}, reported_documents=["796428965"], rule_hits=[]
    )
    assert decision.answer is BoardingAnswer.NO_BOARD
    assert decision.reasons == ("document 796428965 is reported lost or stolen",)


def test_expired_document_means_no_board() -> None:
    expired = traveller(documents=(travel_document(expiry_date=date(2026, 1, 1)),))
    decision = decide_boarding(expired, today=TODAY, hits=[], entries={}, reported_documents=[], rule_hits=[])
    assert decision.answer is BoardingAnswer.NO_BOARD
    assert "expired on 2026-01-01" in decision.reasons[0]


def test_watch_list_hit_is_referred_unless_sure_and_listed_to_refuse() -> None:
    entries = {"NAT:UKBF:1": _entry("NAT:UKBF:1", "refuse entry"), "UN:QDi.1": _entry("UN:QDi.1")}
    sure = decide_boarding(
        _valid(),
        today=TODAY,
        hits=[_hit("NAT:UKBF:1", 0.99)],
        entries=entries,
        reported_documents=[],
        rule_hits=[],
    )
    assert sure.answer is BoardingAnswer.NO_BOARD
    assert "listed to refuse entry" in sure.reasons[0]
    unsure = decide_boarding(
        _valid(),
        today=TODAY,
        hits=[_hit("NAT:UKBF:1", 0.8)],
        entries=entries,
        reported_documents=[],
        rule_hits=[],
    )
    assert unsure.answer is BoardingAnswer.REFER
    sanctions = decide_boarding(
        _valid(),
        today=TODAY,
        hits=[_hit("UN:QDi.1", 0.99)],
        entries=entries,
        reported_documents=[],
        rule_hits=[],
    )
    assert sanctions.answer is BoardingAnswer.REFER
    assert sanctions.reasons == ("may be LOBB MOLLY (UN:QDi.1), score 0.99",)


def test_only_high_severity_rules_refer() -> None:
    low = decide_boarding(
        _valid(), today=TODAY, hits=[], entries={}, reported_documents=[], rule_hits=[_rule(Severity.MEDIUM)]
    )
    assert low.answer is BoardingAnswer.BOARD
    high = decide_boarding(
        _valid(), today=TODAY, hits=[], entries={}, reported_documents=[], rule_hits=[_rule(Severity.HIGH)]
    )
    assert high.answer is BoardingAnswer.REFER
    assert high.reasons == ("One-way cash ticket: paid in cash 3 hours before departure",)


def test_traveller_without_document_is_referred() -> None:
    decision = decide_boarding(
        traveller(documents=()), today=TODAY, hits=[], entries={}, reported_documents=[], rule_hits=[]
    )
    assert decision.answer is BoardingAnswer.REFER
    assert decision.reasons == ("no travel document reported",)
