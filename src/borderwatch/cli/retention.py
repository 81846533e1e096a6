"""`borderwatch retention run`: depersonalise and delete API/PNR data, purge partner data past retention."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from borderwatch.cli.output import console, print_json, state, today
from borderwatch.errors import InputError
from borderwatch.services.retention import run_retention


def register(app: typer.Typer) -> None:
    """Add the `retention` sub-app (run) to `app`."""
    retention = typer.Typer(help="Data retention: depersonalise, delete, purge.", no_args_is_help=True)

    @retention.command("run")
    def run_command(
        ctx: typer.Context,
        on: str = typer.Option("", "--today", help="Act as if today were this date (YYYY-MM-DD)."),
        as_json: bool = typer.Option(False, "--json", help="Print the counts as JSON."),
    ) -> None:
        """Apply the retention periods of the settings to every agency, as of today (or --today)."""
        try:
            day = date.fromisoformat(on) if on else today()
        except ValueError as exc:
            raise InputError(f"--today {on!r} is not a date (YYYY-MM-DD)", field="today") from exc
        instance = state(ctx).instance()
        report = run_retention(instance, today=day)
        if as_json:
            print_json(report.as_dict())
            return
        table = Table("Agency", "Step", "Counts")
        for agency, steps in report.agencies.items():
            for step, counts in steps.items():
                table.add_row(agency, step, ", ".join(f"{k} {v}" for k, v in counts.items()))
        console.print(
            f"Retention as of {day.isoformat()}: depersonalised before "
            f"{report.depersonalise_before:%Y-%m-%d}, deleted before {report.delete_before:%Y-%m-%d}."
        )
        console.print(table)

    app.add_typer(retention, name="retention")
