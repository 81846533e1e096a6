"""`borderwatch agreements`, `share` and `lists publish` in-process, on an agreement YAML file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from borderwatch.cli.exchange import register
from borderwatch.formats.agreements import dump_agreement
from partners import AGREEMENT_ID, agreement_copy, make_partner


def test_agreements_add_list_revoke_and_share_status(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dgsn = make_partner("DGSN", tmp_path / "dgsn")
    ukbf = make_partner("UKBF", tmp_path / "ukbf")
    file = tmp_path / "dgsn-ukbf.yaml"
    file.write_text(dump_agreement(agreement_copy(dgsn, ukbf, "http://127.0.0.1:9")), encoding="utf-8")
    monkeypatch.setenv("BORDERWATCH_DATA_DIR", str(dgsn.instance.settings.data_dir))
    monkeypatch.setenv("BORDERWATCH_AGENCY", "DGSN")
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    added = runner.invoke(app, ["agreements", "add", str(file), "--json"])
    assert added.exit_code == 0, added.output
    assert json.loads(added.output)["created"] is True
    again = runner.invoke(app, ["agreements", "add", str(file)])
    assert "nothing changed" in " ".join(again.output.split())
    listed = json.loads(runner.invoke(app, ["agreements", "list", "--json"]).output)
    assert [a["id"] for a in listed] == [AGREEMENT_ID]
    revoked = runner.invoke(app, ["agreements", "revoke", AGREEMENT_ID])
    assert revoked.exit_code == 0
    assert "Revoked" in revoked.output
    status = runner.invoke(app, ["share", "status", "--json"])
    assert status.exit_code == 0
    assert json.loads(status.output)["oldest_pending"] is None
    delivered = runner.invoke(app, ["share", "deliver", "--once", "--json"])
    assert delivered.exit_code == 0
    assert json.loads(delivered.output)["attempted"] == 0
    published = runner.invoke(app, ["lists", "publish", "LSD:DGSN", "--agreement", AGREEMENT_ID])
    assert published.exit_code != 0  # revoked: nothing may be published
    dgsn.instance.close()
    ukbf.instance.close()
