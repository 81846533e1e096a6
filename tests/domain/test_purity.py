"""The domain is pure: it reads no clock, no environment and no file (import-linter checks the imports)."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

DOMAIN = Path(__file__).resolve().parents[2] / "src" / "borderwatch" / "domain"
FORBIDDEN_METHODS = {
    "now",
    "today",
    "utcnow",
    "read_text",
    "read_bytes",
    "write_text",
    "write_bytes",
    "getenv",
    "perf_counter",
    "monotonic",
    "urandom",
    "time_ns",
}
FORBIDDEN_FUNCTIONS = {"open", "input"}
FORBIDDEN_NAMES = {"environ"}


def _violations(path: Path) -> list[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Attribute):
                owner = func.value.id if isinstance(func.value, ast.Name) else ""
                if func.attr in FORBIDDEN_METHODS or (owner, func.attr) == ("time", "time"):
                    found.append(f"{path.name}:{node.lineno}: calls {owner}.{func.attr}()")
            elif isinstance(func, ast.Name) and func.id in FORBIDDEN_FUNCTIONS:
                found.append(f"{path.name}:{node.lineno}: calls {func.id}()")
        elif isinstance(node, ast.Attribute) and node.attr in FORBIDDEN_NAMES:
            found.append(f"{path.name}:{node.lineno}: reads {node.attr}")
    return found


@pytest.mark.parametrize("path", sorted(DOMAIN.rglob("*.py")), ids=lambda p: str(p.relative_to(DOMAIN)))
def test_domain_module_reads_no_clock_environment_or_file(path: Path) -> None:
    assert _violations(path) == []
