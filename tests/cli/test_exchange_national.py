"""`borderwatch lists publish NAT:<agency> --category ...` in-process: the subset is queued."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from borderwatch.cli.exchange import register
from borderwatch.errors import InputError
from borderwatch.formats.agreements import dump_agreement
from borderwatch.services.lists import ListFile, import_list_file
from partners import AGREEMENT_ID, agreement_copy, make_partner

ROWS = (
    b"id,family_name,given_names,aliases,birth_date,nationality,gender,document_numbers,category,remarks\n"
    b"UK-0001,HADDAD,Samir,,1979-03-02,LBN,M,,arrest,Invented row\n"
    b"UK-0002,ORTEGA,Luis,,1985-06-14,ESP,M,,refuse entry,Invented row\n"
    b"UK-0003,NOVAK,Jana,,1991-11,CZE,F,,monitor,Invented row\n"
)


def test_publish_a_national_subset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dgsn = make_partner("DGSN", tmp_path / "dgsn")
    ukbf = make_partner("UKBF", tmp_path / "ukbf")
    file = tmp_path / "ukbf-dgsn.yaml"
    agreement = agreement_copy(ukbf, dgsn, "http://127.0.0.1:9", list_ids=frozenset({"NAT:UKBF"}))
    file.write_text(dump_agreement(agreement), encoding="utf-8")
    import_list_file(ukbf.instance.db, ukbf.actor(), ListFile("national", "ukbf.csv", ROWS))
    monkeypatch.setenv("BORDERWATCH_DATA_DIR", str(ukbf.instance.settings.data_dir))
    monkeypatch.setenv("BORDERWATCH_AGENCY", "UKBF")
    app = typer.Typer()
    register(app)
    runner = CliRunner()
    assert runner.invoke(app, ["agreements", "add", str(file)]).exit_code == 0
    refused = runner.invoke(app, ["lists", "publish", "NAT:UKBF", "--agreement", AGREEMENT_ID])
    assert isinstance(refused.exception, InputError)  # no category: nothing is shared by default
    command = ["lists", "publish", "NAT:UKBF", "--agreement", AGREEMENT_ID]
    published = runner.invoke(app, [*command, "--category", "refuse entry", "--category", "arrest", "--json"])
    assert published.exit_code == 0, published.output
    report = json.loads(published.output)
    assert (report["added"], report["categories"], len(report["messages"])) == (
        2,
        ["arrest", "refuse entry"],
        1,
    )
    dgsn.instance.close()
    ukbf.instance.close()
