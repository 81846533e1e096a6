"""`borderwatch serve`: run the HTTP API and the officer console."""

from __future__ import annotations

import typer

from borderwatch.cli.output import console, state
from borderwatch.errors import ConfigError, InputError
from borderwatch.http.serving import serve_workers
from borderwatch.services.rules import load_rule_set


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
    workers: int = typer.Option(1, "--workers", min=1, max=64, help="Worker processes (one per core)."),
) -> None:
    """Run the API and the officer console (console at /, health at /health, OpenAPI at /docs)."""
    instance = state(ctx).instance()  # migrates the database once, before any worker starts
    rules_file = instance.settings.rules_file
    if rules_file is not None:
        # A rule file that fails its checks would fail every check request: refuse to start instead.
        try:
            load_rule_set(rules_file)
        except InputError as exc:
            instance.close()
            raise ConfigError(f"rules_file cannot be used: {exc.message}") from exc
    console.print(
        f"borderwatch for {instance.settings.agency} on http://{host}:{port} with {workers} worker(s) "
        f"(database {instance.db.describe()}); log in with `borderwatch users add` accounts"
    )
    instance.close()
    serve_workers(host, port, workers)


def register(app: typer.Typer) -> None:
    """Add `serve`."""
    app.command("serve")(serve_command)
