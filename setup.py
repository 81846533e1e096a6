"""Build hook: the hot modules are compiled to C with mypyc (the rest stays Python).

Screening a traveller runs the bounded search, the alignment and the evidence in Python loops
(about 150 us per traveller); reading a PAXLST manifest walks every segment in one Python loop.
Compiled by mypyc, the same type-checked source runs about 1.5x (screening, issue 4) and 2x (PAXLST,
issue 3) faster with identical results. The metadata lives in pyproject.toml; this file only adds
the extensions, and only when it can:

- mypyc type-checks the modules with the project's mypy settings, so it needs mypy and the
  dependencies installed: `make install` first installs everything pure, then builds the
  extensions with `--no-build-isolation` in that environment.
- In an isolated build (plain `pip install .`) or without a C compiler, the package is built pure
  Python, with a warning: the results are the same, only slower.
- `BORDERWATCH_COMPILE=0` turns compiling off.

One module is C written by hand, not mypyc: `domain/_gains.c`, the bounded search's merges of gains
per listed name (its head says why). It is built as an optional extension too; without it the search
runs the numpy code it replaces, with the same results.

An editable install builds the extensions next to their sources, and Python imports an extension
before a source file: after editing one of `COMPILED`, run `make install` again (the Makefile does
so by itself when one of them changed). `borderwatch._compiled.check_fresh` refuses to run an
extension older than its source.
"""

from __future__ import annotations

import os
import runpy
import sys

from setuptools import Extension, setup

# The list lives with the guard that checks the builds; read without importing the package.
COMPILED = [f"src/{p}" for p in runpy.run_path("src/borderwatch/_compiled.py")["COMPILED"]]
# Written in C by hand (see the file's head for why): built alongside, with the same fallback.
NATIVE = [
    Extension(
        p.removeprefix("src/").removesuffix(".c").replace("/", "."),
        [p],
        extra_compile_args=["-O2", "-ffp-contract=off"],
        optional=True,
    )
    for p in COMPILED
    if p.endswith(".c")
]


_BUILDS = {"build", "build_ext", "bdist_wheel", "editable_wheel", "develop", "install"}


def extensions() -> list[Extension]:
    """Return the extensions (mypyc's and the C one), or none (pure Python) when they cannot be built."""
    if os.environ.get("BORDERWATCH_COMPILE", "1") == "0":
        return []
    commands = set(sys.argv[1:])
    if commands & {"egg_info", "dist_info", "sdist"} and not commands & _BUILDS:
        return []  # metadata only: type-checking and generating C here would be thrown away
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("borderwatch: mypyc not installed; building pure Python (slower)", file=sys.stderr)
        return NATIVE
    try:
        # One shared library inside the package (not a top-level module with a hashed name), so an
        # editable install finds it through the package like any other module.
        built = mypycify(
            [p for p in COMPILED if p.endswith(".py")], opt_level="3", group_name="borderwatch._native"
        )
    except (Exception, SystemExit) as exc:  # mypy could not check the modules here (see above)
        print(f"borderwatch: not compiled ({exc}); building pure Python (slower)", file=sys.stderr)
        return NATIVE
    for extension in built:
        extension.optional = True  # no C compiler: setuptools warns and leaves the module pure
    return built + NATIVE


setup(ext_modules=extensions())
