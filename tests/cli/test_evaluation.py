"""`borderwatch eval names` in-process on the real benchmark lists (skipped when ../shared is absent)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from borderwatch.cli.evaluation import register

BENCH = Path(__file__).parents[2].parent / "shared" / "data" / "bench"


@pytest.mark.slow
@pytest.mark.skipif(
    not (BENCH / "watchlists").exists(), reason="benchmark lists in ../shared/data/bench not present"
)
def test_eval_names_writes_one_line_per_query(tmp_path: Path) -> None:
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        json.dumps(
            {
                "id": "q1",
                "name": "MUBARAK AL-BATHALI",
                "birth_date": "1961-10-01",
                "nationality": "KW",
                "gender": "M",
            }
        )
        + "\n"
        + json.dumps(
            {
                "id": "q2",
                "name": "JACQUELINE GRANT",
                "birth_date": "1983-02-19",
                "nationality": "GB",
                "gender": "F",
            }
        )
        + "\n",
        encoding="utf-8",
    )
    out = tmp_path / "r.jsonl"
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app,
        [
            "eval",
            "names",
            "--list",
            f"un:{BENCH / 'watchlists/UN_consolidated.xml'}",
            "--list",
            f"ofac:{BENCH / 'watchlists/sdn.csv'}",
            "--queries",
            str(queries),
            "--out",
            str(out),
        ],
    )
    assert result.exit_code == 0, result.output
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ["q1", "q2"]
    assert rows[0]["matches"][0]["entity"] in {"UN:QDi.238", "OFAC:10011"}
    assert rows[1]["matches"] == []


def test_bad_list_spec_is_refused(tmp_path: Path) -> None:
    app = typer.Typer()
    register(app)
    result = CliRunner().invoke(
        app, ["eval", "names", "--list", "xyz:file", "--queries", "q", "--out", str(tmp_path / "o")]
    )
    assert result.exit_code != 0
