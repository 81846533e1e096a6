"""The `borderwatch` command: composes one Typer sub-app per area and maps errors to exit codes.

Exit codes: 0 done; 1 done, but records were quarantined or a check failed; 2 usage or input
error; 3 configuration error; 4 storage error; 5 access denied; 6 conflict; 7 partner error.
"""

from __future__ import annotations

import sys

import typer
from rich.text import Text

from borderwatch import __version__
from borderwatch.cli import (
    alerts,
    audit,
    evaluation,
    exchange,
    ingest,
    keys,
    lists,
    mrz,
    rescreen,
    retention,
    rules,
    screening,
    server,
    setup,
    story,
    training,
    users,
)
from borderwatch.cli.output import CliState, err_console
from borderwatch.errors import (
    AccessDeniedError,
    BorderwatchError,
    ConfigError,
    ConflictError,
    InputError,
    NotFoundError,
    PartnerError,
    StorageError,
)

app = typer.Typer(
    name="borderwatch",
    help="Border screening and border cooperation: ingest airline data, check documents, screen "
    "travellers against watch lists, review alerts, share with partner agencies, train officers.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)

EXIT_CODES: list[tuple[type[BorderwatchError], int]] = [
    (InputError, 2),
    (NotFoundError, 2),
    (ConfigError, 3),
    (StorageError, 4),
    (AccessDeniedError, 5),
    (ConflictError, 6),
    (PartnerError, 7),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"borderwatch {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    ctx: typer.Context,
    debug: bool = typer.Option(False, "--debug", help="Show the full traceback when something fails."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Border screening and border cooperation."""
    ctx.obj = CliState(debug=debug)


AREAS = (
    setup,
    story,
    lists,
    exchange,
    ingest,
    screening,
    alerts,
    rescreen,
    retention,
    mrz,
    rules,
    users,
    audit,
    keys,
    training,
    evaluation,
    server,
)
for area in AREAS:
    area.register(app)


def exit_code(error: BorderwatchError) -> int:
    """Return the documented exit code for an error."""
    for cls, code in EXIT_CODES:
        if isinstance(error, cls):
            return code
    return 1


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (errors are one clear line, no traceback)."""
    args = list(sys.argv[1:] if argv is None else argv)
    debug = "--debug" in args
    try:
        result = app(args=args, prog_name="borderwatch", standalone_mode=False)
    except typer.Exit as exc:
        return int(exc.exit_code)
    except typer.Abort:
        err_console.print("aborted")
        return 130
    except typer.TyperException as exc:  # usage errors: wrong option, missing argument, bad value
        show = getattr(exc, "show", None)
        if callable(show):
            show()
        else:
            err_console.print(str(exc))
        return int(getattr(exc, "exit_code", 2))
    except BorderwatchError as exc:
        if debug:
            raise
        err_console.print(Text.assemble(("error: ", "bold red"), exc.message))
        return exit_code(exc)
    return result if isinstance(result, int) else 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())


if __name__ == "__main__":
    run()
