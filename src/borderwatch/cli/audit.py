"""`borderwatch audit verify|list`: check the hash chains and read the trail."""

from __future__ import annotations

import typer
from rich.table import Table

from borderwatch.cli.output import console, print_json, state
from borderwatch.services import audit as audit_service

AGENCY_HELP = "Agency code (default: this instance's agency)."

audit_app = typer.Typer(
    help="The audit trail: verify its hash chains, list its events.", no_args_is_help=True
)


@audit_app.command("verify")
def verify_command(
    ctx: typer.Context,
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Verify every agency's chain: exit 0 when intact, 1 when a row was edited, inserted or deleted."""
    instance = state(ctx).instance()
    chains = audit_service.verify_all(instance.db)
    broken = [chain for chain in chains if not chain.report.intact]
    if as_json:
        print_json({"intact": not broken, "agencies": [chain.as_dict() for chain in chains]})
    else:
        for chain in chains:
            report = chain.report
            if report.intact:
                console.print(f"{chain.agency}: {report.events} events, chain intact")
                continue
            console.print(
                f"[bold red]{chain.agency}: {report.events} events, {len(report.breaks)} break(s)[/]"
            )
            for found in report.breaks:
                console.print(f"  seq {found.seq}: {found.reason}")
    if broken:
        raise typer.Exit(code=1)


@audit_app.command("list")
def list_command(
    ctx: typer.Context,
    limit: int = typer.Option(
        50, "--limit", min=1, max=100000, help="At most this many events, newest first."
    ),
    action: str | None = typer.Option(
        None, "--action", help="Only events of this action (e.g. traveller.read)."
    ),
    agency: str | None = typer.Option(None, "--agency", help=AGENCY_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List the newest audit events of an agency (the listing is itself recorded)."""
    instance = state(ctx).instance()
    events = audit_service.list_events(
        instance.db, instance.actor(channel="cli:audit list", agency=agency), limit=limit, action=action
    )
    if as_json:
        print_json({"events": [audit_service.event_as_dict(e) for e in events]})
        return
    table = Table(title="Audit trail")
    for column in ("seq", "at", "actor", "action", "subject", "channel"):
        table.add_column(column)
    for event in events:
        subject = f"{event.subject_type}:{event.subject_id}" if event.subject_type else event.subject_id
        table.add_row(
            str(event.seq),
            event.at.strftime("%Y-%m-%d %H:%M:%S"),
            event.actor,
            event.action,
            subject,
            event.channel,
        )
    console.print(table if events else "No events.")


def register(app: typer.Typer) -> None:
    """Add `audit`."""
    app.add_typer(audit_app, name="audit")
