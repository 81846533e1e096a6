"""Writes the CLI reference (docs/cli-reference.md) from the commands' own --help text.

Run: `python -m borderwatch.cli.reference > docs/cli-reference.md` (or `make docs`). A test fails
when the committed file differs, so the reference cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import typer
import typer.main

from borderwatch.cli.main import app


def _walk(command: Any, path: list[str]) -> list[tuple[list[str], Any]]:
    found = [(path, command)]
    for name in sorted(getattr(command, "commands", {})):
        found.extend(_walk(command.commands[name], [*path, name]))
    return found


def render() -> str:
    """Return the CLI reference as Markdown."""
    root = typer.main.get_command(app)
    lines = [
        "# borderwatch command reference",
        "",
        "Generated from `--help` by `python -m borderwatch.cli.reference` (`make docs`). "
        "Exit codes: 0 done; 1 done, but records were quarantined or a check failed; 2 usage or "
        "input error; 3 configuration error; 4 storage error; 5 access denied; 6 conflict; 7 partner error.",
        "",
    ]
    for path, command in _walk(root, ["borderwatch"]):
        context = typer.Context(command, info_name=" ".join(path), terminal_width=100, max_content_width=100)
        lines += [f"## `{' '.join(path)}`", "", "```", command.get_help(context).rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
