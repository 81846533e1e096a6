"""`borderwatch alerts ...`: the alert queue."""

from __future__ import annotations

import getpass
from typing import Any

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.domain.alerts import AlertState, Decision
from borderwatch.services import auth, review
from borderwatch.store.alerts import AlertDetail

alerts_app = typer.Typer(help="Alerts raised by screening: list and inspect.", no_args_is_help=True)


@alerts_app.command("list")
def list_command(
    ctx: typer.Context,
    status: list[str] = typer.Option(
        [],
        "--status",
        help="Only alerts in this state (repeatable): new, "
        "'in review', escalated, 'confirmed match', 'false positive'.",
    ),
    flight: int | None = typer.Option(None, "--flight", help="Only alerts of this flight id."),
    limit: int = typer.Option(100, "--limit", min=1, max=10000, help="At most this many alerts."),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """List alerts, newest first."""
    instance = state(ctx).instance()
    try:
        states = [AlertState(s) for s in status]
    except ValueError as exc:
        raise typer.BadParameter(f"{exc}; states are: {', '.join(s.value for s in AlertState)}") from exc
    found = review.list_alerts(
        instance.db,
        instance.actor(channel="cli:alerts list"),
        states=states or None,
        flight_id=flight,
        limit=limit,
    )
    rows = [
        {
            "id": a.alert_id,
            "kind": a.kind.value,
            "state": a.state.value,
            "severity": a.severity.value,
            "traveller": a.traveller_name,
            "flight": a.flight,
            "entity": a.entity_id,
            "score": round(a.score, 4),
            "reason": a.reason,
            "created_at": a.created_at.isoformat(),
        }
        for a in found
    ]
    if as_json:
        print_json({"alerts": rows})
        return
    table = Table(title="Alerts")
    for column in ("id", "state", "traveller", "flight", "entity", "score", "reason"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            str(row["state"]),
            str(row["traveller"]),
            str(row["flight"]),
            str(row["entity"]),
            f"{row['score']:.2f}",
            str(row["reason"]),
        )
    console.print(table if rows else "No alerts.")


def _detail_dict(detail: AlertDetail) -> dict[str, Any]:
    a = detail.summary
    return {
        "id": a.alert_id,
        "kind": a.kind.value,
        "state": a.state.value,
        "severity": a.severity.value,
        "traveller": a.traveller_name,
        "flight": a.flight,
        "entity": a.entity_id,
        "score": round(a.score, 4),
        "reason": a.reason,
        "created_at": a.created_at.isoformat(),
        "traveller_id": detail.traveller_id,
        "flight_id": detail.flight_id,
        "assigned_to": detail.assigned_to,
        "evidence": detail.evidence,
        "history": detail.history,
    }


def _print_detail(detail: AlertDetail) -> None:
    a = detail.summary
    console.print(f"Alert {a.alert_id} [{a.state.value}] {a.severity.value} severity, {a.kind.value}")
    console.print(f"Traveller {a.traveller_name} on {a.flight}; entity {a.entity_id}, score {a.score:.2f}")
    console.print(f"Reason: {a.reason}")
    if detail.assigned_to:
        console.print(f"Assigned to: {detail.assigned_to}")
    table = Table(title="History")
    for column in ("at", "officer", "action", "from", "to", "decision", "note"):
        table.add_column(column)
    for event in detail.history:
        table.add_row(
            str(event["at"])[:19],
            str(event["actor"]),
            str(event["action"]),
            str(event["from"]),
            str(event["to"]),
            str(event.get("decision", "")),
            str(event["note"]),
        )
    console.print(table)


AS_HELP = "Act as this user of the default agency (default: your login name)."


@alerts_app.command("show")
def show_command(
    ctx: typer.Context,
    alert_id: int = typer.Argument(..., min=1, help="Alert id."),
    as_user: str | None = typer.Option(
        None, "--as", help="Read as this user of the default agency (default: the instance itself)."
    ),
    as_json: bool = typer.Option(False, "--json", help="Print as JSON."),
) -> None:
    """Show one alert with its evidence and history (the read is audited)."""
    instance = state(ctx).instance()
    actor = (
        auth.actor_for_user(instance.db, instance.settings.agency, as_user, channel="cli:alerts show")
        if as_user
        else instance.actor(channel="cli:alerts show")
    )
    detail = review.get_alert(instance.db, actor, alert_id)
    if as_json:
        print_json(_detail_dict(detail))
    else:
        _print_detail(detail)


@alerts_app.command("decide")
def decide_command(
    ctx: typer.Context,
    alert_id: int = typer.Argument(..., min=1, help="Alert id."),
    decision: str = typer.Option(..., "--decision", help="'confirm match', 'false positive' or escalate."),
    note: str = typer.Option(..., "--note", help="What you checked and why you decide so."),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print the alert as JSON."),
) -> None:
    """Decide an alert as a named officer; a high-severity one needs a second officer's same decision."""
    try:
        chosen = Decision(decision.strip().lower())
    except ValueError as exc:
        choices = ", ".join(d.value for d in Decision)
        raise typer.BadParameter(f"{decision!r}: decisions are {choices}") from exc
    instance = state(ctx).instance()
    actor = auth.actor_for_user(
        instance.db, instance.settings.agency, as_user or getpass.getuser(), channel="cli:alerts decide"
    )
    detail = review.decide_alert(instance.db, actor, alert_id, chosen, note, now=now())
    if as_json:
        print_json(_detail_dict(detail))
        return
    state_now = detail.summary.state
    if state_now is AlertState.PENDING_APPROVAL:
        console.print(
            f"Alert {alert_id}: {chosen.value} proposed by {actor.username}; a second officer "
            "must take the same decision to close it (four eyes)."
        )
    else:
        console.print(f"Alert {alert_id} is now {state_now.value} ({actor.username}).")


def register(app: typer.Typer) -> None:
    """Add `alerts`."""
    app.add_typer(alerts_app, name="alerts")
