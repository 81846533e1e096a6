"""`borderwatch rules ...`: check risk rule files and list the facts rules can test.

`rules test RULES FLIGHT` needs the store and is added by the lead next to these commands.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderwatch.domain.risk_rules import RuleSet, describe_condition
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


def register(app: typer.Typer) -> None:
    """Add the `rules` sub-app (check, fields) to the main application."""
    rules_app = typer.Typer(
        help="Risk rules: check rule files, list the facts they can test.", no_args_is_help=True
    )
    rules_app.command("check")(check)
    rules_app.command("fields")(fields)
    app.add_typer(rules_app, name="rules")
