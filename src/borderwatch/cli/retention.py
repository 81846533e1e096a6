"""`borderwatch retention ...`: depersonalise, delete and purge on schedule; re-personalise with approval."""

from __future__ import annotations

from datetime import date

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state, today
from borderwatch.errors import InputError
from borderwatch.services import repersonalisation
from borderwatch.services.auth import actor_for_user
from borderwatch.services.retention import run_retention
from borderwatch.store.repersonalisation import Request


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

    @retention.command("repersonalise")
    def repersonalise_command(
        ctx: typer.Context,
        traveller_id: int = typer.Argument(..., help="Id of the depersonalised traveller."),
        reason: str = typer.Option(..., "--reason", help="The case that needs the traveller's identity."),
        username: str = typer.Option(..., "--as", help="The officer or supervisor asking."),
        as_json: bool = typer.Option(False, "--json", help="Print the request as JSON."),
    ) -> None:
        """Ask for a depersonalised traveller to be re-personalised (a supervisor must approve)."""
        instance = state(ctx).instance()
        actor = actor_for_user(
            instance.db, instance.settings.agency, username, channel="cli:retention repersonalise"
        )
        made = repersonalisation.request(instance, actor, traveller_id, reason, now=now())
        if as_json:
            print_json(_request_json(made))
            return
        console.print(
            f"Request {made.request_id} for traveller {made.traveller_id} recorded; "
            "a supervisor must approve it (`borderwatch retention approve`)."
        )

    @retention.command("approve")
    def approve_command(
        ctx: typer.Context,
        request_id: int = typer.Argument(..., help="Id of the re-personalisation request."),
        username: str = typer.Option(..., "--as", help="The supervisor deciding (not the one who asked)."),
        refuse: bool = typer.Option(False, "--refuse", help="Refuse the request instead of approving it."),
        as_json: bool = typer.Option(False, "--json", help="Print the decision as JSON."),
    ) -> None:
        """Approve (the traveller's data is restored) or refuse a re-personalisation request."""
        instance = state(ctx).instance()
        actor = actor_for_user(
            instance.db, instance.settings.agency, username, channel="cli:retention approve"
        )
        decided = repersonalisation.decide(instance, actor, request_id, approve=not refuse, now=now())
        if as_json:
            print_json(_request_json(decided))
            return
        console.print(f"Request {decided.request_id} {decided.state} by {decided.decided_by}.")

    @retention.command("requests")
    def requests_command(
        ctx: typer.Context,
        pending: bool = typer.Option(False, "--pending", help="Only requests waiting for a decision."),
        as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
    ) -> None:
        """List re-personalisation requests, newest first."""
        instance = state(ctx).instance()
        found = repersonalisation.list_requests(
            instance, instance.actor(channel="cli:retention requests"), state="pending" if pending else None
        )
        if as_json:
            print_json({"requests": [_request_json(r) for r in found]})
            return
        table = Table("Id", "Traveller", "State", "Asked by", "Reason", "Decided by")
        for r in found:
            table.add_row(
                str(r.request_id), str(r.traveller_id), r.state, r.requested_by, r.reason, r.decided_by
            )
        console.print(table if found else "No re-personalisation request.")

    app.add_typer(retention, name="retention")


def _request_json(request: Request) -> dict[str, object]:
    return {
        "id": request.request_id,
        "traveller_id": request.traveller_id,
        "state": request.state,
        "reason": request.reason,
        "requested_by": request.requested_by,
        "requested_at": request.requested_at.isoformat(),
        "decided_by": request.decided_by,
        "decided_at": request.decided_at.isoformat() if request.decided_at else None,
    }
