"""What every command shares: the console, JSON output, the instance from settings."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

import typer
from rich.console import Console

from borderwatch.services.instance import Instance, open_instance
from borderwatch.settings import Settings, load_settings

console = Console(highlight=False)
err_console = Console(stderr=True, highlight=False)


@dataclass
class CliState:
    """Options given before the command, and the instance opened on first use."""

    debug: bool = False
    settings: Settings | None = None
    _instance: Instance | None = field(default=None, repr=False)

    def instance(self) -> Instance:
        """Return the instance named by the settings (opened and migrated once)."""
        if self._instance is None:
            self.settings = self.settings or load_settings()
            self._instance = open_instance(self.settings)
        return self._instance


def state(ctx: typer.Context) -> CliState:
    """Return the CLI state stored on the root context."""
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def print_json(data: Any) -> None:
    """Print data as indented JSON on standard output (for scripts)."""
    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=_default) + "\n")


def _default(value: object) -> object:
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def today() -> date:
    """Return today's date (the CLI is where the clock is read; services get it passed in)."""
    return datetime.now(UTC).date()


def now() -> datetime:
    """Return the current UTC time."""
    return datetime.now(UTC)
