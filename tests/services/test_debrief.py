"""The debrief: an HTML file with the per-trainee table, embedded charts, the engine's explanations."""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from pathlib import Path

import pytest

from borderwatch.domain.alerts import Decision
from borderwatch.domain.audit import Role
from borderwatch.domain.hits import MatchConfig
from borderwatch.errors import AccessDeniedError
from borderwatch.services.debrief import write_debrief
from borderwatch.services.exercises import exercise_results, record_decision, start_exercise
from borderwatch.services.instance import Instance
from borderwatch.services.train import scenario_spec, write_scenario

START = datetime(2026, 11, 30, 9, 0, tzinfo=UTC)
PNG = b"\x89PNG\r\n\x1a\n"


class _Page(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[str] = []
        self.tables: dict[str, list[list[str]]] = {}
        self._table = ""
        self._row: list[str] | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "img":
            self.images.append(values.get("src") or "")
        elif tag == "table":
            self._table = values.get("id") or ""
            self.tables[self._table] = []
        elif tag == "tr":
            self._row = []
        elif tag in ("td", "th"):
            self._cell = []

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._row is not None and self._cell is not None:
            self._row.append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.tables[self._table].append(self._row)
            self._row = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)


@pytest.fixture
def exercise(sqlite_instance: Instance, tmp_path: Path) -> int:
    folder = write_scenario(
        scenario_spec("CMN-LHR", passengers=80, difficulty="medium", seed=7), tmp_path / "s"
    )
    actor = sqlite_instance.actor()
    started = start_exercise(
        sqlite_instance.db, actor, folder.folder, ["amina", "tom"], config=MatchConfig(), now=START
    )
    exercise_id = started.exercise.exercise_id
    results = exercise_results(sqlite_instance.db, actor, exercise_id)
    # amina confirms every alert of a planted case, tom calls everything a false positive
    for minutes, link in enumerate(results.links, start=1):
        at = START + timedelta(minutes=minutes)
        if link.case_id is not None:
            record_decision(
                sqlite_instance.db,
                actor,
                exercise_id,
                link.alert_id,
                Decision.CONFIRM_MATCH,
                trainee="amina",
                now=at,
            )
        record_decision(
            sqlite_instance.db,
            actor,
            exercise_id,
            link.alert_id,
            Decision.FALSE_POSITIVE,
            trainee="tom",
            now=at + timedelta(seconds=30),
        )
    return exercise_id


def test_debrief_has_the_trainee_table_charts_and_explanations(
    sqlite_instance: Instance, exercise: int, tmp_path: Path
) -> None:
    out = write_debrief(
        sqlite_instance.db, sqlite_instance.actor(), exercise, tmp_path / "out" / "report.html"
    )
    assert out.exists()
    text = out.read_text(encoding="utf-8")
    page = _Page()
    page.feed(text)
    header, *rows = page.tables["trainees"]
    assert header[:4] == ["trainee", "found", "missed", "false alarms"]
    by_name = {row[0]: row for row in rows}
    assert set(by_name) == {"amina", "tom"}
    results = exercise_results(sqlite_instance.db, sqlite_instance.actor(), exercise)
    found_by_engine = sum(1 for o in results.summary.cases if o.case.should_flag and o.engine_alerted)
    to_find = sum(1 for c in results.answer_key.cases if c.should_flag)
    assert by_name["amina"][1] == f"{found_by_engine}/{to_find}"
    assert by_name["tom"][1] == f"0/{to_find}"
    assert len(page.images) == 3
    for src in page.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1]).startswith(PNG)
    cases = page.tables["cases"][1:]
    assert len(cases) == len(results.answer_key.cases)
    listed = [row for row in cases if row[1].startswith("listed person") and row[4].startswith("alert ")]
    assert listed
    assert all("name ~" in row[4] for row in listed)  # the engine's own reason for the hit
    assert re.search(r"romanisation|order swap|particle|dropped middle names|Arabic script", text)


def test_only_instructors_get_a_debrief(sqlite_instance: Instance, exercise: int, tmp_path: Path) -> None:
    trainee = sqlite_instance.actor(username="amina", role=Role.TRAINEE, agency="DGSN-TRAINING")
    with pytest.raises(AccessDeniedError):
        write_debrief(sqlite_instance.db, trainee, exercise, tmp_path / "r.html")
