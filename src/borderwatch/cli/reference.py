"""Writes the CLI reference (docs/cli-reference.md) from the commands' own --help text.

Run: `python -m borderwatch.cli.reference > docs/cli-reference.md` (or `make docs`). A test fails
when a command is missing from the committed file, so the reference cannot drift from the code.
"""

from __future__ import annotations

from typing import Any

import typer.main
from typer.testing import CliRunner

from borderwatch.cli.main import app

WIDTH = "100"


def _walk(command: Any, path: list[str]) -> list[list[str]]:
    found = [path]
    for name in sorted(getattr(command, "commands", {})):
        found.extend(_walk(command.commands[name], [*path, name]))
    return found


def render() -> str:
    """Return the CLI reference as Markdown (help captured as the command prints it, 100 columns)."""
    runner = CliRunner()
    lines = [
        "# borderwatch command reference",
        "",
        "Generated from `--help` by `python -m borderwatch.cli.reference` (`make docs`). "
        "Exit codes: 0 done; 1 done, but records were quarantined or a check failed; 2 usage or "
        "input error; 3 configuration error; 4 storage error; 5 access denied; 6 conflict; 7 partner error.",
        "",
    ]
    for path in _walk(typer.main.get_command(app), ["borderwatch"]):
        result = runner.invoke(
            app,
            [*path[1:], "--help"],
            prog_name="borderwatch",
            env={"COLUMNS": WIDTH, "TERMINAL_WIDTH": WIDTH, "NO_COLOR": "1"},
        )
        text = "\n".join(line.rstrip() for line in result.output.strip("\n").splitlines())
        lines += [f"## `{' '.join(path)}`", "", "```", text, "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":
    print(render())
