"""Alignment of whole names: order swaps, missing parts, joined and split parts, rules explained."""

from __future__ import annotations

from borderwatch.domain.names.compare import MatchRule, NameComparer, TokenMatch
from borderwatch.domain.names.normalize import NameParser


def align(parser: NameParser, comparer: NameComparer, a: str, b: str):  # type: ignore[no-untyped-def]
    return comparer.align(parser.parse(a).tokens, parser.parse(b).tokens)


def test_swapped_order_is_aligned_and_reported(parser: NameParser, comparer: NameComparer) -> None:
    result = align(parser, comparer, "BENJELLOUN YOUSSEF", "Yusuf bin Jallun")
    assert len(result.pairs) == 2
    assert result.swapped
    assert not result.unmatched_traveller
    assert not result.unmatched_listed


def test_missing_middle_name_is_listed(parser: NameParser, comparer: NameComparer) -> None:
    result = align(parser, comparer, "MUBARAK AL-BATHALI", "Mubarak Mushakhas Sanad AL-BATHALI")
    assert len(result.pairs) == 2
    assert [t.raw for t in result.unmatched_listed] == ["MUSHAKHAS", "SANAD"]


def test_rules_named(parser: NameParser, comparer: NameComparer) -> None:
    rules = {
        p.listed.raw: p.match.rule
        for p in align(parser, comparer, "MOHAMED KATRANJI", "Muhammad QATRANJI").pairs
    }
    assert rules["MUHAMMAD"] is MatchRule.VARIANT
    assert rules["QATRANJI"] is MatchRule.PHONETIC


def test_cross_script_alignment(parser: NameParser, comparer: NameComparer) -> None:
    result = align(parser, comparer, "علي حسن المجيد", "ALI HASSAN AL-MAJID")
    assert len(result.pairs) == 3
    assert all(p.match.score >= 0.8 for p in result.pairs)


def test_joined_and_split_tokens(parser: NameParser, comparer: NameComparer) -> None:
    result = align(parser, comparer, "HING BUNHEANG", "Hing Bun HEANG")
    assert any(p.match.rule is MatchRule.JOINED for p in result.pairs)
    assert not result.unmatched_listed


def test_initial_and_truncation(parser: NameParser, comparer: NameComparer) -> None:
    initial = align(parser, comparer, "M KATRANJI", "Muhammad KATRANJI").pairs
    assert [p.match.rule for p in initial] == [MatchRule.INITIAL, MatchRule.EXACT]
    cut = comparer.token_match(parser.parse("MASHHADAN").tokens[0], parser.parse("MASHHADANIYAT").tokens[0])
    assert cut.rule is MatchRule.TRUNCATED


def test_token_match_reads_the_known_matches_before_working_a_pair_out(parser: NameParser) -> None:
    # An index hands the comparer its expansions: per traveller part, (listed type id, match) sorted
    # by type id. token_match answers a pair found there with that very match, and works out by the
    # rules a pair of a type not there, a listed part the index does not know, or a part never expanded.
    comparer = NameComparer(parser.tables)
    mounir, munir, mounira, monir, karim = (
        parser.parse(t).name_tokens[0] for t in ("MOUNIR", "MUNIR", "MOUNIRA", "MONIR", "KARIM")
    )
    known = TokenMatch(0.42, MatchRule.EDIT, "as the index found it")
    first, last = TokenMatch(0.61, MatchRule.EDIT), TokenMatch(0.62, MatchRule.EDIT)
    comparer.read_known(
        {mounir.uid: ((1, 3, 7), (first, known, last))}, {munir.uid: 3, mounira.uid: 7, monir.uid: 5}
    )
    assert comparer.token_match(mounir, munir) is known
    assert comparer.token_match(mounir, mounira) is last
    assert comparer.token_match(mounir, monir) == comparer.score_pair(mounir, monir)  # type 5: not kept
    assert comparer.token_match(mounir, karim) == comparer.score_pair(mounir, karim)  # no type
    assert comparer.token_match(munir, mounir) == comparer.score_pair(munir, mounir)  # never expanded
    assert comparer.score_pair(mounir, munir) != known  # the rules say otherwise: the match was read
