"""Real name pairs with the expected outcome and the reason (tests/cases/names_pairs.csv)."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from borderwatch.domain.names.compare import NameComparer
from borderwatch.domain.names.normalize import NameParser

CASES = list(csv.DictReader((Path(__file__).parents[2] / "cases" / "names_pairs.csv").open(encoding="utf-8")))


@pytest.mark.parametrize("case", CASES, ids=[f"{c['traveller']}~{c['listed']}" for c in CASES])
def test_name_pair(case: dict[str, str], parser: NameParser, comparer: NameComparer) -> None:
    q = parser.parse(case["traveller"]).name_tokens
    listed = parser.parse(case["listed"]).name_tokens
    assert len(q) == 1, case["reason"]
    assert len(listed) == 1, case["reason"]
    match = comparer.token_match(q[0], listed[0])
    if case["expected"] == "match":
        assert match.score >= 0.8, f"{case['reason']}: {match}"
    else:
        assert match.score < comparer.min_score, f"{case['reason']}: {match}"
