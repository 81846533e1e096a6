"""The compiled hot modules: which modules run compiled, and the guard against a stale build."""

from __future__ import annotations

import os
from importlib.machinery import EXTENSION_SUFFIXES
from pathlib import Path

import pytest

from borderwatch import _compiled
from borderwatch._compiled import COMPILED, check_fresh, compiled_modules, describe, module_name, report


def _tree(root: Path, *, built_after: float) -> Path:
    """Write one compiled module's source and extension, the extension `built_after` s later."""
    source = root / COMPILED[0]
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n", encoding="utf-8")
    built = source.with_name(source.stem + EXTENSION_SUFFIXES[0])
    built.write_bytes(b"\x7fELF")
    os.utime(source, (1_000_000, 1_000_000))
    os.utime(built, (1_000_000 + built_after, 1_000_000 + built_after))
    return built


def test_an_extension_built_after_its_source_runs(tmp_path: Path) -> None:
    _tree(tmp_path, built_after=60)
    check_fresh(tmp_path)
    assert compiled_modules(tmp_path) == ["borderwatch.domain.screening"]


def test_an_extension_older_than_its_source_is_refused(tmp_path: Path) -> None:
    _tree(tmp_path, built_after=-60)  # the source was edited a minute after the build
    with pytest.raises(ImportError, match=r"make install"):
        check_fresh(tmp_path)


def test_files_unpacked_together_are_not_taken_for_a_stale_build(tmp_path: Path) -> None:
    _tree(tmp_path, built_after=-1)  # one wheel's files, written a second apart in either order
    check_fresh(tmp_path)


def test_the_c_extension_is_checked_and_described_like_the_others(tmp_path: Path) -> None:
    # The merges written in C (`domain/_gains.c`) are listed with the mypyc modules: a build older
    # than its source is refused the same way, and reports say which modules run in C.
    source = tmp_path / "borderwatch/domain/_gains.c"
    assert "borderwatch/domain/_gains.c" in COMPILED
    source.parent.mkdir(parents=True)
    source.write_text("/* */\n", encoding="utf-8")
    built = source.with_name("_gains" + EXTENSION_SUFFIXES[0])
    built.write_bytes(b"\x7fELF")
    os.utime(source, (1_000_000, 1_000_000))
    os.utime(built, (1_000_060, 1_000_060))
    check_fresh(tmp_path)
    assert compiled_modules(tmp_path) == ["borderwatch.domain._gains"]
    assert describe(tmp_path) == f"compiled by mypyc, 1 in C (1 of {len(COMPILED)} modules)"
    os.utime(source, (1_000_120, 1_000_120))  # the C edited after the build
    with pytest.raises(ImportError, match=r"_gains.*make install"):
        check_fresh(tmp_path)


def test_without_extensions_everything_runs_as_python(tmp_path: Path) -> None:
    source = tmp_path / COMPILED[1]
    source.parent.mkdir(parents=True)
    source.write_text("x = 1\n", encoding="utf-8")
    check_fresh(tmp_path)
    assert compiled_modules(tmp_path) == []


def test_install_warns_when_a_module_fell_back_to_python(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _tree(tmp_path, built_after=60)  # one module of the list compiled, the others not
    monkeypatch.delenv("BORDERWATCH_COMPILE", raising=False)
    report(tmp_path)
    out, err = capsys.readouterr()
    assert out == "compiled: borderwatch.domain.screening\n"
    assert f"warning: 1 of {len(COMPILED)} hot modules compiled" in err
    assert "pip install -v --no-build-isolation" in err


def test_a_pure_install_asked_for_is_not_warned_about(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("BORDERWATCH_COMPILE", "0")
    report(tmp_path)
    assert capsys.readouterr() == ("compiled: none (pure Python)\n", "")


def test_the_listed_modules_exist() -> None:
    root = Path(_compiled.__file__).resolve().parent.parent
    assert all((root / path).is_file() for path in COMPILED)


@pytest.mark.skipif(os.environ.get("CI") != "true", reason="a local install may be pure Python on purpose")
def test_ci_runs_the_compiled_engine() -> None:
    # `make install` compiles the hot modules; if it silently fell back to Python, the suite would
    # test code that does not ship, and the benchmarks would measure it.
    import borderwatch.domain.screening as screening

    assert compiled_modules() == [module_name(p) for p in COMPILED]
    assert screening.__file__ is not None
    assert screening.__file__.endswith(tuple(EXTENSION_SUFFIXES))
