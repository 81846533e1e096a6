"""`borderwatch rescreen --since 365d`: screen a period's stored travellers again, on Dask."""

from __future__ import annotations

import typer

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.services.rescreen import parse_period, rescreen_archive, today_folder
from borderwatch.services.screen import match_config


def rescreen_command(
    ctx: typer.Context,
    since: str = typer.Option("365d", "--since", help="How far back: 365d, 12w, 48h."),
    scheduler: str | None = typer.Option(
        None,
        "--scheduler",
        help="Dask scheduler address (tcp://host:8786); default: a local cluster on this machine.",
    ),
    workers: int = typer.Option(2, "--workers", min=1, max=64, help="Workers of the local cluster."),
    local: bool = typer.Option(False, "--no-dask", help="Screen in this process instead (small archives)."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Re-screen stored travellers of a period against the active lists; raise alerts for new hits."""
    instance = state(ctx).instance()
    moment = now()
    period = parse_period(since)
    with console.status(f"Re-screening travellers of the last {since}"):
        report = rescreen_archive(
            instance.db,
            instance.actor(channel="cli:rescreen"),
            since=period,
            config=match_config(instance.settings),
            now=moment,
            work_dir=today_folder(instance.settings.data_dir, moment.date()),
            scheduler=scheduler,
            workers=workers,
            use_dask=not local,
        )
    if as_json:
        print_json(report.as_dict())
        return
    rate = f"{report.travellers / report.seconds:,.0f} travellers/s" if report.seconds else "-"
    console.print(
        f"{report.travellers} travellers in {report.partitions} partition(s) screened against "
        f"{report.entities} entities on {report.workers} worker(s) in {report.seconds:.1f} s ({rate}): "
        f"{len(report.hits)} hit(s), {len(report.new_alerts)} new alert(s)."
    )


def register(app: typer.Typer) -> None:
    """Add `rescreen`."""
    app.command("rescreen")(rescreen_command)
