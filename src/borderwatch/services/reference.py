"""Reference tables the pure domain needs, loaded once from package data and passed in."""

from __future__ import annotations

import csv
import functools
from importlib import resources

import pycountry

from borderwatch.domain.countries import CodeKind, Country, CountryTable


def _data_text(*parts: str) -> str:
    return resources.files("borderwatch").joinpath("data", *parts).read_text(encoding="utf-8")


@functools.cache
def country_table() -> CountryTable:
    """Return the country table: ISO states from pycountry, ICAO special codes, list aliases."""
    countries: list[Country] = []
    for state in pycountry.countries:
        names = tuple(
            n for n in (getattr(state, "official_name", None), getattr(state, "common_name", None)) if n
        )
        countries.append(Country(state.alpha_3, state.name, CodeKind.STATE, state.alpha_2, names))
    for row in csv.DictReader(_data_text("countries", "icao_codes.csv").splitlines()):
        countries.append(Country(row["code"], row["name"], CodeKind(row["kind"])))
    countries.append(Country("SUN", "USSR", CodeKind.DEPRECATED))
    countries.append(Country("YUG", "Yugoslavia", CodeKind.DEPRECATED))
    aliases = [
        (row["name"], row["code"])
        for row in csv.DictReader(_data_text("countries", "aliases.csv").splitlines())
    ]
    return CountryTable.build(countries, aliases)
