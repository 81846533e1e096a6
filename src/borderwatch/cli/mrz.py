"""`borderwatch mrz`: check the machine-readable zone of a passport, identity card or visa."""

from __future__ import annotations

import json
from datetime import date, datetime
from typing import Annotated

import typer
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from borderwatch.formats.mrz import MrzResult
from borderwatch.formats.problems import Severity
from borderwatch.services.documents import check_mrz


def register(app: typer.Typer) -> None:
    """Add the `mrz` command to `app`."""
    app.command("mrz")(mrz_command)


def mrz_command(
    lines: Annotated[
        list[str],
        typer.Argument(
            help="The 2 or 3 MRZ lines, each quoted (the shell treats '<' specially).",
            metavar="LINE",
            show_default=False,
        ),
    ],
    as_json: Annotated[
        bool, typer.Option("--json", help="Print every field, check and problem as JSON.")
    ] = False,
    today: Annotated[
        datetime | None,
        typer.Option(
            "--today",
            formats=["%Y-%m-%d"],
            help="Date to check expiry against and to resolve two-digit years (YYYY-MM-DD). Default: today.",
            show_default=False,
        ),
    ] = None,
    specimen: Annotated[
        bool, typer.Option("--specimen", help="Accept ICAO's fictional Utopia (UTO) of specimen documents.")
    ] = False,
) -> None:
    """Check an MRZ: layout, check digits, dates, names and country codes.

    Exits 0 when the MRZ is valid (an expired document is a warning), 1 when it is not.
    """
    # The clock is read here, at the edge, and passed in (the domain never reads it).
    day = today.date() if today is not None else date.today()
    result = check_mrz(lines, today=day, allow_specimen=specimen)
    if as_json:
        typer.echo(json.dumps(result.as_dict(), indent=2, ensure_ascii=False))
    else:
        _print(result, Console(highlight=False, soft_wrap=True))
    if not result.is_valid:
        raise typer.Exit(1)


def _print(result: MrzResult, console: Console) -> None:
    fmt = result.format.value if result.format else "unreadable"
    verdict = "[green]VALID[/green]" if result.is_valid else "[red]INVALID[/red]"
    console.print(f"MRZ {fmt}: {verdict} (checked on {result.today.isoformat()})")
    if result.format is not None:
        doc = Table(title="Document", show_header=False)
        doc.add_column("field", style="bold")
        doc.add_column("value")
        for label, value in (
            ("Family name", result.family_name + (" (may be truncated)" if result.name_truncated else "")),
            ("Given names", result.given_names),
            ("Document", f"{result.document_code} {result.document_number}"),
            ("Issuing state", result.issuing_state),
            ("Nationality", result.nationality),
            ("Birth date", result.birth_date.isoformat() if result.birth_date else "-"),
            ("Sex", result.gender.value),
            (
                "Expiry date",
                (result.expiry_date.isoformat() if result.expiry_date else "-")
                + (" (expired)" if result.is_expired else ""),
            ),
            ("Optional data", " / ".join(v for v in (result.optional_data, result.optional_data_2) if v)),
        ):
            doc.add_row(label, escape(value))
        console.print(doc)
        checks = Table(title="Check digits")
        for column in ("check", "found", "expected", "ok", "position"):
            checks.add_column(column)
        for check in result.all_checks:
            checks.add_row(
                check.name,
                escape(check.found),
                "-" if check.expected is None else str(check.expected),
                "[green]yes[/green]" if check.ok else "[red]no[/red]",
                f"line {check.line}, column {check.column}",
            )
        console.print(checks)
    for problem in result.problems:
        colour = "red" if problem.severity is Severity.ERROR else "yellow"
        console.print(f"[{colour}]{problem.severity.value}[/{colour}]: {escape(problem.reason)}")
