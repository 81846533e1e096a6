"""`borderwatch init`: the data folder, the database (migrations) and this agency."""

from __future__ import annotations

import typer

from borderwatch.cli.output import console, print_json, state
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


def register(app: typer.Typer) -> None:
    """Add `init`."""
    app.command("init")(init_command)
