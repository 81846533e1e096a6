"""`borderwatch agreements ...`, `borderwatch share ...` and `borderwatch lists publish`: partner exchange."""

from __future__ import annotations

import time
from pathlib import Path

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.domain.agreements import Agreement
from borderwatch.domain.audit import Role
from borderwatch.services import share


def _agreement_dict(agreement: Agreement) -> dict[str, object]:
    return {
        "id": agreement.id,
        "partner": agreement.partner,
        "partner_url": agreement.partner_url,
        "directions": sorted(d.value for d in agreement.directions),
        "alert_categories": sorted(c.value for c in agreement.alert_categories),
        "list_ids": sorted(agreement.list_ids),
        "fields": sorted(f.value for f in agreement.fields),
        "retention_days": agreement.retention_days,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "revoked_at": agreement.revoked_at.isoformat() if agreement.revoked_at else None,
    }


def register(app: typer.Typer) -> None:
    """Add `agreements` (add, list, revoke), `share` (deliver, status) and `lists publish` to `app`."""
    agreements = typer.Typer(help="Sharing agreements with partner agencies.", no_args_is_help=True)
    share_app = typer.Typer(
        help="Deliver and watch what is shared with partner agencies.", no_args_is_help=True
    )

    @agreements.command("add")
    def add_command(
        ctx: typer.Context,
        file: Path = typer.Argument(..., help="The agreement as a YAML file (see data/agreements/)."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Add an agreement, or update it from a changed file (every change is audited)."""
        instance = state(ctx).instance()
        actor = instance.actor(role=Role.ADMIN, channel="cli:agreements add")
        agreement, created, changes = share.add_agreement_file(instance.db, actor, file, now=now())
        if as_json:
            print_json(
                {
                    "agreement": _agreement_dict(agreement),
                    "created": created,
                    "changes": [{"field": c.field, "before": c.before, "after": c.after} for c in changes],
                }
            )
            return
        if created:
            console.print(f"Added agreement {agreement.id} with {agreement.partner}.")
        elif changes:
            console.print(f"Updated agreement {agreement.id}: " + ", ".join(c.field for c in changes) + ".")
        else:
            console.print(f"Agreement {agreement.id} is already stored as in {file.name}; nothing changed.")

    @agreements.command("list")
    def list_command(
        ctx: typer.Context,
        as_json: bool = typer.Option(False, "--json", help="Print the agreements as JSON."),
    ) -> None:
        """List the agency's agreements with partner, scope and status."""
        instance = state(ctx).instance()
        found = share.list_agreements(instance.db, instance.actor(channel="cli:agreements list"))
        if as_json:
            print_json([_agreement_dict(a) for a in found])
            return
        table = Table("Id", "Partner", "Directions", "Alerts", "Lists", "Retention", "Status")
        moment = now()
        for a in found:
            status = "revoked" if a.is_revoked else "in force"
            if not a.is_revoked and (moment < a.valid_from or (a.valid_until and moment >= a.valid_until)):
                status = "not in force"
            table.add_row(
                a.id,
                a.partner,
                ", ".join(sorted(d.value for d in a.directions)),
                ", ".join(sorted(c.value for c in a.alert_categories)),
                ", ".join(sorted(a.list_ids)),
                f"{a.retention_days} days",
                status,
            )
        console.print(table)

    @agreements.command("revoke")
    def revoke_command(
        ctx: typer.Context,
        agreement_id: str = typer.Argument(..., help="Id of the agreement to revoke."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Revoke an agreement at once: nothing more is sent or accepted under it."""
        instance = state(ctx).instance()
        actor = instance.actor(role=Role.ADMIN, channel="cli:agreements revoke")
        agreement, cancelled = share.revoke_agreement(instance.db, actor, agreement_id, now=now())
        if as_json:
            print_json({"agreement": _agreement_dict(agreement), "outbox_cancelled": cancelled})
            return
        console.print(
            f"Revoked agreement {agreement.id} with {agreement.partner}; "
            f"{cancelled} queued message(s) will not be sent."
        )

    @share_app.command("deliver")
    def deliver_command(
        ctx: typer.Context,
        once: bool = typer.Option(False, "--once", help="One delivery round, then exit."),
        interval: float = typer.Option(5.0, "--interval", min=0.1, help="Seconds between rounds."),
        as_json: bool = typer.Option(False, "--json", help="Print each round's result as JSON."),
    ) -> None:
        """Deliver queued messages to partners (retrying with backoff); runs until stopped unless --once."""
        instance = state(ctx).instance()
        rounds = 1 if once else 10**9  # until Ctrl-C; each round is bounded by its own message limit
        for number in range(rounds):
            report = share.deliver(instance)
            if as_json:
                print_json(report.as_dict())
            elif report.attempted or once:
                console.print(
                    f"Delivered {len(report.delivered)}, failed {len(report.failed)}, "
                    f"cancelled {len(report.cancelled)}, waiting {report.waiting}."
                )
                for message_id, error in report.failed.items():
                    console.print(f"  {message_id}: {error}")
            if number + 1 < rounds:
                time.sleep(interval)

    @share_app.command("status")
    def status_command(
        ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print the status as JSON.")
    ) -> None:
        """Show the outbox: messages per agreement and state, the oldest waiting, the last errors."""
        instance = state(ctx).instance()
        status = share.outbox_status(instance.db, instance.actor(channel="cli:share status"))
        if as_json:
            print_json(status.as_dict())
            return
        table = Table("Agreement", "Pending", "Delivered", "Cancelled")
        for agreement_id, counts in sorted(status.counts.items()):
            table.add_row(
                agreement_id,
                str(counts.get("pending", 0)),
                str(counts.get("delivered", 0)),
                str(counts.get("cancelled", 0)),
            )
        console.print(table)
        if status.oldest_pending:
            console.print(f"Oldest waiting message queued at {status.oldest_pending.isoformat()}.")
        for message_id, error in status.last_errors.items():
            console.print(f"  {message_id}: {error}")

    lists_app = _lists_app(app)

    @lists_app.command("publish")
    def publish_command(
        ctx: typer.Context,
        list_id: str = typer.Argument(..., help="Id of our list to publish, e.g. LSD:UKBF or NAT:UKBF."),
        agreement_id: str = typer.Option(..., "--agreement", help="Agreement to publish under."),
        categories: list[str] = typer.Option(
            [],
            "--category",
            help="National list only, required, repeatable: a category to share "
            "(arrest, 'refuse entry', monitor). Nothing is shared by default.",
        ),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
    ) -> None:
        """Queue what changed in a list since it was last published to the agreement's partner."""
        instance = state(ctx).instance()
        actor = instance.actor(channel="cli:lists publish")
        report = share.publish_list(
            instance.db, actor, list_id, agreement_id, now=now(), categories=categories
        )
        if as_json:
            print_json(report.as_dict())
            return
        if not report.changed:
            console.print(f"{list_id}: version {report.version} was already published under {agreement_id}.")
            return
        console.print(
            f"{list_id}: version {report.version} queued for {agreement_id} "
            f"(+{report.added} ~{report.updated} -{report.removed} since version {report.base_version}, "
            f"{len(report.messages)} message(s)); run `borderwatch share deliver`."
        )

    app.add_typer(agreements, name="agreements")
    app.add_typer(share_app, name="share")


def _lists_app(app: typer.Typer) -> typer.Typer:
    """Return the `lists` sub-app of `app` (the one `cli/lists.py` registers), or a new one added to it."""
    for group in app.registered_groups:
        if group.name == "lists" and group.typer_instance is not None:
            return group.typer_instance
    lists_app = typer.Typer(help="Watch lists.", no_args_is_help=True)
    app.add_typer(lists_app, name="lists")
    return lists_app
