"""`borderwatch demo`: the whole story, two agencies, one flight, one exercise, told as it runs."""

from __future__ import annotations

import time

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json
from borderwatch.cli.screening import print_screening
from borderwatch.http.serving import serve_on_loopback
from borderwatch.services.story import DEMO_PASSWORD, StoryReport, run_story, story_folder
from borderwatch.settings import load_settings


def demo_command(
    as_json: bool = typer.Option(False, "--json", help="Print what each step did as JSON."),
) -> None:
    """Run the whole story: DGSN and UK Border Force, flight AT800 CMN->LHR, a joint exercise.

    Resets and fills `demo/` in the data directory; running it again gives the same outcome.
    """
    settings = load_settings()
    folder = story_folder(settings)
    if as_json:
        print_json(run_story(folder, now=now(), serve=serve_on_loopback).as_dict())
        return
    started = time.perf_counter()
    with console.status("Starting") as status:

        def step(text: str) -> None:
            console.print(f"[bold cyan]{text}[/]")
            status.update(text)

        report = run_story(folder, now=now(), serve=serve_on_loopback, say=step)
    print_story(report, seconds=time.perf_counter() - started)


def print_story(report: StoryReport, *, seconds: float) -> None:
    """Print what the story did, step by step, and where everything is."""
    console.print()
    console.rule("What happened")
    lists = ", ".join(
        f"{code}: {', '.join(f'{k} {v}' for k, v in found.items())}" for code, found in report.lists.items()
    )
    console.print(f"Lists imported: {lists} entries.")
    console.print(
        f"UK Border Force published {report.shared_list.get('published', 0)} lost/stolen documents; "
        f"the DGSN now holds {report.shared_list.get('received_by_dgsn', 0)} as list LSD:UKBF."
    )
    for message in report.ingest:
        console.print(
            f"Received {message['source']}: {message['kind']}, {message['passengers']} passengers, "
            f"{message['crew']} crew, {message['bookings']} bookings ({message['status']})."
        )
    if report.screening is not None:
        print_screening(report.screening)
    table = Table(title="DGSN alert queue after review")
    for column in ("id", "kind", "traveller", "subject", "state"):
        table.add_column(column)
    decided = {report.confirmed.get("id"): report.confirmed.get("state")}
    decided.update({alert_id: report.cleared.get("state") for alert_id in report.cleared.get("ids", [])})
    for alert in report.alerts:
        table.add_row(
            str(alert["id"]),
            alert["kind"],
            alert["traveller"],
            alert["subject"],
            str(decided.get(alert["id"], alert["state"])),
        )
    console.print(table)
    crossed = report.crossed
    console.print(
        f"Confirmed {report.confirmed.get('traveller')} = {report.confirmed.get('subject')} (four eyes); "
        f"cleared {report.cleared.get('traveller')} ({', '.join(report.cleared.get('subjects', []))}) "
        "as a false positive."
    )
    console.print(
        f"UK Border Force received {crossed.get('received')} alert from {crossed.get('origin')} "
        f"{'before' if crossed.get('before_arrival') else 'AFTER'} the arrival at "
        f"{report.arrival:%Y-%m-%d %H:%M}, with only these fields: {', '.join(crossed.get('fields', []))}; "
        f"acknowledged: {'yes' if crossed.get('acknowledged') else 'no'}."
        if report.arrival
        else ""
    )
    scores = report.exercise.get("scores", {})
    console.print(
        f"Exercise {report.exercise.get('id')}: {report.exercise.get('alerts')} alerts; "
        + "; ".join(
            f"{name} found {s['found']}, missed {s['missed']}, false alarms {s['false_alarms']}"
            for name, s in scores.items()
        )
        + "."
    )
    console.rule("Where everything is")
    console.print(f"Debrief report: {report.report_file}")
    for code, folder in report.agencies.items():
        port = 8000 if code == "DGSN" else 8001
        console.print(
            f"{code} console: BORDERWATCH_DATA_DIR={folder} borderwatch serve --port {port}  "
            f"-> http://127.0.0.1:{port}/"
        )
        console.print(
            f"    logins ({code}): {', '.join(report.logins.get(code, []))}; password {DEMO_PASSWORD}"
        )
    console.print(
        "Audit trails verified: "
        + ", ".join(f"{code} {'intact' if ok else 'BROKEN'}" for code, ok in report.audit.items())
    )
    console.print(
        f"Done in {seconds:.1f} s. Run `make demo` again to start over; `make test` for the test suite."
    )


def register(app: typer.Typer) -> None:
    """Add `demo`."""
    app.command("demo")(demo_command)
