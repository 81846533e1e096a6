"""`borderwatch eval`: measure the engines on benchmark files."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from borderwatch.domain.hits import MatchConfig
from borderwatch.services.evaluation import ListSpec, evaluate_names


def register(app: typer.Typer) -> None:
    """Add the `eval` sub-app (command `names`) to the main application."""
    sub = typer.Typer(help="Measure the engines on benchmark files.", no_args_is_help=True)

    @sub.command("names")
    def names(
        lists: Annotated[
            list[str],
            typer.Option("--list", help="Watch list to import as KIND:FILE (un:..., ofac:...); repeat."),
        ],
        queries: Annotated[
            Path,
            typer.Option(
                "--queries",
                help="Queries, one JSON object a line (id, name, birth_date, nationality, gender).",
            ),
        ],
        out: Annotated[Path, typer.Option("--out", help="Results file to write, one JSON line per query.")],
        threshold: Annotated[
            float | None,
            typer.Option("--threshold", min=0.0, max=1.0, help="Alert threshold (default: the engine's)."),
        ] = None,
        as_json: Annotated[bool, typer.Option("--json", help="Print the run report as JSON.")] = False,
    ) -> None:
        """Screen benchmark queries against watch lists and write the alerts of each query."""
        config = MatchConfig() if threshold is None else MatchConfig(alert_threshold=threshold)
        report = evaluate_names([ListSpec.parse(s) for s in lists], queries, out, config=config)
        console = Console()
        if as_json:
            console.print_json(json.dumps(report.as_dict()))
            return
        table = Table(title="name screening run")
        table.add_column("what")
        table.add_column("value", justify="right")
        for file, entries, problems in report.lists:
            table.add_row(f"list {file}", f"{entries} entries, {problems} problems")
        table.add_row("names indexed", str(report.index_names))
        table.add_row("queries screened", str(report.queries))
        table.add_row("queries with an alert", str(report.queries_alerting))
        table.add_row("import / index build", f"{report.import_seconds:.2f} s / {report.build_seconds:.2f} s")
        table.add_row(
            "screening", f"{report.screen_seconds:.2f} s ({report.queries_per_second:.0f} queries/s)"
        )
        table.add_row("query problems", str(len(report.problems)))
        console.print(table)
        for problem in report.problems[:20]:
            console.print(f"[yellow]{problem}[/yellow]")

    app.add_typer(sub, name="eval")


if __name__ == "__main__":  # the lead wires cli/main.py; this runs the sub-app alone
    _app = typer.Typer()
    register(_app)
    _app()
