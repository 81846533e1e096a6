"""`borderwatch rules ...`: check risk rule files and list the facts rules can test.

`rules test RULES FLIGHT` needs the store and is added by the lead next to these commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from borderwatch.cli.output import print_json, state
from borderwatch.domain.risk_rules import RuleSet, describe_condition
from borderwatch.services.risk import flag_flight
from borderwatch.services.rules import fact_fields, load_rule_set

RulesArgument = Annotated[
    Path | None,
    typer.Argument(
        help="YAML rule file to check; without it, the packaged default rule set.",
        dir_okay=False,
        show_default=False,
    ),
]
JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def _rule_set_json(rule_set: RuleSet) -> dict[str, object]:
    return {
        "name": rule_set.name,
        "version": rule_set.version,
        "description": rule_set.description,
        "rules": [
            {
                "id": rule.id,
                "version": rule.version,
                "title": rule.title,
                "severity": rule.severity.value,
                "enabled": rule.enabled,
                "condition": describe_condition(rule.condition),
                "explanation": rule.explanation,
                "facts": list(rule.facts_used),
            }
            for rule in rule_set.rules
        ],
    }


def check(rules: RulesArgument = None, as_json: JsonOption = False) -> None:
    """Check a rule file (facts, operators, values, patterns) and print its rules."""
    rule_set = load_rule_set(rules)
    if as_json:
        typer.echo(json.dumps(_rule_set_json(rule_set), ensure_ascii=False, indent=2))
        return
    console = Console()
    enabled = sum(1 for r in rule_set.rules if r.enabled)
    table = Table(title=f"Rule set {rule_set.label}: {len(rule_set.rules)} rules, {enabled} enabled")
    table.add_column("id", no_wrap=True)
    for column in ("v", "severity", "on", "title", "when"):
        table.add_column(column, overflow="fold")
    for rule in rule_set.rules:
        table.add_row(
            rule.id,
            str(rule.version),
            rule.severity.value,
            "yes" if rule.enabled else "no",
            rule.title,
            describe_condition(rule.condition),
        )
    console.print(table)
    console.print(f"[green]OK[/green]: {rules or 'packaged default rule set'} is a valid rule set.")


def fields(as_json: JsonOption = False) -> None:
    """List the facts a rule may test, with their kind and meaning."""
    facts = fact_fields()
    if as_json:
        rows = [{"name": f.name, "kind": f.kind.value, "description": f.description} for f in facts]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table(title="Facts for risk rules")
    for column in ("fact", "kind", "meaning"):
        table.add_column(column, overflow="fold")
    for f in facts:
        table.add_row(f.name, f.kind.value, f.description)
    Console().print(table)


def flag_flight_command(
    ctx: typer.Context,
    rules: Annotated[
        Path, typer.Argument(help="YAML rule file (use `default` for the packaged set).", show_default=False)
    ],
    flight: Annotated[str, typer.Argument(help="Flight id, designator (AT800) or key.", show_default=False)],
    as_json: JsonOption = False,
) -> None:
    """Show which travellers of a stored flight a rule set would flag, with each explanation."""
    rule_set = load_rule_set(None if str(rules) == "default" else rules)
    instance = state(ctx).instance()
    result = flag_flight(instance.db, instance.actor(channel="cli:rules test"), rule_set, flight)
    rows: list[dict[str, Any]] = [
        {
            "traveller_id": tid,
            "traveller": f.traveller.display_name,
            "severity": f.severity.value if f.severity else None,
            "hits": [
                {
                    "rule": h.rule_id,
                    "version": h.rule_version,
                    "severity": h.severity.value,
                    "title": h.title,
                    "explanation": h.explanation,
                }
                for h in f.hits
            ],
        }
        for tid, f in result.flagged
    ]
    if as_json:
        print_json(
            {
                "flight": result.flight.flight.key,
                "rule_set": rule_set.name,
                "version": rule_set.version,
                "judged_at": result.judged_at.isoformat(),
                "travellers": result.travellers,
                "flagged": rows,
            }
        )
        return
    table = Table(title=f"{rule_set.name} {rule_set.version} on {result.flight.flight.key}")
    for column in ("traveller", "severity", "rule", "explanation"):
        table.add_column(column, overflow="fold")
    for row in rows:
        for hit in row["hits"]:
            table.add_row(
                str(row["traveller"]), hit["severity"], f"{hit['rule']} v{hit['version']}", hit["explanation"]
            )
    console = Console()
    console.print(table if rows else f"No traveller flagged by {rule_set.name}.")
    console.print(
        f"{len(rows)} of {result.travellers} travellers flagged "
        f"(judged as of {result.judged_at:%Y-%m-%d %H:%M} UTC)."
    )


def register(app: typer.Typer) -> None:
    """Add the `rules` sub-app (check, fields) to the main application."""
    rules_app = typer.Typer(
        help="Risk rules: check rule files, list the facts they can test.", no_args_is_help=True
    )
    rules_app.command("check")(check)
    rules_app.command("fields")(fields)
    rules_app.command("test")(flag_flight_command)
    app.add_typer(rules_app, name="rules")
