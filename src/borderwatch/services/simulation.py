"""Loading the name pools that simulated flights draw innocent travellers from."""

from __future__ import annotations

import csv
import functools
from importlib import resources

from borderwatch.domain.simulation import NamePool


@functools.cache
def load_name_pools() -> dict[str, NamePool]:
    """Return the name pools shipped in `data/people/pools.csv`, by origin."""
    text = resources.files("borderwatch").joinpath("data", "people", "pools.csv").read_text(encoding="utf-8")
    parts: dict[str, dict[str, list[str]]] = {}
    nationality: dict[str, str] = {}
    for row in csv.DictReader(text.splitlines()):
        origin = row["origin"]
        nationality[origin] = row["nationality"]
        key = {"given": "given_female" if row["gender"] == "F" else "given_male", "family": "family"}[
            row["part"]
        ]
        parts.setdefault(origin, {}).setdefault(key, []).extend(
            n.strip() for n in row["names"].split("|") if n.strip()
        )
    return {
        origin: NamePool(
            origin,
            nationality[origin],
            tuple(p.get("given_male", [])),
            tuple(p.get("given_female", [])),
            tuple(dict.fromkeys(p.get("family", []))),
        )
        for origin, p in parts.items()
    }
