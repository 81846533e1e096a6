"""National watch-list CSV writer: what it writes reads back as the same entries."""

from __future__ import annotations

from importlib import resources

from borderwatch.formats.lists.national import (
    document_parts,
    parse_national_list,
    record_id,
    write_national_list,
)
from borderwatch.services.reference import country_table

TEMPLATE = (
    resources.files("borderwatch").joinpath("data", "templates", "national_list_template.csv").read_bytes()
)
HEADER = (
    b"id,family_name,given_names,aliases,birth_date,nationality,gender,document_numbers,category,remarks\n"
)
# Invented rows covering what a row can hold: several dates of each precision, aliases in Arabic
# script, a passport without a state, a quoted remark with the separator in it, no given names.
ROWS = (
    HEADER
    + (
        "UK-7,HADDAD,Samir,\u0633\u0645\u064a\u0631 \u062d\u062f\u0627\u062f|Sam Haddad,1979-03-02|1980,"
        'LBN|FRA,M,P-LBN:RL0000001|ID-FRA:000000X|P-00000042,arrest,"Seen in Calais, 2024; armed"\n'
        "UK-8,ORTEGA,,,1991-11,ESP,,ESP:00000000Z,refuse entry,\n"
        "UK-9,NOVAK,Jana Marie,,,,X,,monitor,\n"
    ).encode()
)


def test_written_entries_read_back_the_same() -> None:
    countries = country_table()
    for data in (TEMPLATE, ROWS):
        first = parse_national_list(data, agency="UKBF", countries=countries)
        assert first.problems == ()
        written = write_national_list(first.entries)
        again = parse_national_list(written, agency="UKBF", countries=countries)
        assert again.problems == ()
        assert again.entries == first.entries
        # Written once more, the bytes are stable: a partner's unchanged list is no new version.
        assert write_national_list(again.entries) == written


def test_record_numbers_and_document_parts() -> None:
    [entry, *_] = parse_national_list(ROWS, agency="UKBF", countries=country_table()).entries
    assert entry.entity_id == "NAT:UKBF:UK-7"
    assert record_id(entry) == "UK-7"
    assert document_parts("P-LBN:RL0000001") == ("P", "LBN", "RL0000001")
    assert document_parts("00000042") == ("", "", "00000042")
