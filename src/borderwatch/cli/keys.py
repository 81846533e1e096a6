"""`borderwatch keys`: create and show this instance's signing key for partner exchange."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

from borderwatch.services.keys import KeyInfo, init_keys, show_keys
from borderwatch.settings import load_settings


def _print(info: KeyInfo, *, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps(info.as_dict(), ensure_ascii=False))
        return
    console = Console(soft_wrap=True, highlight=False)  # keys are copied: never wrap them
    if info.created:
        console.print(f"[green]Created[/green] a new Ed25519 signing key in {info.path} (mode 0600).")
    console.print(f"Public key:  [bold]{info.public_key}[/bold]")
    console.print(f"Fingerprint: {info.fingerprint}")
    console.print("Give the public key to partner agencies; read the fingerprint to them by telephone.")


def register(app: typer.Typer) -> None:
    """Add the `keys` sub-app (init, show) to `app`."""
    keys = typer.Typer(
        help="This instance's signing key for exchanges with partner agencies.", no_args_is_help=True
    )

    @keys.command("init")
    def init_command(
        force: Annotated[
            bool,
            typer.Option("--force", help="Replace an existing key (partners must then get the new one)."),
        ] = False,
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        """Create the signing key (private key file with mode 0600) and print the public key."""
        settings = load_settings()
        _print(init_keys(settings.keys_dir, force=force), as_json=as_json)

    @keys.command("show")
    def show_command(
        as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ) -> None:
        """Print the public key and its fingerprint, to give to partner agencies."""
        settings = load_settings()
        _print(show_keys(settings.keys_dir), as_json=as_json)

    app.add_typer(keys, name="keys")
