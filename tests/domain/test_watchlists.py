"""diff_entries / ListDelta on two versions of the real UN list (one edited the way updates look)."""

from __future__ import annotations

import re
from dataclasses import replace
from importlib import resources

import pytest

from borderwatch.domain.watchlists import (
    EntityId,
    ListDelta,
    ListedName,
    NameQuality,
    diff_entries,
    normalise_document_number,
)
from borderwatch.formats.lists.un import parse_un_list
from borderwatch.services.reference import country_table

UN_BYTES = resources.files("borderwatch").joinpath("data", "lists", "UN_consolidated.xml").read_bytes()


def _updated_list() -> bytes:
    """Return the UN list with QDi.002 delisted, an alias added to QDi.001 and a nationality changed."""
    data = re.sub(
        rb"<INDIVIDUAL>(?:(?!</INDIVIDUAL>).)*<REFERENCE_NUMBER>QDi\.002</REFERENCE_NUMBER>.*?</INDIVIDUAL>",
        b"",
        UN_BYTES,
        count=1,
        flags=re.S,
    )
    data = data.replace(
        b"<ALIAS_NAME>Seif al Adel</ALIAS_NAME>",
        b"<ALIAS_NAME>Seif al Adel</ALIAS_NAME></INDIVIDUAL_ALIAS><INDIVIDUAL_ALIAS>"
        b"<QUALITY>Good</QUALITY><ALIAS_NAME>Saif al-Adl</ALIAS_NAME>",
        1,
    )
    return data.replace(
        b"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER>",
        b"<REFERENCE_NUMBER>CDi.001</REFERENCE_NUMBER><NATIONALITY><VALUE>Rwanda</VALUE></NATIONALITY>",
        1,
    )


def test_diff_of_two_real_versions() -> None:
    countries = country_table()
    old = parse_un_list(UN_BYTES, countries=countries).entries
    new = parse_un_list(_updated_list(), countries=countries).entries
    delta = diff_entries(old, new)
    assert delta.added == ()
    assert delta.removed == (EntityId("UN:QDi.002"),)
    assert delta.changed_ids == ("UN:CDi.001", "UN:QDi.001")
    assert delta.fields_changed(EntityId("UN:QDi.001")) == ("names",)
    assert delta.fields_changed(EntityId("UN:CDi.001")) == ("nationalities",)
    assert delta.fields_changed(EntityId("UN:QDi.003")) == ()
    reverse = diff_entries(new, old)
    assert reverse.added == (EntityId("UN:QDi.002"),)
    assert reverse.to_rescreen == ("UN:QDi.002", "UN:CDi.001", "UN:QDi.001")


def test_same_list_and_reordering_are_no_change() -> None:
    entries = parse_un_list(UN_BYTES, countries=country_table()).entries
    assert diff_entries(entries, entries).is_empty
    shuffled = [replace(e, names=tuple(reversed(e.names))) for e in reversed(entries)]
    assert diff_entries(entries, shuffled) == ListDelta()


def test_added_entry_and_several_fields() -> None:
    entries = parse_un_list(UN_BYTES, countries=country_table()).entries
    first = entries[0]
    renamed = replace(first, names=(ListedName("ERIC BADEGE", NameQuality.PRIMARY),), remarks="updated")
    extra = replace(first, entity_id=EntityId("UN:CDi.999"))
    delta = diff_entries(entries[:3], [renamed, *entries[1:3], extra])
    assert delta.added == ("UN:CDi.999",)
    assert delta.changed[0].entity_id == first.entity_id
    assert delta.changed[0].fields == ("names", "remarks")


@pytest.mark.parametrize(
    ("number", "expected"),
    [
        ("XW2174218", "XW2174218"),
        ("xw2174218", "XW2174218"),
        ("XW 217-4218", "XW2174218"),
        ("L898902C<", "L898902C"),  # an MRZ filler
        ("  ", ""),
        ("", ""),
        ("ÄB12", "ÄB12"),  # letters outside ASCII are letters too
        ("٣٤٥AB", "٣٤٥AB"),  # so are Arabic-Indic digits
        ("a.b/c", "ABC"),
    ],
)
def test_document_numbers_are_compared_without_spaces_fillers_or_case(number: str, expected: str) -> None:
    assert normalise_document_number(number) == expected
