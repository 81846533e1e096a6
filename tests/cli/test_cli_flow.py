"""The command line, run in-process: JSON contracts, exit codes, one clear line on errors."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest

from borderwatch.cli import screening as screening_cli
from borderwatch.cli import server as server_cli
from borderwatch.cli.main import main

PACKAGE_DATA = resources.files("borderwatch").joinpath("data")


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "bw"
    monkeypatch.setenv("BORDERWATCH_DATA_DIR", str(folder))
    monkeypatch.delenv("BORDERWATCH_DATABASE_URL", raising=False)
    return folder


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def _json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    code, out, err = _run(capsys, *args, "--json")
    assert code == 0, err
    data: dict[str, object] = json.loads(out)
    return data


def test_init_creates_database_and_private_files(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    data = _json(capsys, "init")
    assert data["agency"] == "DGSN"
    assert (data_dir / "borderwatch.db").exists()
    assert (data_dir / "secret.key").stat().st_mode & 0o777 == 0o600


def test_lists_import_show_and_diff(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    un_file = Path(str(PACKAGE_DATA.joinpath("lists", "UN_consolidated.xml")))
    first = _json(capsys, "lists", "import", "un", str(un_file))
    assert first["changed"] is True
    assert first["version"] == 1
    assert first["entries"] == 1003
    again = _json(capsys, "lists", "import", "un", str(un_file))
    assert again["changed"] is False

    shown = _json(capsys, "lists", "show")
    [un] = shown["lists"]  # type: ignore[misc]
    assert un["id"] == "UN"
    assert un["entries"] == 1003
    assert un["version"] == 1
    assert un["source_date"].startswith("2026-02-27")

    diff = _json(capsys, "lists", "diff", "UN")
    assert len(diff["added"]) == 1003  # type: ignore[arg-type]
    assert diff["previous_version"] is None


def test_ingest_screen_and_alerts(
    data_dir: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # `screen` judges documents and bookings as of now: the day before AT800 leaves, whenever the
    # tests run (passports in the sample expire in the months after it, and would start alerting).
    monkeypatch.setattr(screening_cli, "now", lambda: datetime(2026, 11, 30, 9, 0, tzinfo=UTC))
    un_file = Path(str(PACKAGE_DATA.joinpath("lists", "UN_consolidated.xml")))
    flight_file = Path(str(PACKAGE_DATA.joinpath("demo", "AT800-CMN-LHR.paxlst")))
    _json(capsys, "lists", "import", "un", str(un_file))

    ingested = _json(capsys, "ingest", str(flight_file))
    [message] = ingested["messages"]  # type: ignore[misc]
    assert message["kind"] == "passenger list"
    assert (message["passengers"], message["crew"], message["stored"]) == (150, 6, 156)

    screened = _json(capsys, "screen", "AT800")
    assert screened["travellers"] == 156
    assert {h["entity"] for h in screened["hits"]} == {  # type: ignore[attr-defined]
        "UN:QDi.190",
        "UN:QDi.082",
        "UN:QDi.060",
        "UN:QDi.232",
        "UN:QDi.136",
    }

    alerts = _json(capsys, "alerts", "list")["alerts"]
    assert len(alerts) == 5  # type: ignore[arg-type]
    assert all(a["state"] == "new" and a["flight"] == "AT800/2026-12-01/CMN-LHR" for a in alerts)  # type: ignore[attr-defined]

    code, out, _ = _run(capsys, "alerts", "list")
    assert code == 0
    assert "UN:QDi.190" in out


def test_a_paxlst_cut_short_is_stored_with_its_problems_reported(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # A transmission cut off mid-message: the travellers read are kept, and the report says the
    # message and the interchange were never closed (the manifest may be incomplete).
    whole = Path(str(PACKAGE_DATA.joinpath("demo", "AT800-CMN-LHR.paxlst"))).read_bytes()
    cut = tmp_path / "cut.paxlst"
    cut.write_bytes(whole[:2000])
    code, out, _ = _run(capsys, "ingest", str(cut), "--json")
    assert code == 0
    [message] = json.loads(out)["messages"]
    assert message["stored"] == 9
    reasons = [p["reason"] for p in message["problems"]]
    assert "message 'AT800A' is not closed by UNT" in reasons
    assert "interchange is not closed by UNZ" in reasons
    cut.write_bytes(whole[:2500])  # other bytes: a new message, read and shown to a person
    code, out, _ = _run(capsys, "ingest", str(cut))
    assert code == 0
    assert "warning: cut.paxlst line 1, segment 2 (UNT): message 'AT800A' is not closed by UNT" in " ".join(
        out.split()
    )


def test_unreadable_message_is_quarantined_with_exit_1(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "garbage.edi"
    bad.write_bytes(b"this is no airline message\x00\xff")
    code, out, _ = _run(capsys, "ingest", str(bad), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["quarantined"] == 1
    item_id = report["messages"][0]["quarantine_id"]

    listed = _json(capsys, "quarantine", "list")["quarantine"]
    assert [q["id"] for q in listed] == [item_id]  # type: ignore[attr-defined]
    shown = _json(capsys, "quarantine", "show", str(item_id))
    assert shown["bytes"] == len(bad.read_bytes())
    assert "not a PAXLST" in str(shown["reason"])
    code, _, _ = _run(capsys, "quarantine", "retry", str(item_id))
    assert code == 1  # still unreadable: stays in quarantine


@pytest.mark.parametrize(
    ("args", "expected_code", "message"),
    [
        (["ingest", "/no/such/file.edi"], 2, "no such file"),
        (["lists", "import", "un", "/no/such/list.xml"], 2, "no such file"),
        (["lists", "import", "cia", "x.xml"], 2, "unknown list kind"),
        (["screen", "ZZ999"], 2, "not found"),
        (["quarantine", "show", "999"], 2, "not found"),
        (["lists", "diff", "OFAC"], 2, "no list 'OFAC'"),
    ],
)
def test_user_errors_print_one_line_without_traceback(
    data_dir: Path, capsys: pytest.CaptureFixture[str], args: list[str], expected_code: int, message: str
) -> None:
    code, _, err = _run(capsys, *args)
    assert code == expected_code
    assert message in err
    assert "Traceback" not in err
    assert len(err.strip().splitlines()) == 1


def test_usage_errors_exit_2(data_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "lists", "import")
    assert code == 2
    assert "Missing argument" in err
    code, _, err = _run(capsys, "no-such-command")
    assert code == 2


def test_malformed_list_is_rejected_and_previous_version_stays(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    un_file = Path(str(PACKAGE_DATA.joinpath("lists", "UN_consolidated.xml")))
    _json(capsys, "lists", "import", "un", str(un_file))
    broken = tmp_path / "UN_broken.xml"
    broken.write_bytes(un_file.read_bytes()[:50000])
    code, _, err = _run(capsys, "lists", "import", "un", str(broken))
    assert code == 2
    assert "line" in err
    shown = _json(capsys, "lists", "show")
    assert shown["lists"][0]["version"] == 1  # type: ignore[index]
    assert shown["lists"][0]["entries"] == 1003  # type: ignore[index]


def test_serve_refuses_to_start_with_a_rule_file_that_fails_its_checks(
    data_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    broken = tmp_path / "agency.yaml"
    broken.write_text("name: agency\nversion: '1'\nrules:\n  - id: A\n", encoding="utf-8")
    monkeypatch.setenv("BORDERWATCH_RULES_FILE", str(broken))
    started: list[object] = []
    monkeypatch.setattr(server_cli, "serve_workers", lambda *args: started.append(args))
    code, _, err = _run(capsys, "serve", "--port", "8999")
    assert code == 3  # a configuration error
    assert "rules_file cannot be used" in err
    assert "'title' is required" in err
    assert "Traceback" not in err
    assert started == []  # no worker was started

    good = tmp_path / "good.yaml"
    good.write_text(
        PACKAGE_DATA.joinpath("rules", "default.yaml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    monkeypatch.setenv("BORDERWATCH_RULES_FILE", str(good))
    code, _, err = _run(capsys, "serve", "--port", "8999")
    assert code == 0, err
    assert started == [("127.0.0.1", 8999, 1)]
