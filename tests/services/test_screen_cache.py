"""The in-memory index cache never hands one database's lists to another (two agencies, one process)."""

from __future__ import annotations

from pathlib import Path

from borderwatch.services.instance import init_instance
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.services.screen import load_lists
from borderwatch.settings import Settings

HEADER = "issuing_state,document_number,document_type,date_reported,record_id\n"


def test_same_agency_and_version_ids_in_two_databases_get_their_own_index(tmp_path: Path) -> None:
    # Found by the training tests: the cache was keyed by (agency id, version ids) only, so a second
    # database whose first agency and first list version had the same ids got the first one's index.
    first, _ = init_instance(Settings(data_dir=tmp_path / "a", secure_cookies=False))
    second, _ = init_instance(Settings(data_dir=tmp_path / "b", secure_cookies=False))
    try:
        import_list_file(
            first.db,
            first.actor(),
            ListFile("lost-stolen", "a.csv", (HEADER + "GBR,111111111,P,,\n").encode()),
        )
        import_list_file(
            second.db,
            second.actor(),
            ListFile("lost-stolen", "b.csv", (HEADER + "MAR,AB2222222,P,,\n").encode()),
        )
        a, b = load_lists(first.db, first.actor()), load_lists(second.db, second.actor())
        assert a.versions == b.versions  # the same ids ...
        assert a.lost_stolen is not None
        assert b.lost_stolen is not None
        assert a.lost_stolen.contains("GBR", "111111111")  # ... but each its own content
        assert not a.lost_stolen.contains("MAR", "AB2222222")
        assert b.lost_stolen.contains("MAR", "AB2222222")
        assert not b.lost_stolen.contains("GBR", "111111111")
    finally:
        first.close()
        second.close()
