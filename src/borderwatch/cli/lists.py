"""`borderwatch lists ...`: import watch lists, show them, show what a version changed."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.services import lists as list_service
from borderwatch.services.screen import match_config

lists_app = typer.Typer(
    help="Watch lists: import official and national lists, see versions and changes.", no_args_is_help=True
)


@lists_app.command("import")
def import_command(
    ctx: typer.Context,
    kind: str = typer.Argument(..., help="List kind: un, ofac, ftm, national or lost-stolen."),
    file: Path = typer.Argument(
        ..., help="The list file (for ofac: sdn.csv, with alt.csv and add.csv beside it)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Import a list file as a new version (nothing changes when the same content is already active)."""
    instance = state(ctx).instance()
    settings = instance.settings
    report = list_service.import_list(
        instance.db,
        instance.actor(channel="cli:lists import"),
        kind.lower(),
        file,
        now=now(),
        rescreen_days=settings.rescreen_days,
        config=match_config(settings),
    )
    if as_json:
        print_json(report.as_dict())
        return
    if not report.changed:
        console.print(
            f"{report.list_id}: {file.name} is already the active version ({report.entries} entries); "
            "nothing changed."
        )
        return
    version = report.version
    assert version is not None
    console.print(
        f"{report.list_id}: imported version {version.version} from {file.name}: {report.entries} entries"
        f" (+{len(report.added)} added, -{len(report.removed)} removed, {len(report.modified)} changed)"
        + (f", published {version.source_date:%Y-%m-%d}" if version.source_date else "")
    )
    if report.rescreen is not None:
        console.print(
            f"Re-screened {report.rescreen.travellers} travellers of the last "
            f"{settings.rescreen_days} days against {report.rescreen.entities} new or changed entities: "
            f"{len(report.rescreen.new_alerts)} new alert(s)."
        )
    if report.problems:
        console.print(f"{len(report.problems)} problem(s) while reading:")
        for problem in report.problems[:20]:
            console.print(f"  - {problem['message']}")


@lists_app.command("show")
def show_command(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print the lists as JSON.")
) -> None:
    """Show each list with its id, active version, source date and number of entries."""
    instance = state(ctx).instance()
    stored = list_service.show_lists(instance.db, instance.actor(channel="cli:lists show"))
    rows = [
        {
            "id": s.list_id,
            "kind": s.kind,
            "title": s.title,
            "version": s.version.version if s.version else None,
            "source_date": s.version.source_date.isoformat() if s.version and s.version.source_date else None,
            "imported_at": s.version.imported_at.isoformat() if s.version else None,
            "entries": s.version.entries if s.version else 0,
            "content_hash": s.version.content_hash if s.version else None,
        }
        for s in stored
    ]
    if as_json:
        print_json({"lists": rows})
        return
    table = Table(title="Watch lists")
    for column in ("id", "title", "version", "source date", "entries", "imported"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["title"]),
            str(row["version"]),
            str(row["source_date"] or "-")[:10],
            str(row["entries"]),
            str(row["imported_at"] or "-")[:19],
        )
    console.print(table if rows else "No list imported yet: `borderwatch lists import un FILE`.")


@lists_app.command("diff")
def diff_command(
    ctx: typer.Context,
    list_id: str = typer.Argument(..., help="List id as `lists show` prints it (UN, OFAC, ...)."),
    as_json: bool = typer.Option(False, "--json", help="Print the changes as JSON."),
) -> None:
    """Show what the newest version of a list changed: added, removed and changed entities."""
    instance = state(ctx).instance()
    history = list_service.list_history(instance.db, instance.actor(channel="cli:lists diff"), list_id)
    version, delta = history[-1]
    added, removed, changed = delta.get("added", []), delta.get("removed", []), delta.get("changed", {})
    counts = delta.get("counts", {"added": len(added), "removed": len(removed), "changed": len(changed)})
    data = {
        "list": version.list_id,
        "version": version.version,
        "previous_version": history[-2][0].version if len(history) > 1 else None,
        "counts": counts,
        "added": added,
        "removed": removed,
        "changed": changed,
    }
    if as_json:
        print_json(data)
        return
    against = (
        f" against version {data['previous_version']}"
        if data["previous_version"]
        else " (first version: every entry is new)"
    )
    console.print(f"{version.list_id} version {version.version}{against}")
    console.print(f"  added {counts['added']}, removed {counts['removed']}, changed {counts['changed']}")
    for entity in removed[:50]:
        console.print(f"  - {entity}")
    for entity, fields in list(changed.items())[:50]:
        console.print(f"  ~ {entity}: {', '.join(fields)}")
    if counts["added"] <= 50:
        for entity in added:
            console.print(f"  + {entity}")


def register(app: typer.Typer) -> None:
    """Add the `lists` commands."""
    app.add_typer(lists_app, name="lists")
