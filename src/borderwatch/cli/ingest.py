"""`borderwatch ingest FILE...` and `borderwatch quarantine ...`."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from borderwatch.cli.output import console, print_json, state, today
from borderwatch.services import ingest as ingest_service
from borderwatch.services import quarantine as quarantine_service


def ingest_command(
    ctx: typer.Context,
    files: list[Path] = typer.Argument(
        ..., help="PAXLST, PNRGOV or CSV manifest files (detected from content)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the report as one JSON object."),
) -> None:
    """Read airline messages, store flights, travellers and bookings, and report every problem.

    The parts of a multi-part PAXLST given together are merged. Unreadable messages and travellers
    are quarantined with their bytes (`borderwatch quarantine list`); exit code 1 when that happened.
    """
    instance = state(ctx).instance()
    received = ingest_service.read_files(files)
    report = ingest_service.ingest(instance.db, instance.actor(channel="cli:ingest"), received, today=today())
    if as_json:
        print_json(report.as_dict())
    else:
        table = Table(title="Ingested messages")
        for column in ("source", "kind", "flight", "passengers", "crew", "bookings", "stored", "status"):
            table.add_column(column)
        for m in report.messages:
            table.add_row(
                m.source,
                m.kind,
                m.flight,
                str(m.passengers),
                str(m.crew),
                str(m.bookings),
                str(m.stored) + (f" (+{m.already_stored} already)" if m.already_stored else ""),
                m.status,
            )
        console.print(table)
        for m in report.messages:
            for problem in m.problems:
                console.print(f"  {problem.get('severity', 'error')}: {problem.get('message')}")
    if report.quarantined:
        raise typer.Exit(1)


quarantine_app = typer.Typer(
    help="What could not be ingested: list, inspect and retry.", no_args_is_help=True
)


@quarantine_app.command("list")
def quarantine_list(
    ctx: typer.Context,
    all_items: bool = typer.Option(False, "--all", help="Include retried and dismissed items."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List quarantined messages and records with their reasons."""
    instance = state(ctx).instance()
    items = quarantine_service.list_items(
        instance.db, instance.actor(channel="cli:quarantine list"), include_closed=all_items
    )
    data = [
        {
            "id": i.item_id,
            "source": i.source,
            "received_at": i.received_at.isoformat(),
            "reason": i.reason,
            "problems": len(i.problems),
            "status": i.status,
            "bytes": len(i.raw),
        }
        for i in items
    ]
    if as_json:
        print_json({"quarantine": data})
        return
    table = Table(title="Quarantine")
    for column in ("id", "source", "received", "problems", "status", "reason"):
        table.add_column(column)
    for row in data:
        table.add_row(
            str(row["id"]),
            str(row["source"]),
            str(row["received_at"])[:19],
            str(row["problems"]),
            str(row["status"]),
            str(row["reason"])[:80],
        )
    console.print(table if data else "Quarantine is empty.")


@quarantine_app.command("show")
def quarantine_show(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="Quarantine id."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show one quarantined item: every problem with its position, and the start of the raw bytes."""
    instance = state(ctx).instance()
    item = quarantine_service.show_item(instance.db, instance.actor(channel="cli:quarantine show"), item_id)
    raw_text = item.raw[:4000].decode("utf-8", errors="replace")
    if as_json:
        print_json(
            {
                "id": item.item_id,
                "source": item.source,
                "received_at": item.received_at.isoformat(),
                "reason": item.reason,
                "status": item.status,
                "problems": item.problems,
                "bytes": len(item.raw),
                "raw_start": raw_text,
            }
        )
        return
    console.print(f"[bold]Quarantine {item.item_id}[/]: {item.source} ({len(item.raw)} bytes, {item.status})")
    console.print(f"Reason: {item.reason}", markup=False)
    for problem in item.problems:
        console.print(f"  - {problem.get('message') or problem}", markup=False)
    console.print("Raw bytes (start):")
    console.print(raw_text[:1500], markup=False)


@quarantine_app.command("retry")
def quarantine_retry(
    ctx: typer.Context,
    item_id: int = typer.Argument(..., help="Quarantine id."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Ingest a quarantined item again (after the sender or a parser fix); exit 1 if it fails again."""
    instance = state(ctx).instance()
    report = ingest_service.retry_quarantined(
        instance.db, instance.actor(channel="cli:quarantine retry"), item_id, today=today()
    )
    if as_json:
        print_json(report.as_dict())
    else:
        for m in report.messages:
            console.print(f"{m.source}: {m.kind} {m.flight} -> {m.status}, {m.stored} stored")
    if any(m.status == "quarantined" for m in report.messages):
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    """Add `ingest` and `quarantine`."""
    app.command("ingest")(ingest_command)
    app.add_typer(quarantine_app, name="quarantine")
