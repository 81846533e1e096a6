"""The whole story (`borderwatch demo`) end to end: each step's outcome, and the same outcome twice."""

from __future__ import annotations

import csv
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from borderwatch.http.serving import serve_on_loopback
from borderwatch.services.story import CONFIRMED_ENTITY, StoryReport, run_story

NOW = datetime(2026, 11, 29, 9, 30, tzinfo=UTC)
AGREED = [
    "birth_date",
    "document_number",
    "entity_id",
    "family_name",
    "flight",
    "flight_date",
    "given_names",
    "nationality",
    "reason",
    "score",
]


def _planted() -> dict[str, str]:
    text = resources.files("borderwatch").joinpath("data", "demo", "planted.csv").read_text(encoding="utf-8")
    return {
        f"{r['family_name']}/{r['given_names']}": r["entity_id"] for r in csv.DictReader(text.splitlines())
    }


def _outcome(report: StoryReport) -> dict[str, Any]:
    return {
        "alerts": sorted((a["kind"], a["traveller"], a["subject"]) for a in report.alerts),
        "confirmed": (report.confirmed["subject"], report.confirmed["state"]),
        "cleared": (report.cleared["traveller"], sorted(report.cleared["subjects"]), report.cleared["state"]),
        "crossed": report.crossed,
        "scores": report.exercise["scores"],
    }


def test_the_whole_story(tmp_path: Path) -> None:
    report = run_story(tmp_path / "demo", now=NOW, serve=serve_on_loopback)

    # 1-2. Two agencies, the UN list at both, UK Border Force's lost and stolen list shared with the DGSN.
    assert report.lists == {"DGSN": {"UN": 1003}, "UKBF": {"UN": 1003, "LSD:UKBF": 4}}
    assert report.shared_list["received_by_dgsn"] == 4

    # 3. The flight: PAXLST and PNRGOV read, travellers screened, the right alerts and decisions.
    kinds = {m["kind"]: m for m in report.ingest}
    assert (kinds["passenger list"]["passengers"], kinds["passenger list"]["crew"]) == (150, 6)
    assert kinds["PNR push"]["bookings"] > 50
    watch = {a["traveller"]: a["subject"] for a in report.alerts if a["kind"] == "watch list"}
    assert watch == _planted()
    documents = [
        (a["traveller"], a["subject"]) for a in report.alerts if a["kind"] == "lost or stolen document"
    ]
    assert documents == [("WRIGHT/OLIVER", "GBR:702838222")]
    rules = {a["subject"] for a in report.alerts if a["kind"] == "risk rule"}
    assert "PNR-CASH-ONE-WAY-24H" in rules
    assert "DOC-LOST-STOLEN" not in rules  # the document alert already says it, citing the list
    assert report.confirmed["subject"] == CONFIRMED_ENTITY
    assert report.confirmed["state"] == "confirmed match"
    assert report.cleared["traveller"] == "DAVIES/ISABELLA ELLIE"
    assert report.cleared["state"] == "false positive"

    # 4. Only the agreed fields crossed, before the aircraft landed; UK Border Force acknowledged.
    assert report.crossed["received"] == 1
    assert report.crossed["origin"] == "DGSN"
    assert report.crossed["fields"] == AGREED  # no gender, no document type, no officer's note
    assert report.crossed["before_arrival"] is True
    assert report.crossed["acknowledged"] is True

    # 5. The joint exercise: both trainees scored, the debrief written.
    scores = report.exercise["scores"]
    assert set(scores) == {"dgsn.trainee", "ukbf.trainee"}
    assert scores["dgsn.trainee"]["false_alarms"] == 0
    assert (
        scores["dgsn.trainee"]["found"] > scores["ukbf.trainee"]["found"]
    )  # the UK trainee cleared two flagged
    assert scores["ukbf.trainee"]["missed"] > scores["dgsn.trainee"]["missed"]
    assert report.report_file is not None
    html = report.report_file.read_text(encoding="utf-8")
    assert "dgsn.trainee" in html
    assert "ukbf.trainee" in html
    assert "data:image/png;base64," in html

    # 6. Both audit trails verify.
    assert report.audit == {"DGSN": True, "UKBF": True}

    # Running it again resets its own data and gives the same outcome.
    again = run_story(tmp_path / "demo", now=NOW, serve=serve_on_loopback)
    assert _outcome(again) == _outcome(report)
