"""List imports through the service on both engines: every kind, versions, deltas, re-screening."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
import sqlalchemy as sa

from borderwatch.errors import InputError
from borderwatch.services.ingest import Received, ingest
from borderwatch.services.instance import Instance
from borderwatch.services.lists import ListFile, import_list, import_list_file, list_history, show_lists
from borderwatch.services.review import list_alerts

DATA = Path(__file__).resolve().parents[1] / "data" / "lists"
PACKAGE = resources.files("borderwatch").joinpath("data")
NATIONAL_HEADER = (
    "id,family_name,given_names,aliases,birth_date,nationality,gender,document_numbers,category,remarks\n"
)


def _flight(instance: Instance) -> None:
    data = PACKAGE.joinpath("demo", "AT800-CMN-LHR.paxlst").read_bytes()
    ingest(instance.db, instance.actor(), [Received("AT800.paxlst", data)], today=datetime.now(UTC).date())


def test_ofac_import_reads_the_three_files(instance: Instance) -> None:
    report = import_list(instance.db, instance.actor(), "ofac", DATA / "ofac" / "sdn.csv")
    assert report.list_id == "OFAC"
    assert report.entries == 8976
    [stored] = show_lists(instance.db, instance.actor())
    assert stored.version is not None
    assert stored.version.entries == 8976


def test_ftm_and_national_lists_get_their_own_ids(instance: Instance) -> None:
    actor = instance.actor()
    ftm = import_list(instance.db, actor, "ftm", DATA / "ftm_sample.jsonl")
    assert ftm.list_id == "FTM:ftm_sample"
    assert ftm.entries > 0
    national = import_list(
        instance.db, actor, "national", Path(str(PACKAGE.joinpath("templates", "national_list_template.csv")))
    )
    assert national.list_id == "NAT:DGSN"
    assert national.entries == 3
    assert {s.list_id for s in show_lists(instance.db, actor)} == {"FTM:ftm_sample", "NAT:DGSN"}


def test_new_version_has_a_delta_with_changed_fields(instance: Instance, tmp_path: Path) -> None:
    actor = instance.actor()
    first = tmp_path / "national.csv"
    first.write_text(
        NATIONAL_HEADER + "A1,ALAMI,SAID,,1970-01-01,MAR,M,,monitor,\nA2,TAZI,OMAR,,1980,MAR,M,,arrest,\n",
        encoding="utf-8",
    )
    import_list(instance.db, actor, "national", first)
    second = tmp_path / "national2.csv"
    second.write_text(
        NATIONAL_HEADER + "A1,ALAMI,SAID,,1971-01-01,MAR,M,,monitor,\n"
        "A3,FILALI,HAMZA,,1990,MAR,M,,refuse entry,\n",
        encoding="utf-8",
    )
    report = import_list(instance.db, actor, "national", second)
    assert report.added == ["NAT:DGSN:A3"]
    assert report.removed == ["NAT:DGSN:A2"]
    assert list(report.modified) == ["NAT:DGSN:A1"]
    assert "birth_dates" in report.modified["NAT:DGSN:A1"]
    history = list_history(instance.db, actor, "NAT:DGSN")
    assert [v.version for v, _ in history] == [1, 2]
    assert history[-1][1]["counts"] == {"added": 1, "removed": 1, "changed": 1}


def test_malformed_file_keeps_the_active_version(instance: Instance) -> None:
    actor = instance.actor()
    good = PACKAGE.joinpath("lists", "UN_consolidated.xml").read_bytes()
    import_list_file(instance.db, actor, ListFile("un", "UN.xml", good))
    with pytest.raises(InputError, match="line"):
        import_list_file(instance.db, actor, ListFile("un", "UN-truncated.xml", good[: len(good) // 2]))
    [stored] = show_lists(instance.db, actor)
    assert stored.version is not None
    assert (stored.version.version, stored.version.entries) == (1, 1003)


def test_list_update_rescreens_recent_travellers_against_new_entries(
    instance: Instance, tmp_path: Path
) -> None:
    actor = instance.actor()
    _flight(instance)
    listed = tmp_path / "national.csv"
    # A passenger of the demo flight (BERRADA/KHALID, born 2001-02-15) is put on the national list.
    listed.write_text(
        NATIONAL_HEADER + "N1,BERRADA,KHALID,,2001-02-15,MAR,M,,arrest,test\n", encoding="utf-8"
    )
    report = import_list(instance.db, actor, "national", listed, rescreen_days=7, now=datetime.now(UTC))
    assert report.rescreen is not None
    assert report.rescreen.travellers == 156
    assert report.rescreen.entities == 1
    alerts = list_alerts(instance.db, actor)
    assert [(a.traveller_name, a.entity_id) for a in alerts] == [("BERRADA/KHALID", "NAT:DGSN:N1")]
    assert alerts[0].reason.startswith("re-screening")


def test_lost_stolen_list_versions_and_documents(instance: Instance, tmp_path: Path) -> None:
    actor = instance.actor()
    template = Path(str(PACKAGE.joinpath("templates", "lost_stolen_template.csv")))
    first = import_list(instance.db, actor, "lost-stolen", template)
    assert (first.list_id, first.entries, first.changed) == ("LSD:DGSN", 3, True)
    assert not import_list(instance.db, actor, "lost-stolen", template).changed
    bigger = tmp_path / "lsd.csv"
    bigger.write_text(
        template.read_text(encoding="utf-8") + "GBR,123456789,P,2026-11-01,UK-1\n", encoding="utf-8"
    )
    second = import_list(instance.db, actor, "lost-stolen", bigger)
    assert second.added == ["GBR:123456789"]
    with instance.db.engine.connect() as connection:
        rows = connection.execute(sa.text("SELECT count(*) FROM lost_stolen_documents")).scalar_one()
    assert rows == 3 + 4  # each version keeps its documents
