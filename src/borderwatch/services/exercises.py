"""Training exercises: a scenario ingested and screened in a training agency, trainees' decisions, scores.

An exercise runs in the training agency `<AGENCY>-TRAINING` (kind training), created on first use.
The scenario's PAXLST and PNRGOV go through the same `ingest` and `screen_flight` (watch lists, lost
and stolen documents, the default risk rules) as live data, with the training agency's actor, so
the agency filter of every repository keeps the two worlds apart. The training agency has its own
copy of the UN list and the scenario's lost/stolen list; the passports' MRZs, read at the gate in
real life, are checked with the MRZ rules and a wrong check digit becomes a "document check" alert.

Trainees do not move alerts through the review workflow: each decision is recorded for its trainee
only, so one trainee's decision never changes what another one sees. Scoring is the pure arithmetic
of `domain/exercises.py`.
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from borderwatch.domain.agencies import Agency, AgencyCode, AgencyKind
from borderwatch.domain.alerts import AlertKind, AlertSummary, Decision, Severity
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.exercises import (
    AlertLink,
    AnswerKey,
    ExerciseSummary,
    TraineeDecision,
    link_alert,
    summarise_exercise,
)
from borderwatch.domain.hits import MatchConfig
from borderwatch.domain.watchlists import normalise_document_number
from borderwatch.errors import AccessDeniedError, InputError, NotFoundError
from borderwatch.services.console import AlertReview, review_of_alert
from borderwatch.services.documents import check_mrz
from borderwatch.services.ingest import IngestReport, ingest, read_files
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.services.rules import load_rule_set
from borderwatch.services.screen import ScreeningReport, screen_flight
from borderwatch.services.train import (
    UN_LIST,
    ScenarioFolder,
    packaged_un_list,
    read_scenario_folder,
    scenario_spec,
    write_scenario,
)
from borderwatch.store import agencies as agency_store
from borderwatch.store import alerts as alert_store
from borderwatch.store import flights as flight_store
from borderwatch.store import training as training_store
from borderwatch.store.alerts import AlertDetail
from borderwatch.store.session import Database
from borderwatch.store.training import StoredExercise
from borderwatch.store.users import User

TRAINING_SUFFIX = "-TRAINING"
INSTRUCTOR_ROLES = frozenset({Role.INSTRUCTOR, Role.ADMIN, Role.SYSTEM})
TRAINEE_ROLES = frozenset({Role.TRAINEE})
MAX_NOTE_CHARS = 4000
MAX_TRAINEES = 50


def training_agency_code(code: str) -> str:
    """Return the code of the training tenant of an agency (`DGSN` -> `DGSN-TRAINING`)."""
    return code if code.endswith(TRAINING_SUFFIX) else f"{code}{TRAINING_SUFFIX}"


def training_actor(db: Database, actor: Actor) -> Actor:
    """Return the actor acting in the training tenant of the actor's agency (created when missing).

    An actor of a training agency is returned as is; an actor of a live agency becomes the same person
    acting in `<AGENCY>-TRAINING`, so that everything the exercise writes belongs to the training tenant.
    """
    with db.transaction() as session:
        for agency_id, agency in agency_store.list_agencies(session):
            if agency_id == actor.agency_id and agency.kind is AgencyKind.TRAINING:
                return actor
        code = training_agency_code(actor.agency_code)
        training_id = agency_store.ensure_agency(
            session, Agency(AgencyCode(code), f"Training tenant of {actor.agency_code}", AgencyKind.TRAINING)
        )
        for agency_id, agency in agency_store.list_agencies(session):
            if agency_id == training_id and agency.kind is not AgencyKind.TRAINING:
                raise AccessDeniedError(
                    f"agency {code} exists but is not a training tenant; exercises refused"
                )
    return Actor(training_id, code, actor.username, actor.role, actor.channel)


def _require(actor: Actor, roles: frozenset[Role], what: str) -> None:
    if actor.role not in roles:
        allowed = ", ".join(sorted(r.value for r in roles))
        raise AccessDeniedError(f"role {actor.role.value!r} may not {what} (allowed: {allowed})")


def _trainee_names(trainees: Sequence[str]) -> list[str]:
    names = list(dict.fromkeys(t.strip().lower() for t in trainees if t.strip()))
    if not names:
        raise InputError("name at least one trainee (--trainee NAME)", field="trainee", reason="no trainee")
    if len(names) > MAX_TRAINEES:
        raise InputError(f"{len(names)} trainees: at most {MAX_TRAINEES} per exercise", field="trainee")
    for name in names:
        if len(name) > 80:
            raise InputError(f"trainee name {name[:20]!r}... is longer than 80 characters", field="trainee")
    return names


@dataclass
class ExerciseStarted:
    """What starting an exercise did: the exercise, the ingest and the screening of its flight."""

    exercise: StoredExercise
    agency: str
    ingest: IngestReport
    screening: ScreeningReport
    document_alerts: int
    alerts: int
    problems: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "exercise": self.exercise.as_dict(),
            "agency": self.agency,
            "ingest": self.ingest.as_dict(),
            "screened": self.screening.travellers,
            "document_alerts": self.document_alerts,
            "alerts": self.alerts,
            "problems": self.problems,
        }


def _mrz_alerts(
    folder: ScenarioFolder, key: AnswerKey, travellers: list[flight_store.StoredTraveller], flight_id: int
) -> tuple[list[alert_store.NewAlert], list[dict[str, Any]]]:
    """Return a document-check alert for every passport whose MRZ breaks a rule, and unreadable rows."""
    by_number: dict[str, flight_store.StoredTraveller] = {}
    for stored in travellers:
        for doc in stored.traveller.documents:
            by_number.setdefault(normalise_document_number(doc.number), stored)
    alerts: list[alert_store.NewAlert] = []
    problems: list[dict[str, Any]] = []
    text = folder.mrz_file.read_text(encoding="utf-8")
    for line_number, row in enumerate(csv.DictReader(io.StringIO(text)), start=2):
        lines = [row.get("line1") or "", row.get("line2") or ""]
        number = row.get("document_number") or ""
        if not all(lines):
            problems.append(
                {
                    "source": folder.mrz_file.name,
                    "line": line_number,
                    "reason": row.get("remark") or "no MRZ",
                    "document": number,
                }
            )
            continue
        result = check_mrz(lines, today=key.as_of.date())
        broken = [p for p in result.problems if "check digit" in p.reason.lower()]
        if result.is_valid and not broken:
            continue
        holder = by_number.get(normalise_document_number(number))
        if holder is None:
            problems.append(
                {
                    "source": folder.mrz_file.name,
                    "line": line_number,
                    "reason": "MRZ of a document no traveller of the flight carries",
                    "document": number,
                }
            )
            continue
        reasons = "; ".join(str(p.reason) for p in (broken or list(result.problems)))
        alerts.append(
            alert_store.NewAlert(
                traveller_id=holder.traveller_id,
                flight_id=flight_id,
                kind=AlertKind.DOCUMENT_CHECK,
                subject=f"MRZ:{number}",
                score=1.0,
                severity=Severity.MEDIUM,
                reason=f"MRZ of document {number} fails ICAO 9303 checks: {reasons}",
                evidence=[
                    {
                        "feature": "document",
                        "rule": "MRZ check digit",
                        "score": 1.0,
                        "traveller_value": lines[1],
                        "list_value": "",
                        "note": str(p),
                    }
                    for p in (broken or list(result.problems))
                ],
            )
        )
    return alerts, problems


def start_exercise(
    db: Database,
    actor: Actor,
    scenario_dir: Path,
    trainees: Sequence[str],
    *,
    config: MatchConfig,
    now: datetime,
    title: str = "",
) -> ExerciseStarted:
    """Ingest and screen a written scenario in the training tenant and open an exercise for the trainees.

    Starting the same scenario twice reuses its flight and alerts (ingest ignores resent bytes);
    each exercise keeps its own trainees and decisions. Raises InputError for a folder that is not
    a scenario, AccessDeniedError for a role other than instructor, admin or the instance itself.
    """
    _require(actor, INSTRUCTOR_ROLES, "start exercises")
    names = _trainee_names(trainees)
    folder = read_scenario_folder(scenario_dir)
    key = folder.answer_key
    trainer = training_actor(db, actor)
    as_of = key.as_of if key.as_of.tzinfo else key.as_of.replace(tzinfo=UTC)
    import_list_file(db, trainer, ListFile("un", UN_LIST[-1], packaged_un_list()), now=as_of)
    import_list_file(
        db,
        trainer,
        ListFile("lost-stolen", folder.lost_stolen_file.name, folder.lost_stolen_file.read_bytes()),
        now=as_of,
        list_id=f"LSD:{trainer.agency_code}:{key.seed}",
    )
    report = ingest(db, trainer, read_files(list(folder.messages)), today=as_of.date())
    screening = screen_flight(db, trainer, key.flight_key, config=config, now=as_of, rules=load_rule_set())
    with db.transaction() as session:
        travellers = flight_store.travellers_of_flight(
            session, trainer, screening.flight_id, purpose="training: MRZ checks"
        )
    document_alerts, problems = _mrz_alerts(folder, key, travellers, screening.flight_id)
    with db.transaction() as session:
        raised = alert_store.raise_alerts(session, trainer, document_alerts, at=as_of)
        exercise_id = training_store.create_exercise(
            session,
            trainer,
            title=title.strip()[:200] or f"{key.flight_key} ({key.difficulty.value})",
            scenario_id=key.scenario_id,
            flight_id=screening.flight_id,
            trainees=names,
            answer_key=key.as_dict(),
            content_hash=hashlib.sha256(folder.answer_key_bytes).hexdigest(),
            as_of=as_of,
            at=now,
        )
        exercise = training_store.get_exercise(session, trainer, exercise_id)
        alerts = len(training_store.exercise_alerts(session, trainer, exercise_id))
    return ExerciseStarted(
        exercise,
        trainer.agency_code,
        report,
        screening,
        len(raised) or len(document_alerts),
        alerts,
        problems,
    )


def start_generated_exercise(
    db: Database,
    actor: Actor,
    *,
    route: str,
    passengers: int,
    difficulty: str,
    seed: int,
    trainees: Sequence[str],
    scenarios_dir: Path,
    config: MatchConfig,
    now: datetime,
    title: str = "",
) -> ExerciseStarted:
    """Write a scenario under `scenarios_dir` (one folder per scenario) and start an exercise on it."""
    _require(actor, INSTRUCTOR_ROLES, "start exercises")
    spec = scenario_spec(route, passengers=passengers, difficulty=difficulty, seed=seed)
    written = write_scenario(spec, scenarios_dir / spec.scenario_id)
    return start_exercise(db, actor, written.folder, trainees, config=config, now=now, title=title)


def _exercise(db: Database, actor: Actor, exercise_id: int) -> tuple[Actor, StoredExercise]:
    trainer = training_actor(db, actor) if actor.role in INSTRUCTOR_ROLES else actor
    with db.transaction() as session:
        return trainer, training_store.get_exercise(session, trainer, exercise_id)


def _as_trainee(actor: Actor, exercise: StoredExercise, trainee: str | None) -> str:
    """Return the trainee a call acts for: the trainee themself, or the one an instructor names."""
    if actor.role in TRAINEE_ROLES:
        name = actor.username
        if trainee is not None and trainee.strip().lower() != name:
            raise AccessDeniedError("a trainee records decisions only as themself")
    elif actor.role in INSTRUCTOR_ROLES:
        if not trainee:
            raise InputError("say for which trainee the decision is (--as TRAINEE)", field="trainee")
        name = trainee.strip().lower()
    else:
        raise AccessDeniedError(f"role {actor.role.value!r} takes no part in exercises")
    if name not in exercise.trainees:
        raise NotFoundError(f"{name!r} is not a trainee of exercise {exercise.exercise_id}")
    return name


@dataclass(frozen=True, slots=True)
class TraineeAlert:
    """An exercise alert as a trainee sees it: the alert, and their own last decision on it."""

    alert: AlertSummary
    decision: TraineeDecision | None

    def as_dict(self) -> dict[str, Any]:
        """Return JSON-ready data."""
        a = self.alert
        return {
            "id": a.alert_id,
            "kind": a.kind.value,
            "severity": a.severity.value,
            "traveller": a.traveller_name,
            "flight": a.flight,
            "entity": a.entity_id,
            "score": a.score,
            "reason": a.reason,
            "your_decision": self.decision.decision.value if self.decision else None,
            "decided_at": self.decision.decided_at.isoformat() if self.decision else None,
        }


def trainee_alerts(
    db: Database, actor: Actor, exercise_id: int, *, trainee: str | None = None
) -> list[TraineeAlert]:
    """Return the exercise's alerts with the trainee's own last decision on each (no one else's)."""
    trainer, exercise = _exercise(db, actor, exercise_id)
    name = _as_trainee(actor, exercise, trainee)
    return _alerts_of(db, trainer, exercise, name)


def _alerts_of(db: Database, trainer: Actor, exercise: StoredExercise, name: str) -> list[TraineeAlert]:
    exercise_id = exercise.exercise_id
    with db.transaction() as session:
        alerts = alert_store.list_alerts(
            session,
            trainer,
            flight_id=exercise.flight_id,
            limit=10_000,
            channel_note=f"exercise {exercise_id}",
        )
        own = training_store.decisions(session, trainer, exercise_id, trainee=name)
    last = {d.alert_id: d for d in own}
    return [TraineeAlert(a, last.get(a.alert_id)) for a in sorted(alerts, key=lambda a: a.alert_id)]


@dataclass(frozen=True, slots=True)
class TraineeQueue:
    """A trainee's queue in one exercise: the exercise, who the trainee is, the alerts and their decisions."""

    exercise: StoredExercise
    trainee: str
    alerts: list[TraineeAlert]

    @property
    def decided(self) -> int:
        """Return how many of the alerts the trainee has decided."""
        return sum(1 for a in self.alerts if a.decision is not None)


def trainee_queue(db: Database, actor: Actor, exercise_id: int) -> TraineeQueue:
    """Return the trainee's own queue of an exercise they are named in (trainees only)."""
    _require(actor, TRAINEE_ROLES, "work through an exercise's queue")
    trainer, exercise = _exercise(db, actor, exercise_id)
    name = _as_trainee(actor, exercise, None)
    return TraineeQueue(exercise, name, _alerts_of(db, trainer, exercise, name))


def exercise_alert(db: Database, actor: Actor, exercise_id: int, alert_id: int) -> AlertDetail:
    """Return one alert of the exercise with its evidence (the same detail an officer sees)."""
    trainer, exercise = _exercise(db, actor, exercise_id)
    if actor.role in TRAINEE_ROLES:
        _as_trainee(actor, exercise, None)
    with db.transaction() as session:
        detail = alert_store.get_alert(session, trainer, alert_id)
    if detail.flight_id != exercise.flight_id:
        raise NotFoundError(f"alert {alert_id} is not an alert of exercise {exercise_id}")
    return detail


@dataclass(frozen=True, slots=True)
class TraineeReview:
    """One exercise alert with the traveller and the listed entity, and where it sits in the queue.

    `decision` is the trainee's own last decision (None for an instructor, who reads but never
    decides); the review's history and assignment are left empty: in an exercise they belong to
    nobody, and one trainee must not learn from another's traces.
    """

    exercise: StoredExercise
    review: AlertReview
    decision: TraineeDecision | None
    position: int  # 1-based place of the alert in the exercise's queue
    total: int
    previous_alert: int | None
    next_alert: int | None


def exercise_alert_review(db: Database, actor: Actor, exercise_id: int, alert_id: int) -> TraineeReview:
    """Return one alert of the exercise side by side with its listed entity, as the console shows it."""
    _require(actor, INSTRUCTOR_ROLES | TRAINEE_ROLES, "review exercise alerts")
    trainer, exercise = _exercise(db, actor, exercise_id)
    name = _as_trainee(actor, exercise, None) if actor.role in TRAINEE_ROLES else None
    with db.transaction() as session:
        ids = [a.alert_id for a in training_store.exercise_alerts(session, trainer, exercise_id)]
        if alert_id not in ids:
            raise NotFoundError(f"alert {alert_id} is not an alert of exercise {exercise_id}")
        detail = alert_store.get_alert(session, trainer, alert_id)
        private = replace(detail, history=[], assigned_to="")
        found = review_of_alert(session, trainer, private, purpose=f"exercise {exercise_id}")
        own = (
            training_store.decisions(session, trainer, exercise_id, trainee=name) if name is not None else []
        )
    last = {d.alert_id: d for d in own}
    at = ids.index(alert_id)
    return TraineeReview(
        exercise,
        found,
        last.get(alert_id),
        at + 1,
        len(ids),
        ids[at - 1] if at > 0 else None,
        ids[at + 1] if at + 1 < len(ids) else None,
    )


def record_decision(
    db: Database,
    actor: Actor,
    exercise_id: int,
    alert_id: int,
    decision: Decision,
    *,
    note: str = "",
    trainee: str | None = None,
    now: datetime,
) -> TraineeDecision:
    """Record a trainee's decision on an exercise alert and return it; the alert's own state is untouched."""
    trainer, exercise = _exercise(db, actor, exercise_id)
    name = _as_trainee(actor, exercise, trainee)
    text = note.strip()
    if len(text) > MAX_NOTE_CHARS:
        raise InputError(f"the note has {len(text)} characters; at most {MAX_NOTE_CHARS}", field="note")
    with db.transaction() as session:
        ids = {a.alert_id for a in training_store.exercise_alerts(session, trainer, exercise_id)}
        if alert_id not in ids:
            raise NotFoundError(f"alert {alert_id} is not an alert of exercise {exercise_id}")
        training_store.add_decision(
            session,
            trainer,
            exercise_id,
            trainee=name,
            alert_id=alert_id,
            decision=decision,
            note=text,
            at=now,
        )
    return TraineeDecision(name, alert_id, decision, now, text)


@dataclass(frozen=True, slots=True)
class ExerciseResults:
    """Everything scoring and the debrief need: the exercise, key, alert links, decisions, summary."""

    exercise: StoredExercise
    agency: str
    answer_key: AnswerKey
    links: tuple[AlertLink, ...]
    decisions: tuple[TraineeDecision, ...]
    summary: ExerciseSummary
    details: dict[int, AlertDetail]  # alert id -> detail, for the alerts of planted cases

    def as_dict(self) -> dict[str, Any]:
        """Return the instructor summary as JSON-ready data."""
        return {"exercise": self.exercise.as_dict(), "agency": self.agency, **self.summary.as_dict()}


def exercise_results(db: Database, actor: Actor, exercise_id: int) -> ExerciseResults:
    """Return the scores of every trainee and the outcome of every planted case (instructors only)."""
    _require(actor, INSTRUCTOR_ROLES, "see exercise scores")
    trainer, exercise = _exercise(db, actor, exercise_id)
    with db.transaction() as session:
        key = training_store.answer_key(session, trainer, exercise_id, purpose="scoring")
        raw_alerts = training_store.exercise_alerts(session, trainer, exercise_id)
        travellers = flight_store.travellers_of_flight(
            session, trainer, exercise.flight_id, purpose="scoring"
        )
        decisions = training_store.decisions(session, trainer, exercise_id)
        refs: dict[int, str] = {t.traveller_id: t.traveller.passenger_ref for t in travellers}
        links = tuple(
            AlertLink(
                a.alert_id,
                link_alert(
                    key,
                    passenger_ref=refs.get(a.traveller_id or -1, ""),
                    alert_kind=a.kind,
                    subject=a.subject,
                ),
                a.kind,
                a.subject,
                a.created_at,
            )
            for a in raw_alerts
        )
        details = {
            link.alert_id: alert_store.get_alert(session, trainer, link.alert_id)
            for link in links
            if link.case_id is not None
        }
    summary = summarise_exercise(
        key, links, decisions, trainees=exercise.trainees, started_at=exercise.started_at
    )
    return ExerciseResults(exercise, trainer.agency_code, key, links, tuple(decisions), summary, details)


def list_exercises(db: Database, actor: Actor) -> list[StoredExercise]:
    """Return the training tenant's exercises (a trainee sees only the ones they are named in)."""
    trainer = training_actor(db, actor) if actor.role in INSTRUCTOR_ROLES else actor
    with db.transaction() as session:
        found = training_store.list_exercises(session, trainer)
    if actor.role in TRAINEE_ROLES:
        return [e for e in found if actor.username in e.trainees]
    return found


def is_training_user(user: User) -> bool:
    """True when the user belongs to a training tenant (by its code)."""
    return user.agency_code.endswith(TRAINING_SUFFIX)
