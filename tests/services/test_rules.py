"""Risk rules service: loading rule files and flagging the travellers of the GTAS booking 7C789A."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest

from borderwatch.domain.alerts import Severity
from borderwatch.domain.risk_rules import DocumentChecks
from borderwatch.errors import InputError
from borderwatch.formats.risk_rules import dump_rule_set
from borderwatch.services.rules import (
    TravellerContext,
    current_rule_set,
    fact_fields,
    flag_travellers,
    load_rule_set,
)
from factories import PUSH_TIME, flight, gtas_booking_7c789a, gtas_travellers


def contexts(ticketed_at: datetime | None = None, stolen: str = "") -> list[TravellerContext]:
    """The five travellers of 7C789A on UA988; the passport numbered `stolen` is on a lost/stolen list."""
    pnr = gtas_booking_7c789a()
    if ticketed_at is not None:
        pnr = replace(pnr, ticketed_at=ticketed_at)
    out = []
    for person in gtas_travellers():
        number = person.main_document.number if person.main_document else ""
        checks = DocumentChecks(lost_or_stolen=number == stolen, mrz_valid=None)
        out.append(TravellerContext(person, flight=flight(), booking=pnr, checks=checks))
    return out


def test_default_rule_set_is_packaged() -> None:
    rule_set = load_rule_set(None)
    assert rule_set.name == "default"
    assert rule_set.rule("DOC-LOST-STOLEN") is not None


def test_rule_file_is_read_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "agency.yaml"
    path.write_text(dump_rule_set(load_rule_set()), encoding="utf-8")
    assert load_rule_set(path) == load_rule_set()


def test_missing_and_broken_files_name_the_path(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such rule file") as caught:
        load_rule_set(tmp_path / "absent.yaml")
    assert caught.value.source.endswith("absent.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: x\nversion: '1'\nrules:\n  - id: A\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        load_rule_set(broken)
    assert str(broken) in caught.value.message
    assert "'title' is required" in caught.value.message


def test_a_server_reads_the_rule_file_again_only_when_it_changes(tmp_path: Path) -> None:
    path = tmp_path / "agency.yaml"
    text = dump_rule_set(load_rule_set())
    path.write_text(text, encoding="utf-8")
    first = current_rule_set(path)
    assert current_rule_set(path) is first  # unchanged: the same object, its compiled rules kept
    assert current_rule_set(None) is current_rule_set(None)
    assert current_rule_set(None).name == "default"

    changed = text.replace(f"version: '{first.version}'", "version: '2099.1'")
    assert changed != text
    path.write_text(changed, encoding="utf-8")
    stamp = path.stat()
    os.utime(path, ns=(stamp.st_atime_ns, stamp.st_mtime_ns + 1_000_000_000))  # a later save
    second = current_rule_set(path)
    assert second is not first
    assert second.version == "2099.1"
    assert current_rule_set(path) is second

    path.write_text("rules: [", encoding="utf-8")  # a broken save is refused, with the path
    with pytest.raises(InputError, match=r"agency\.yaml"):
        current_rule_set(path)
    path.unlink()
    with pytest.raises(InputError, match="no such rule file"):
        current_rule_set(path)


def test_the_sample_booking_as_it_was_flags_nobody() -> None:
    # cash in the PNR, one way, but ticketed 36 hours ahead: below the default thresholds
    assert flag_travellers(load_rule_set(), contexts(), PUSH_TIME) == []


def test_late_cash_ticket_and_stolen_passport_are_flagged() -> None:
    flagged = flag_travellers(
        load_rule_set(), contexts(ticketed_at=datetime(2018, 9, 28, 6, 0), stolen="761852513"), PUSH_TIME
    )
    by_name = {f.traveller.family_name: f for f in flagged}
    assert set(by_name) == {"LOBB", "PHILIPPS", "BOLOGNA", "EULENBERGER", "HABTE"}
    eulenberger = by_name["EULENBERGER"]
    assert [h.rule_id for h in eulenberger.hits] == ["DOC-LOST-STOLEN", "PNR-CASH-ONE-WAY-24H"]
    assert eulenberger.severity is Severity.HIGH
    assert by_name["LOBB"].severity is Severity.MEDIUM
    assert eulenberger.hits[0].explanation == (
        "document P 761852513 issued by ERI is on a lost or stolen travel document list"
    )
    assert eulenberger.hits[1].explanation == (
        "one-way ticket paid in cash (CC, CA), ticketed 6.3 hours before departure; route WDH, ADD, FRA, IAD"
    )


def test_include_unflagged_lists_everyone_in_order() -> None:
    everyone = flag_travellers(load_rule_set(), contexts(), PUSH_TIME, include_unflagged=True)
    assert [f.traveller.family_name for f in everyone] == [
        "LOBB",
        "PHILIPPS",
        "BOLOGNA",
        "EULENBERGER",
        "HABTE",
    ]
    assert all(f.hits == () and f.severity is None for f in everyone)


def test_a_stored_flight_judged_months_later() -> None:
    # On 2019-01-01 Bologna's passport (expires 2019-01-07) has 6 days left.
    flagged = flag_travellers(load_rule_set(), contexts(), datetime(2019, 1, 1, 12, 0))
    assert [(f.traveller.family_name, [h.rule_id for h in f.hits]) for f in flagged] == [
        ("BOLOGNA", ["DOC-EXPIRES-30D"])
    ]


def test_fact_fields_are_listed() -> None:
    names = [f.name for f in fact_fields()]
    assert "document.expiry_days" in names
    assert names[0] == "traveller.family_name"
