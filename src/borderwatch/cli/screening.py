"""`borderwatch screen FLIGHT`: screen a stored flight against the active watch lists."""

from __future__ import annotations

import typer
from rich.table import Table

from borderwatch.cli.output import console, now, print_json, state
from borderwatch.services.rules import load_rule_set
from borderwatch.services.screen import ScreeningReport, match_config, screen_flight


def print_screening(report: ScreeningReport) -> None:
    """Print the hits of a screening as a table and a summary line."""
    table = Table(title=f"Alerts on {report.flight}")
    for column in ("traveller", "entity", "score", "reason"):
        table.add_column(column)
    for result, hit in report.hits:
        table.add_row(result.name, hit.entity_id, f"{hit.score:.2f}", hit.reason)
    if report.hits:
        console.print(table)
    findings = Table(title="Documents and risk rules")
    for column in ("traveller", "finding", "severity", "explanation"):
        findings.add_column(column)
    for result in report.results:
        for doc in result.reported_documents:
            findings.add_row(
                result.name, f"document {doc.issuing_state} {doc.number}", "high", "reported lost or stolen"
            )
        for rule_hit in result.rule_hits:
            findings.add_row(result.name, rule_hit.rule_id, rule_hit.severity.value, rule_hit.explanation)
    if findings.row_count:
        console.print(findings)
    lists = ", ".join(f"{k} v{v}" for k, v in sorted(report.lists.items())) or "no list"
    console.print(
        f"{report.travellers} travellers screened against {lists} in {report.screening_ms:.0f} ms: "
        f"{len(report.hits)} watch-list hit(s), {findings.row_count} document or rule finding(s), "
        f"{len(report.new_alerts)} new alert(s)"
        + (f" ({report.rule_set} rules)." if report.rule_set else ".")
    )


def screen_command(
    ctx: typer.Context,
    flight: str = typer.Argument(
        ..., help="Flight id, designator (AT800) or key (AT800/2026-11-29/CMN-LHR)."
    ),
    no_rules: bool = typer.Option(False, "--no-rules", help="Watch lists and documents only, no risk rules."),
    as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
) -> None:
    """Screen every traveller of a stored flight (watch lists, lost/stolen documents, risk rules)."""
    cli = state(ctx)
    instance = cli.instance()
    report = screen_flight(
        instance.db,
        instance.actor(channel="cli:screen"),
        flight,
        config=match_config(instance.settings),
        now=now(),
        rules=None if no_rules else load_rule_set(instance.settings.rules_file),
    )
    if as_json:
        print_json(report.as_dict())
    else:
        print_screening(report)


def register(app: typer.Typer) -> None:
    """Add `screen`."""
    app.command("screen")(screen_command)
