"""The in-memory index cache never hands one database's lists to another (two agencies, one process)."""

from __future__ import annotations

import gc
import weakref
from pathlib import Path

from borderwatch.domain.hits import MatchConfig
from borderwatch.services.instance import Instance, init_instance
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.services.screen import _CACHE, load_lists
from borderwatch.settings import Settings

HEADER = "issuing_state,document_number,document_type,date_reported,record_id\n"
NATIONAL_HEADER = (
    "id,family_name,given_names,aliases,birth_date,nationality,gender,document_numbers,category,remarks\n"
)


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


def test_an_import_replaces_the_agencys_index_and_the_old_one_is_freed(instance: Instance) -> None:
    # A server importing the lists every day must hold one set of indexes per agency, not the last
    # eight, and the replaced index must be freed by reference counting alone: the server moves its
    # indexes out of the garbage collector's reach (gc.freeze), so a cycle would never be freed.
    actor = instance.actor()
    rows = "A1,ALAMI,SAID,,1970-01-01,MAR,M,,monitor,\nA2,TAZI,OMAR,,1980,MAR,M,,arrest,\n"
    import_list_file(instance.db, actor, ListFile("national", "v1.csv", (NATIONAL_HEADER + rows).encode()))
    before = len(_CACHE)
    gc.collect()
    gc.disable()
    try:
        first = load_lists(instance.db, actor)
        plan = first.index.memo[MatchConfig()]
        arrays = weakref.ref(plan._vectors.name_entry)  # type: ignore[attr-defined]  # numpy arrays take weak references
        del plan, first
        more = rows + "A3,FILALI,HAMZA,,1990,MAR,M,,refuse entry,\n"
        import_list_file(
            instance.db, actor, ListFile("national", "v2.csv", (NATIONAL_HEADER + more).encode())
        )
        second = load_lists(instance.db, actor)
        assert len(second.entries) == 3
        assert arrays() is None
        assert len(_CACHE) <= before + 1
    finally:
        gc.enable()
