"""LostStolenIndex: exact lookups on (issuing state, normalised number), packed and overflow keys."""

from __future__ import annotations

import random

from borderwatch.domain.lost_stolen import LostStolenIndex, canonical_state, pack_key
from borderwatch.domain.watchlists import LostStolenDocument
from borderwatch.services.reference import country_table


def test_exact_lookups() -> None:
    index = LostStolenIndex.build(
        [
            LostStolenDocument("FRA", "12AB34567"),
            LostStolenDocument("D", "C01X00T47"),  # ICAO 9303: Germany is D on its documents
            LostStolenDocument("MAR", "0123"),
            LostStolenDocument("GBR", "1234567890123"),  # longer than the MRZ field: overflow set
            LostStolenDocument("FRA", "12ab 345-67"),  # the same document written differently
        ]
    )
    assert len(index) == 4
    assert index.overflow == 1
    assert index.contains("FRA", "12 AB 34567")
    assert index.contains("DEU", "c01x00t47")
    assert index.contains("D<<", "C01X00T47")
    assert index.contains("MAR", "0123")
    assert not index.contains("MAR", "123")
    assert index.contains("GBR", "1234567890123")
    assert not index.contains("ESP", "12AB34567")
    assert not index.contains("FRA", "12AB34568")
    assert LostStolenDocument("FRA", "12AB34567") in index
    assert ("GBR", "1234567890123") in index
    assert 42 not in index


def test_alpha2_with_a_country_table() -> None:
    index = LostStolenIndex.build([LostStolenDocument("MA", "X1")], countries=country_table())
    assert index.contains("MAR", "X1")
    assert canonical_state("d<<") == "DEU"


def test_packing_is_injective_on_random_keys() -> None:
    rng = random.Random(9303)
    alphabet = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    keys = {
        (
            "".join(rng.choices("ABCDEFGHIJKLMNOPQRSTUVWXYZ", k=3)),
            "".join(rng.choices(alphabet, k=rng.randint(1, 9))),
        )
        for _ in range(20000)
    }
    packed = {pack_key(state, number) for state, number in keys}
    assert None not in packed
    assert len(packed) == len(keys)
    assert max(p for p in packed if p is not None) < 2**64
    index = LostStolenIndex.from_keys(keys)
    assert len(index) == len(keys)
    assert index.overflow == 0
    assert all(index.contains(state, number) for state, number in list(keys)[:2000])


def test_non_latin_numbers_go_to_the_overflow_set() -> None:
    index = LostStolenIndex.from_keys([("IRN", "١٢٣٤"), ("IRN", "")])
    assert len(index) == 1
    assert index.contains("IRN", "١٢٣٤")


def test_empty_index() -> None:
    index = LostStolenIndex.from_keys([])
    assert len(index) == 0
    assert not index.contains("FRA", "1")
