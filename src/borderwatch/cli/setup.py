"""`borderwatch init` and `borderwatch demo`."""

from __future__ import annotations

import typer

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.cli.screening import print_screening
from borderwatch.services.demo import run_demo
from borderwatch.services.instance import init_instance
from borderwatch.settings import load_settings


def init_command(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")
) -> None:
    """Create the data folder and the database (through migrations) and register this agency."""
    settings = load_settings()
    instance, report = init_instance(settings)
    state(ctx).settings = settings
    instance.close()
    data = {
        "database": report.database,
        "data_dir": str(report.data_dir),
        "agency": report.agency,
        "tables": report.tables,
    }
    if as_json:
        print_json(data)
        return
    console.print(f"Database ready: {report.database} ({report.tables} tables)")
    console.print(f"Data directory: {report.data_dir}")
    console.print(f"Agency: {report.agency}")


def demo_command(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print the result as JSON.")
) -> None:
    """Import the bundled UN list, ingest the bundled CMN->LHR flight, screen it and show the alerts."""
    settings = load_settings()
    if as_json:
        report = run_demo(settings, now=now())
    else:
        with console.status("Starting") as status:
            report = run_demo(settings, now=now(), step=lambda text: status.update(text))
    screening = report.screening
    if as_json:
        print_json(
            {
                "database": report.database,
                "list": report.list_import.as_dict(),
                "ingest": report.ingest.as_dict(),
                "screening": screening.as_dict(),
            }
        )
        return
    imported = report.list_import
    console.print(f"Database: {report.database}")
    console.print(
        f"UN list: {imported.entries} entries"
        + (f", version {imported.version.version}" if imported.version else " (already imported)")
    )
    for message in report.ingest.messages:
        console.print(
            f"Flight {message.flight or '-'}: {message.passengers} passengers, {message.crew} crew "
            f"({message.status}; {message.stored} stored, {message.already_stored} already stored)"
        )
    print_screening(screening)
    console.print("Next: `borderwatch alerts list`, `borderwatch serve`, or `make test`.")


def register(app: typer.Typer) -> None:
    """Add `init` and `demo`."""
    app.command("init")(init_command)
    app.command("demo")(demo_command)
