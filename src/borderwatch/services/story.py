"""The whole story in one run: two agencies, one flight, one exercise (what `borderwatch demo` shows).

The DGSN at Casablanca Mohammed V and the UK Border Force each run their own borderwatch (own
database, keys and users) and share under an agreement. The UK Border Force publishes its lost and
stolen documents to the DGSN; the DGSN receives the PAXLST and PNRGOV of flight AT800 to London,
screens it, confirms a listed person (four eyes) and clears a false alarm; the confirmed hit crosses
to the UK Border Force with only the agreed fields, before the aircraft lands, and is acknowledged;
an instructor runs a joint exercise for a DGSN and a UK Border Force trainee and writes the debrief.

Everything goes through the services the API and CLI use. The run owns its folder: it is reset at
the start, so running it again gives the same outcome. Servers are given by the caller (`serve`),
so that this module stays below the HTTP layer.
"""

from __future__ import annotations

import base64
import shutil
from collections.abc import Callable
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from importlib import resources
from pathlib import Path
from typing import Any

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import Agreement, AgreementId, Direction, ShareableField
from borderwatch.domain.alerts import AlertKind, AlertState, Decision
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.travellers import Flight, PnrMessage, Segment
from borderwatch.domain.watchlists import ListId
from borderwatch.formats.paxlst import parse_paxlst, write_paxlst
from borderwatch.formats.pnrgov import parse_pnrgov, write_pnrgov
from borderwatch.services import audit as audit_service
from borderwatch.services import auth, review, share
from borderwatch.services.debrief import write_debrief
from borderwatch.services.exercises import exercise_results, record_decision, start_generated_exercise
from borderwatch.services.ingest import Received, ingest
from borderwatch.services.instance import Instance, init_instance
from borderwatch.services.keys import init_keys, show_keys
from borderwatch.services.lists import import_list, show_lists
from borderwatch.services.rules import load_rule_set
from borderwatch.services.screen import ScreeningReport, match_config, screen_flight
from borderwatch.settings import Settings

Say = Callable[[str], None]
Serve = Callable[[Instance, int], AbstractContextManager[str]]  # instance, preferred port -> base URL
PORTS = {"DGSN": 8000, "UKBF": 8001}  # where `borderwatch serve` of the story's data will listen

DEMO_PASSWORD = "borderwatch-demo"  # noqa: S105 - printed at the end: demo users only, never a deployment
AGREEMENT_ID = AgreementId("DGSN-UKBF-DEMO")
AGENCIES = {"DGSN": "Direction Générale de la Sûreté Nationale", "UKBF": "UK Border Force"}
STAFF = (Role.OFFICER, Role.SUPERVISOR, Role.ADMIN, Role.AUDITOR)
AGREED_FIELDS = frozenset(
    {
        ShareableField.FAMILY_NAME,
        ShareableField.GIVEN_NAMES,
        ShareableField.BIRTH_DATE,
        ShareableField.NATIONALITY,
        ShareableField.DOCUMENT_NUMBER,
        ShareableField.FLIGHT,
        ShareableField.FLIGHT_DATE,
        ShareableField.REASON,
        ShareableField.ENTITY_ID,
        ShareableField.SCORE,
    }
)
CONFIRMED_ENTITY = "UN:QDi.082"  # the listed person the DGSN officer confirms (MOUNIR EL MOTASSADEQ)
RISKY_RULE = "PNR-CASH-ONE-WAY-24H"  # the booking pattern the officer clears as a false alarm
EXERCISE_SEED = 7
DAY_SHIFT_HOURS = 24  # the flight departs the day after the story runs: the hit must cross before it lands


@dataclass
class StoryReport:
    """What happened at each step, for the narrative and the tests."""

    folder: Path
    agencies: dict[str, Path] = field(default_factory=dict)
    lists: dict[str, dict[str, int]] = field(default_factory=dict)
    shared_list: dict[str, Any] = field(default_factory=dict)
    flight: str = ""
    arrival: datetime | None = None
    ingest: list[dict[str, Any]] = field(default_factory=list)
    screening: ScreeningReport | None = None
    alerts: list[dict[str, Any]] = field(default_factory=list)
    confirmed: dict[str, Any] = field(default_factory=dict)
    cleared: dict[str, Any] = field(default_factory=dict)
    crossed: dict[str, Any] = field(default_factory=dict)
    exercise: dict[str, Any] = field(default_factory=dict)
    report_file: Path | None = None
    audit: dict[str, bool] = field(default_factory=dict)
    logins: dict[str, list[str]] = field(default_factory=dict)
    urls: dict[str, str] = field(
        default_factory=dict
    )  # where each agency was served (and its partner calls it)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "folder": str(self.folder),
            "agencies": {k: str(v) for k, v in self.agencies.items()},
            "lists": self.lists,
            "shared_list": self.shared_list,
            "flight": self.flight,
            "arrival": self.arrival.isoformat() if self.arrival else None,
            "ingest": self.ingest,
            "screening": self.screening.as_dict() if self.screening else None,
            "alerts": self.alerts,
            "confirmed": self.confirmed,
            "cleared": self.cleared,
            "crossed": self.crossed,
            "exercise": self.exercise,
            "report": str(self.report_file) if self.report_file else None,
            "audit_intact": self.audit,
            "logins": self.logins,
            "password": DEMO_PASSWORD,
        }


def _package(*parts: str) -> Any:
    return resources.files("borderwatch").joinpath("data", *parts)


def _reset(folder: Path) -> None:
    """Remove what an earlier run left (only the story's own folders and files)."""
    for name in ("dgsn", "ukbf", "training", "debrief.html"):
        target = folder / name
        if target.is_dir():
            shutil.rmtree(target)
        elif target.exists():
            target.unlink()
    folder.mkdir(parents=True, exist_ok=True)


def _open(folder: Path, code: str) -> Instance:
    settings = Settings(
        data_dir=folder / code.lower(), agency=code, agency_name=AGENCIES[code], secure_cookies=False
    )
    instance, _ = init_instance(settings)
    init_keys(settings.keys_dir)
    return instance


def _staff(instance: Instance, code: str, roles: tuple[Role, ...], now: datetime) -> dict[Role, Actor]:
    system = instance.actor(channel="demo")
    actors = {}
    for role in roles:
        user = auth.create_user(
            instance.db,
            system,
            username=f"{code.lower()}.{role.value}",
            role=role,
            password=DEMO_PASSWORD,
            full_name=f"{code} demo {role.value}",
            now=now,
        )
        actors[role] = user.actor("demo")
    return actors


def _agreement(holder: str, partner: str, partner_url: str, partner_key: bytes) -> Agreement:
    return Agreement(
        id=AGREEMENT_ID,
        agency=AgencyCode(holder),
        partner=AgencyCode(partner),
        partner_url=partner_url,
        partner_public_key=partner_key,
        directions=frozenset({Direction.SEND, Direction.RECEIVE}),
        alert_categories=frozenset({AlertKind.WATCH_LIST}),
        list_ids=frozenset({ListId("LSD:UKBF")}),
        fields=AGREED_FIELDS,
        purpose="Prevention and detection of terrorist offences and serious crime on flights between Morocco "
        "and the United Kingdom (demo agreement).",
        retention_days=30,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )


def _public_key(instance: Instance) -> bytes:
    return base64.b64decode(show_keys(instance.settings.keys_dir).public_key)


def flight_for(day: date) -> tuple[bytes, bytes, Flight]:
    """Return the bundled PAXLST and PNRGOV of AT800 moved to `day` (bookings keep their lead times)."""
    paxlst = _package("demo", "AT800-CMN-LHR.paxlst").read_bytes()
    pnrgov = _package("demo", "AT800-CMN-LHR.pnrgov").read_bytes()
    [manifest] = parse_paxlst(paxlst, source="AT800.paxlst", today=day).records
    old = manifest.flight
    assert old.departure_time is not None
    assert old.arrival_time is not None
    shift = datetime.combine(day, old.departure_time.time()) - old.departure_time
    flight = replace(old, departure_time=old.departure_time + shift, arrival_time=old.arrival_time + shift)
    stamp = flight.departure_time.strftime("%y%m%d/%H%M") if flight.departure_time else ""
    moved = replace(manifest, flight=flight, reference=f"AT800/{stamp}")
    [pnr] = parse_pnrgov(pnrgov, source="AT800.pnrgov", today=day).records

    def move(moment: datetime | None) -> datetime | None:
        return moment + shift if moment is not None else None

    def segment(s: Segment) -> Segment:
        return replace(s, departure_time=move(s.departure_time), arrival_time=move(s.arrival_time))

    bookings = tuple(
        replace(
            b,
            created_at=move(b.created_at),
            ticketed_at=move(b.ticketed_at),
            last_modified_at=move(b.last_modified_at),
            itinerary=tuple(segment(s) for s in b.itinerary),
        )
        for b in pnr.bookings
    )
    pnr_moved = PnrMessage(
        flight, bookings, sender=pnr.sender, message_ref=pnr.message_ref, version=pnr.version
    )
    prepared = flight.departure_time - timedelta(hours=24) if flight.departure_time else None
    return write_paxlst(moved), write_pnrgov(pnr_moved, prepared_at=prepared), flight


def _alert_rows(instance: Instance, actor: Actor) -> list[dict[str, Any]]:
    return [
        {
            "id": a.alert_id,
            "kind": a.kind.value,
            "state": a.state.value,
            "severity": a.severity.value,
            "traveller": a.traveller_name,
            "subject": a.entity_id,
            "score": round(a.score, 3),
            "reason": a.reason,
        }
        for a in review.list_alerts(instance.db, actor, limit=1000)
    ]


def run_story(folder: Path, *, now: datetime, serve: Serve, say: Say | None = None) -> StoryReport:
    """Run the whole story in `folder` (reset first) and return what each step did."""
    tell = say or (lambda _text: None)
    report = StoryReport(folder)
    _reset(folder)
    with ExitStack() as stack:
        # 1. Two agencies, each with its own database, keys and users, and an agreement.
        tell("1/6 Two agencies start: DGSN (Casablanca) and UK Border Force (London)")
        dgsn, ukbf = _open(folder, "DGSN"), _open(folder, "UKBF")
        stack.callback(dgsn.close)
        stack.callback(ukbf.close)
        report.agencies = {"DGSN": dgsn.settings.data_dir, "UKBF": ukbf.settings.data_dir}
        dgsn_staff = _staff(dgsn, "DGSN", (*STAFF, Role.INSTRUCTOR), now)
        ukbf_staff = _staff(ukbf, "UKBF", STAFF, now)
        dgsn_url = stack.enter_context(serve(dgsn, PORTS["DGSN"]))
        ukbf_url = stack.enter_context(serve(ukbf, PORTS["UKBF"]))
        report.urls = {"DGSN": dgsn_url, "UKBF": ukbf_url}
        share.add_agreement(
            dgsn.db,
            dgsn.actor(channel="demo"),
            _agreement("DGSN", "UKBF", ukbf_url, _public_key(ukbf)),
            now=now,
        )
        share.add_agreement(
            ukbf.db,
            ukbf.actor(channel="demo"),
            _agreement("UKBF", "DGSN", dgsn_url, _public_key(dgsn)),
            now=now,
        )

        # 2. Lists: both import the UN list; UK Border Force shares its lost and stolen documents.
        tell("2/6 Both import the UN list; UK Border Force shares its lost and stolen documents")
        with resources.as_file(_package("lists", "UN_consolidated.xml")) as un_file:
            for code, instance in (("DGSN", dgsn), ("UKBF", ukbf)):
                imported = import_list(instance.db, instance.actor(channel="demo"), "un", un_file, now=now)
                report.lists[code] = {"UN": imported.entries}
        with resources.as_file(_package("demo", "ukbf_lost_stolen.csv")) as lsd_file:
            own = import_list(ukbf.db, ukbf.actor(channel="demo"), "lost-stolen", lsd_file, now=now)
        report.lists["UKBF"]["LSD:UKBF"] = own.entries
        published = share.publish_list(ukbf.db, ukbf.actor(channel="demo"), "LSD:UKBF", AGREEMENT_ID, now=now)
        share.deliver(ukbf, now=now)
        received = {
            s.list_id: s.version.entries if s.version else 0
            for s in show_lists(dgsn.db, dgsn.actor(channel="demo"))
        }
        report.shared_list = {
            "published": published.added,
            "messages": len(published.messages),
            "received_by_dgsn": received.get("LSD:UKBF", 0),
        }

        # 3. The flight: PAXLST and PNRGOV in, screening, an officer's decisions.
        tell("3/6 DGSN receives flight AT800 CMN->LHR (PAXLST and PNRGOV) and screens it")
        day = (now + timedelta(hours=DAY_SHIFT_HOURS)).date()
        paxlst, pnrgov, flight = flight_for(day)
        report.flight, report.arrival = flight.key, flight.arrival_time
        ingested = ingest(
            dgsn.db,
            dgsn.actor(channel="demo"),
            [Received("AT800-CMN-LHR.paxlst", paxlst), Received("AT800-CMN-LHR.pnrgov", pnrgov)],
            today=now.date(),
        )
        report.ingest = [m.as_dict() for m in ingested.messages]
        officer, supervisor = dgsn_staff[Role.OFFICER], dgsn_staff[Role.SUPERVISOR]
        report.screening = screen_flight(
            dgsn.db,
            officer,
            flight.key,
            config=match_config(dgsn.settings),
            now=now,
            rules=load_rule_set(None),
        )
        report.alerts = _alert_rows(dgsn, officer)
        confirmed = next(a for a in report.alerts if a["subject"] == CONFIRMED_ENTITY)
        review.decide_alert(
            dgsn.db,
            officer,
            confirmed["id"],
            Decision.CONFIRM_MATCH,
            "Passport photo and birth date match the UN notice; nationality MAR as listed.",
            now=now,
        )
        closed = review.get_alert(dgsn.db, supervisor, confirmed["id"])
        if closed.summary.state is AlertState.PENDING_APPROVAL:
            closed = review.decide_alert(
                dgsn.db,
                supervisor,
                confirmed["id"],
                Decision.CONFIRM_MATCH,
                "Second check: same person (four eyes).",
                now=now + timedelta(minutes=3),
            )
        report.confirmed = {**confirmed, "state": closed.summary.state.value}
        # The one-way cash booking is a known business traveller: each rule alert on it is cleared.
        risky = next(a for a in report.alerts if a["subject"] == RISKY_RULE)
        cleared_ids = []
        for alert in report.alerts:
            if alert["kind"] != AlertKind.RISK_RULE.value or alert["traveller"] != risky["traveller"]:
                continue
            cleared = review.decide_alert(
                dgsn.db,
                officer,
                alert["id"],
                Decision.FALSE_POSITIVE,
                "Return ticket bought separately; business traveller known to the airline.",
                now=now + timedelta(minutes=5),
            )
            if cleared.summary.state is AlertState.PENDING_APPROVAL:
                cleared = review.decide_alert(
                    dgsn.db,
                    supervisor,
                    alert["id"],
                    Decision.FALSE_POSITIVE,
                    "Agreed.",
                    now=now + timedelta(minutes=7),
                )
            cleared_ids.append(alert["id"])
        report.cleared = {
            "traveller": risky["traveller"],
            "ids": cleared_ids,
            "subjects": [a["subject"] for a in report.alerts if a["id"] in cleared_ids],
            "state": AlertState.FALSE_POSITIVE.value,
        }

        # 4. The confirmed hit crosses to UK Border Force, which acknowledges it.
        tell("4/6 The confirmed hit reaches UK Border Force under the agreement")
        sent_at = now + timedelta(minutes=8)
        share.deliver(dgsn, now=sent_at)
        ukbf_officer = ukbf_staff[Role.OFFICER]
        received_alerts = [
            a for a in review.list_alerts(ukbf.db, ukbf_officer, limit=100) if a.kind is AlertKind.PARTNER
        ]
        detail = (
            review.get_alert(ukbf.db, ukbf_officer, received_alerts[0].alert_id) if received_alerts else None
        )
        # UK Border Force's server queued its acknowledgement on its own clock when the alert
        # arrived over loopback; it is due by that clock, whatever day the story is told for.
        share.deliver(ukbf, now=max(sent_at + timedelta(seconds=30), datetime.now(UTC)))
        history = review.get_alert(dgsn.db, officer, confirmed["id"]).history
        report.crossed = {
            "received": len(received_alerts),
            "fields": sorted((detail.shared_data or {}).keys()) if detail else [],
            "origin": detail.origin if detail else "",
            "before_arrival": bool(report.arrival and sent_at.replace(tzinfo=None) < report.arrival),
            "acknowledged": any(h["action"] == "partner_ack" for h in history),
        }

        # 5. A joint exercise for a DGSN and a UK Border Force trainee.
        tell("5/6 An instructor runs a joint exercise for a DGSN and a UK Border Force trainee")
        instructor = dgsn_staff[Role.INSTRUCTOR]
        started = start_generated_exercise(
            dgsn.db,
            instructor,
            route="CMN-LHR",
            passengers=60,
            difficulty="medium",
            seed=EXERCISE_SEED,
            trainees=["dgsn.trainee", "ukbf.trainee"],
            scenarios_dir=folder / "training",
            config=match_config(dgsn.settings),
            now=now,
            title="Joint DGSN-UKBF exercise, AT800",
        )
        exercise_id = started.exercise.exercise_id
        _trainees_decide(dgsn, instructor, exercise_id, now)
        results = exercise_results(dgsn.db, instructor, exercise_id)
        report.exercise = {
            "id": exercise_id,
            "alerts": started.alerts,
            "scores": {
                t.trainee: {
                    "found": len(t.found),
                    "missed": len(t.missed),
                    "false_alarms": len(t.false_alarms),
                    "recall": round(t.recall, 3),
                }
                for t in results.summary.trainees
            },
        }
        report.report_file = write_debrief(dgsn.db, instructor, exercise_id, folder / "debrief.html")

        # 6. Where everything is, and the audit trails verified.
        tell("6/6 Verifying both audit trails")
        for code, instance in (("DGSN", dgsn), ("UKBF", ukbf)):
            report.audit[code] = all(chain.report.intact for chain in audit_service.verify_all(instance.db))
        report.logins = {
            "DGSN": [f"dgsn.{r.value}" for r in (*STAFF, Role.INSTRUCTOR)],
            "UKBF": [f"ukbf.{r.value}" for r in STAFF],
        }
    return report


def _trainees_decide(instance: Instance, instructor: Actor, exercise_id: int, now: datetime) -> None:
    """Script the trainees: the DGSN trainee follows the answer key; the UK trainee misses two cases."""
    results = exercise_results(instance.db, instructor, exercise_id)
    should_flag = {c.case_id for c in results.answer_key.cases if c.should_flag}
    misses = 0
    for step, link in enumerate(sorted(results.links, key=lambda link: link.alert_id)):
        right = Decision.CONFIRM_MATCH if link.case_id in should_flag else Decision.FALSE_POSITIVE
        record_decision(
            instance.db,
            instructor,
            exercise_id,
            link.alert_id,
            right,
            trainee="dgsn.trainee",
            note="as decided in the exercise",
            now=now + timedelta(seconds=45 * (step + 1)),
        )
        theirs = right
        if right is Decision.CONFIRM_MATCH and misses < 2 and link.kind != AlertKind.WATCH_LIST.value:
            theirs, misses = Decision.FALSE_POSITIVE, misses + 1
        record_decision(
            instance.db,
            instructor,
            exercise_id,
            link.alert_id,
            theirs,
            trainee="ukbf.trainee",
            note="as decided in the exercise",
            now=now + timedelta(seconds=70 * (step + 1)),
        )


def story_folder(settings: Settings) -> Path:
    """Return the folder the story resets and fills: `demo/` in the data directory."""
    return settings.data_dir / "demo"
