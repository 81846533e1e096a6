"""`borderwatch training ...`: scenarios with known answers, exercises for trainees, scores, debriefs."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.domain.alerts import Decision
from borderwatch.errors import InputError
from borderwatch.services.debrief import write_debrief
from borderwatch.services.exercises import exercise_results, record_decision, start_exercise
from borderwatch.services.screen import match_config
from borderwatch.services.train import scenario_spec, write_scenario

training = typer.Typer(
    help="Training: realistic flights with known answers, exercises, scores.", no_args_is_help=True
)
scenario = typer.Typer(help="Build training scenarios.", no_args_is_help=True)
exercise = typer.Typer(help="Run exercises on scenarios.", no_args_is_help=True)
training.add_typer(scenario, name="scenario")
training.add_typer(exercise, name="exercise")

# Short words an instructor types for the three decisions.
DECISIONS = {
    "confirm": Decision.CONFIRM_MATCH,
    "confirm-match": Decision.CONFIRM_MATCH,
    "match": Decision.CONFIRM_MATCH,
    "false-positive": Decision.FALSE_POSITIVE,
    "dismiss": Decision.FALSE_POSITIVE,
    "clear": Decision.FALSE_POSITIVE,
    "escalate": Decision.ESCALATE,
}


def _decision(text: str) -> Decision:
    word = text.strip().lower().replace(" ", "-").replace("_", "-")
    for member in Decision:
        if word == member.value.replace(" ", "-"):
            return member
    if word in DECISIONS:
        return DECISIONS[word]
    raise InputError(
        f"decision {text!r} is not one of confirm, false-positive, escalate",
        field="decision",
        reason="unknown",
    )


@scenario.command("new")
def scenario_new(
    route: str = typer.Option(..., "--route", help="Departure and arrival airports, e.g. CMN-LHR."),
    passengers: int = typer.Option(180, "--passengers", help="Number of passengers (20 to 360)."),
    difficulty: str = typer.Option("medium", "--difficulty", help="easy, medium or hard."),
    seed: int = typer.Option(..., "--seed", help="Seed: the same seed gives the same files."),
    out: Path = typer.Option(..., "--out", help="Folder to write the scenario into (created when missing)."),
    flight_date: str = typer.Option(
        "",
        "--date",
        help="Departure date YYYY-MM-DD (default 2026-12-01, so the files never depend on today).",
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Write a realistic flight (PAXLST, PNRGOV, MRZs, lost/stolen list) and its answer key into a folder."""
    day = None
    if flight_date:
        try:
            day = date.fromisoformat(flight_date)
        except ValueError as exc:
            raise InputError(f"--date {flight_date!r} is not YYYY-MM-DD", field="date") from exc
    spec = scenario_spec(route, passengers=passengers, difficulty=difficulty, seed=seed, flight_date=day)
    written = write_scenario(spec, out)
    if as_json:
        print_json(written.as_dict())
        return
    table = Table(title=f"Scenario {spec.scenario_id}")
    table.add_column("file")
    table.add_column("bytes", justify="right")
    for name, size in written.files.items():
        table.add_row(name, str(size))
    console.print(table)
    planted = written.as_dict()["planted"]
    assert isinstance(planted, dict)
    console.print(
        f"{written.answer_key.flight_key}: {spec.passengers} passengers, "
        f"{sum(planted.values())} planted cases ({', '.join(f'{v} {k}' for k, v in planted.items())}); "
        f"answers in {out / 'answer_key.json'}"
    )


@exercise.command("start")
def exercise_start(
    ctx: typer.Context,
    scenario_dir: Path = typer.Argument(..., help="Folder written by `training scenario new`."),
    trainees: list[str] = typer.Option(..., "--trainee", help="A trainee's name; repeat for each trainee."),
    title: str = typer.Option("", "--title", help="Title shown to trainees and in the debrief."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Ingest and screen a scenario in the training tenant and open an exercise for the trainees."""
    instance = state(ctx).instance()
    started = start_exercise(
        instance.db,
        instance.actor(channel="cli:training exercise start"),
        scenario_dir,
        trainees,
        config=match_config(instance.settings),
        now=now(),
        title=title,
    )
    if as_json:
        print_json(started.as_dict())
        return
    ex = started.exercise
    console.print(
        f"exercise {ex.exercise_id} started in {started.agency}: flight {started.screening.flight}, "
        f"{started.screening.travellers} travellers screened, {started.alerts} alerts to review; "
        f"trainees: {', '.join(ex.trainees)}"
    )


@training.command("decide")
def decide(
    ctx: typer.Context,
    exercise_id: int = typer.Argument(..., metavar="EXERCISE", help="Exercise id."),
    alert_id: int = typer.Argument(..., metavar="ALERT", help="Alert id (from `training score` or the API)."),
    trainee: str = typer.Option(..., "--as", help="The trainee taking the decision."),
    decision: str = typer.Option(..., "--decision", help="confirm, false-positive or escalate."),
    note: str = typer.Option("", "--note", help="What the trainee checked."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Record a trainee's decision on an exercise alert (other trainees' views are not changed)."""
    instance = state(ctx).instance()
    taken = record_decision(
        instance.db,
        instance.actor(channel="cli:training decide"),
        exercise_id,
        alert_id,
        _decision(decision),
        note=note,
        trainee=trainee,
        now=now(),
    )
    if as_json:
        print_json(
            {
                "exercise": exercise_id,
                "alert": alert_id,
                "trainee": taken.trainee,
                "decision": taken.decision.value,
                "decided_at": taken.decided_at,
            }
        )
        return
    console.print(f"{taken.trainee}: alert {alert_id} -> {taken.decision.value}")


@training.command("score")
def score(
    ctx: typer.Context,
    exercise_id: int = typer.Argument(..., metavar="EXERCISE", help="Exercise id."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Score every trainee: planted cases found and missed, false alarms, time to decision."""
    instance = state(ctx).instance()
    results = exercise_results(instance.db, instance.actor(channel="cli:training score"), exercise_id)
    if as_json:
        print_json(results.as_dict())
        return
    table = Table(title=f"Exercise {exercise_id}: {results.exercise.title}")
    for column in ("trainee", "found", "missed", "false alarms", "undecided", "median s to decision"):
        table.add_column(column)
    total = sum(1 for c in results.answer_key.cases if c.should_flag)
    for row in results.summary.trainees:
        median = row.median_seconds
        table.add_row(
            row.trainee,
            f"{len(row.found)}/{total}",
            str(len(row.missed)),
            str(len(row.false_alarms)),
            str(row.undecided),
            "-" if median is None else f"{median:.0f}",
        )
    console.print(table)
    console.print(
        f"{results.summary.alerts} alerts, {results.summary.unplanted_alerts} not from a planted case."
    )


@training.command("report")
def report(
    ctx: typer.Context,
    exercise_id: int = typer.Argument(..., metavar="EXERCISE", help="Exercise id."),
    out: Path = typer.Option(..., "--out", help="HTML file to write (charts embedded)."),
) -> None:
    """Write the debrief: trainee outcomes, time to decision, missed variants, the engine's explanations."""
    instance = state(ctx).instance()
    written = write_debrief(instance.db, instance.actor(channel="cli:training report"), exercise_id, out)
    console.print(f"debrief of exercise {exercise_id} written to {written}")


def register(app: typer.Typer) -> None:
    """Add `training` (scenario new, exercise start, decide, score, report)."""
    app.add_typer(training, name="training")
