"""`borderwatch serve`: run the HTTP API and the officer console."""

from __future__ import annotations

import typer
import uvicorn

from borderwatch.cli.output import console, state
from borderwatch.http.app import create_app


def serve_command(
    ctx: typer.Context,
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="Port to listen on."),
) -> None:
    """Run the API and the officer console (console at /, health at /health, OpenAPI at /docs)."""
    instance = state(ctx).instance()
    app = create_app(instance=instance)
    console.print(
        f"borderwatch for {instance.settings.agency} on http://{host}:{port} "
        f"(database {instance.db.describe()}); log in with `borderwatch users add` accounts"
    )
    uvicorn.run(app, host=host, port=port, log_level="info")


def register(app: typer.Typer) -> None:
    """Add `serve`."""
    app.command("serve")(serve_command)
