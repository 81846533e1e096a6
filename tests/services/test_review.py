"""Alert review on both engines: the state machine, four eyes, conflicts, and false-positive memory."""

from __future__ import annotations

from datetime import UTC, date, datetime
from importlib import resources
from pathlib import Path

import pytest

import factories
from borderwatch.domain.alerts import AlertKind, AlertState, Decision, Severity
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.travellers import Flight, Traveller
from borderwatch.errors import AccessDeniedError, ConflictError, InputError, NotFoundError
from borderwatch.services import lists as list_service
from borderwatch.services import review
from borderwatch.services.instance import Instance
from borderwatch.services.screen import match_config, screen_flight
from borderwatch.store import alerts as alert_store
from borderwatch.store import audit
from borderwatch.store import flights as flight_store

NOW = datetime(2026, 11, 29, 8, 0, tzinfo=UTC)


def _actor(instance: Instance, username: str, role: Role = Role.OFFICER, agency: str = "DGSN") -> Actor:
    base = instance.actor(agency=agency)
    return Actor(base.agency_id, base.agency_code, username, role, "test")


def _alert(instance: Instance, severity: Severity = Severity.MEDIUM) -> int:
    """Return the id of a watch-list alert on Molly Lobb (UA988), raised as screening would."""
    system = instance.actor(channel="test")
    with instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, factories.flight())
        added, _ = flight_store.add_travellers(
            session, system, flight_id, [factories.traveller()], message_id=None
        )
        [alert_id] = alert_store.raise_alerts(
            session,
            system,
            [
                alert_store.NewAlert(
                    traveller_id=added[0],
                    flight_id=flight_id,
                    kind=AlertKind.WATCH_LIST,
                    subject="UN:QDi.190",
                    score=0.93 if severity is Severity.HIGH else 0.78,
                    severity=severity,
                    reason="name ~ ABDELKADER LAAGOUB",
                    evidence=[],
                    list_version_id=None,
                    entity_hash="ab" * 32,
                )
            ],
            at=NOW,
        )
    return alert_id


def _actions(detail: alert_store.AlertDetail) -> list[tuple[str, str, str, str]]:
    return [(e["action"], e["actor"], e["from"], e["to"]) for e in detail.history]


def test_assign_and_note_move_a_new_alert_in_review(instance: Instance) -> None:
    alert_id = _alert(instance)
    officer = _actor(instance, "nadia")
    detail = review.assign_alert(instance.db, officer, alert_id, now=NOW)
    assert detail.summary.state is AlertState.IN_REVIEW
    assert detail.assigned_to == "nadia"
    detail = review.add_note(
        instance.db, officer, alert_id, "Passport photo compared: different person.", now=NOW
    )
    assert _actions(detail)[-2:] == [
        ("assign", "nadia@DGSN", "new", "in review"),
        ("note", "nadia@DGSN", "in review", "in review"),
    ]
    assert detail.history[-1]["note"] == "Passport photo compared: different person."
    assert detail.history[-1]["at"].startswith("2026-11-29T08:00")
    with pytest.raises(InputError):
        review.add_note(instance.db, officer, alert_id, "   ")


def test_medium_alert_closes_on_one_decision_and_cannot_be_decided_again(instance: Instance) -> None:
    alert_id = _alert(instance)
    officer = _actor(instance, "nadia")
    detail = review.decide_alert(
        instance.db, officer, alert_id, Decision.FALSE_POSITIVE, "Birth year 1954, listed 1966.", now=NOW
    )
    assert detail.summary.state is AlertState.FALSE_POSITIVE
    assert _actions(detail)[1:] == [
        ("review", "nadia@DGSN", "new", "in review"),
        ("decide", "nadia@DGSN", "in review", "false positive"),
    ]
    assert detail.history[-1]["decision"] == "false positive"
    with pytest.raises(ConflictError, match="already closed"):
        review.decide_alert(instance.db, _actor(instance, "karim"), alert_id, Decision.CONFIRM_MATCH, "no")
    with pytest.raises(ConflictError):
        review.assign_alert(instance.db, officer, alert_id)
    with instance.db.transaction() as session:
        actions = [e.action for e in audit.list_events(session, officer.agency_id, limit=50)]
        assert audit.verify(session, officer.agency_id).intact
    assert {"alert.review", "alert.decide"} <= set(actions)


def test_escalated_alert_is_decided_by_a_supervisor(instance: Instance) -> None:
    alert_id = _alert(instance)
    officer, supervisor = _actor(instance, "nadia"), _actor(instance, "chef", Role.SUPERVISOR)
    detail = review.decide_alert(
        instance.db, officer, alert_id, Decision.ESCALATE, "Unsure: same given name."
    )
    assert detail.summary.state is AlertState.ESCALATED
    with pytest.raises(AccessDeniedError, match="supervisor"):
        review.decide_alert(instance.db, officer, alert_id, Decision.CONFIRM_MATCH, "I think so after all")
    with pytest.raises(ConflictError, match="already escalated"):
        review.decide_alert(instance.db, supervisor, alert_id, Decision.ESCALATE, "again")
    detail = review.decide_alert(
        instance.db, supervisor, alert_id, Decision.CONFIRM_MATCH, "Fingerprints match."
    )
    assert detail.summary.state is AlertState.CONFIRMED_MATCH
    assert _actions(detail)[-1] == ("decide", "chef@DGSN", "escalated", "confirmed match")


def test_high_severity_needs_a_second_different_officer(instance: Instance) -> None:
    alert_id = _alert(instance, Severity.HIGH)
    first, second = _actor(instance, "nadia"), _actor(instance, "karim")
    detail = review.decide_alert(
        instance.db, first, alert_id, Decision.CONFIRM_MATCH, "Names and date match."
    )
    assert detail.summary.state is AlertState.PENDING_APPROVAL
    with pytest.raises(AccessDeniedError, match="four eyes"):
        review.decide_alert(instance.db, first, alert_id, Decision.CONFIRM_MATCH, "Approving my own decision")
    detail = review.decide_alert(instance.db, second, alert_id, Decision.CONFIRM_MATCH, "Checked: agreed.")
    assert detail.summary.state is AlertState.CONFIRMED_MATCH
    assert _actions(detail)[-2:] == [
        ("propose", "nadia@DGSN", "in review", "pending approval"),
        ("approve", "karim@DGSN", "pending approval", "confirmed match"),
    ]


def test_disagreeing_officers_send_it_to_a_supervisor(instance: Instance) -> None:
    alert_id = _alert(instance, Severity.HIGH)
    first, second = _actor(instance, "nadia"), _actor(instance, "karim")
    supervisor = _actor(instance, "chef", Role.SUPERVISOR)
    review.decide_alert(instance.db, first, alert_id, Decision.FALSE_POSITIVE, "Different birth date.")
    detail = review.decide_alert(
        instance.db, second, alert_id, Decision.CONFIRM_MATCH, "Date is approximate."
    )
    assert detail.summary.state is AlertState.ESCALATED
    assert _actions(detail)[-1][0] == "dispute"
    detail = review.decide_alert(instance.db, supervisor, alert_id, Decision.FALSE_POSITIVE, "Other person.")
    assert detail.summary.state is AlertState.PENDING_APPROVAL  # still four eyes at high severity
    detail = review.decide_alert(instance.db, first, alert_id, Decision.FALSE_POSITIVE, "Agreed.")
    assert detail.summary.state is AlertState.FALSE_POSITIVE


def test_other_roles_and_other_agencies_cannot_touch_an_alert(instance: Instance) -> None:
    alert_id = _alert(instance)
    for role in (Role.AUDITOR, Role.ADMIN):
        with pytest.raises(AccessDeniedError):
            review.decide_alert(
                instance.db, _actor(instance, "x", role), alert_id, Decision.FALSE_POSITIVE, "n"
            )
    from borderwatch.domain.agencies import Agency, AgencyCode
    from borderwatch.store import agencies

    with instance.db.transaction() as session:
        agencies.ensure_agency(session, Agency(AgencyCode("UKBF"), "UK Border Force"))
    outsider = _actor(instance, "nadia", agency="UKBF")
    with pytest.raises(NotFoundError):
        review.get_alert(instance.db, outsider, alert_id)
    with pytest.raises(NotFoundError):
        review.assign_alert(instance.db, outsider, alert_id)
    with pytest.raises(NotFoundError):
        review.add_note(instance.db, outsider, alert_id, "peek")
    with pytest.raises(NotFoundError):
        review.decide_alert(instance.db, outsider, alert_id, Decision.FALSE_POSITIVE, "close it")
    assert review.get_alert(instance.db, _actor(instance, "nadia"), alert_id).summary.state is AlertState.NEW


# False-positive memory, with the real UN list and the traveller planted in the demo flight ------------

UN_LIST = resources.files("borderwatch").joinpath("data", "lists", "UN_consolidated.xml")
LAGOUB = factories.traveller(
    family_name="LAGOUB",
    given_names="ABDULKADIR",
    birth_date=date(1966, 4, 23),
    nationality="MAR",
    documents=(factories.travel_document(number="UZ5519283", issuing_state="MAR", nationality="MAR"),),
)


def _trip(instance: Instance, number: str, travellers: list[Traveller]) -> Flight:
    system = instance.actor(channel="test")
    flight = factories.flight(carrier="AT", number=number, departure_port="CMN", arrival_port="LHR")
    with instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, flight)
        flight_store.add_travellers(session, system, flight_id, travellers, message_id=None)
    return flight


def _import(instance: Instance, path: Path) -> None:
    list_service.import_list(instance.db, instance.actor(channel="test"), "un", path, now=NOW)


def _screen(instance: Instance, flight: Flight) -> tuple[list[int], int]:
    report = screen_flight(
        instance.db,
        instance.actor(channel="test"),
        flight.key,
        config=match_config(instance.settings),
        now=NOW,
    )
    return report.new_alerts, report.suppressed


def test_false_positive_is_remembered_until_the_entry_changes(instance: Instance, tmp_path: Path) -> None:
    with resources.as_file(UN_LIST) as path:
        _import(instance, path)
        text = path.read_text(encoding="utf-8")
    [alert_id], suppressed = _screen(instance, _trip(instance, "800", [LAGOUB]))
    assert suppressed == 0
    first, second = _actor(instance, "nadia"), _actor(instance, "karim")
    review.decide_alert(instance.db, first, alert_id, Decision.FALSE_POSITIVE, "Birth place differs.")
    detail = review.decide_alert(instance.db, second, alert_id, Decision.FALSE_POSITIVE, "Agreed.")
    assert detail.summary.state is AlertState.FALSE_POSITIVE

    # Next trip, same identity, same entry content: the hit is not raised again, but counted.
    other = factories.traveller(
        family_name="LAGOUB",
        given_names="ABDULKADIR",
        birth_date=date(1966, 4, 23),
        nationality="MAR",
        documents=(factories.travel_document(number="UZ0000001", issuing_state="MAR", nationality="MAR"),),
    )
    new_alerts, suppressed = _screen(instance, _trip(instance, "802", [LAGOUB, other]))
    assert suppressed == 1
    assert len(new_alerts) == 1  # another passport is another identity: still raised
    with instance.db.transaction() as session:
        assert [e.action for e in audit.list_events(session, first.agency_id, action="alerts.suppress")]

    # The UN amends the entry (a new review sentence): its content hash changes, the memory no longer applies.
    marker = "Review pursuant to Security Council resolution 2610 (2021) was concluded on 30 October 2023."
    start = text.index("<REFERENCE_NUMBER>QDi.190</REFERENCE_NUMBER>")
    at = text.index(marker, start)
    changed = text[:at] + marker + " Review concluded on 1 December 2026." + text[at + len(marker) :]
    amended = tmp_path / "UN_consolidated.xml"
    amended.write_text(changed, encoding="utf-8")
    _import(instance, amended)
    new_alerts, suppressed = _screen(instance, _trip(instance, "804", [LAGOUB]))
    assert (len(new_alerts), suppressed) == (1, 0)
