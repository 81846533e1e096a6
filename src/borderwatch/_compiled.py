"""The modules that may run compiled (see setup.py), and a guard against a stale build.

Python sources listed here are compiled by mypyc; a C source (`.c`) is an extension written by hand,
whose Python caller keeps a numpy path that gives the same results when it is not built.

Python imports an extension module before the source file next to it. In an editable install the
extensions sit beside their sources, so a source edited after the build would silently not run:
`check_fresh` refuses that at import, with the command that fixes it.
"""

from __future__ import annotations

import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

# Paths under src/ (setup.py and the Makefile read this list; keep it free of imports from the package).
COMPILED = (
    "borderwatch/domain/screening.py",
    "borderwatch/domain/names/compare.py",
    "borderwatch/domain/names/index.py",
    "borderwatch/domain/names/normalize.py",
    "borderwatch/domain/names/transliterate.py",
    "borderwatch/formats/edifact.py",
    "borderwatch/formats/paxlst.py",
    "borderwatch/domain/_gains.c",
)
# Files unpacked from one wheel get mtimes a moment apart, in any order.
_SLACK_SECONDS = 2.0
_ROOT = Path(__file__).resolve().parent.parent


def extension_of(source: Path) -> Path | None:
    """Return the compiled extension built from `source`, or None when it runs as Python."""
    stem = source.with_suffix("")
    for suffix in EXTENSION_SUFFIXES:
        found = stem.with_name(stem.name + suffix)
        if found.exists():
            return found
    return None


def compiled_modules(root: Path = _ROOT) -> list[str]:
    """Return the dotted names of the modules that run compiled here."""
    return [module_name(path) for path in COMPILED if extension_of(root / path)]


def module_name(path: str) -> str:
    """Return the dotted module name of a path of `COMPILED`."""
    return path.rsplit(".", 1)[0].replace("/", ".")


def check_fresh(root: Path = _ROOT) -> None:
    """Raise ImportError when an extension is older than its source (its edits would not run)."""
    for path in COMPILED:
        source = root / path
        built = extension_of(source)
        if built is None or not source.exists():
            continue
        if source.stat().st_mtime > built.stat().st_mtime + _SLACK_SECONDS:
            raise ImportError(
                f"{built.name} was compiled before {path} last changed, and Python would run the old "
                "build: run `make install` to compile it again, or delete the .so file to run the source"
            )


def describe(root: Path = _ROOT) -> str:
    """Return how the hot modules run here, for benchmark reports and logs."""
    found = compiled_modules(root)
    in_c = sum(1 for path in COMPILED if path.endswith(".c") and module_name(path) in found)
    how = "compiled by mypyc" + (f", {in_c} in C" if in_c else "")
    return f"{how} ({len(found)} of {len(COMPILED)} modules)" if found else "pure Python"


def report(root: Path = _ROOT) -> None:
    """Print which modules run compiled (`make install`), and warn when some fell back to Python.

    pip keeps a successful build quiet, and with it setup.py's reason for building pure Python; the
    warning says how to see it. With `BORDERWATCH_COMPILE=0` pure Python is what was asked for.
    """
    found = compiled_modules(root)
    print("compiled:", ", ".join(found) or "none (pure Python)")
    if os.environ.get("BORDERWATCH_COMPILE", "1") != "0" and len(found) < len(COMPILED):
        print(
            f"warning: {len(found)} of {len(COMPILED)} hot modules compiled, the rest run as Python; "
            "for the reason: .venv/bin/python -m pip install -v --no-build-isolation --no-deps -e . "
            "2>&1 | grep borderwatch:",
            file=sys.stderr,
        )
