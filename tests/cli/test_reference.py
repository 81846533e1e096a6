"""The CLI reference in docs/ is generated from --help and must name every command there is."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer.main

from borderwatch.cli.main import app
from borderwatch.cli.reference import render

DOC = Path(__file__).resolve().parents[2] / "docs" / "cli-reference.md"


def _paths(command: Any, path: list[str]) -> list[str]:
    found = [" ".join(path)]
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        found.extend(_paths(sub, [*path, name]))
    return found


def test_every_command_is_in_the_reference() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [p for p in _paths(typer.main.get_command(app), ["borderwatch"]) if f"## `{p}`" not in text]
    assert missing == [], f"regenerate docs/cli-reference.md with `make docs`; missing: {missing}"


def test_reference_renders_every_command_help() -> None:
    rendered = render()
    assert "## `borderwatch lists import`" in rendered
    assert "Usage:" in rendered
