"""parse_mrz on real samples, on broken input, and on generated zones (Hypothesis)."""

from __future__ import annotations

import json
import string
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from borderwatch.domain.countries import CountryTable
from borderwatch.domain.documents import LAYOUTS, MrzFormat, check_digit
from borderwatch.domain.travellers import DocumentType, Gender, TravellerRole
from borderwatch.errors import DocumentRuleError, InputError
from borderwatch.formats.mrz import MrzResult, parse_mrz, write_mrz
from borderwatch.services.reference import country_table

TODAY = date(2026, 6, 1)
HERE = Path(__file__).resolve().parent
OWN_SAMPLES = HERE.parent / "data" / "mrz"
SHARED_SAMPLES = HERE.parents[1].parent / "shared" / "data" / "samples" / "mrz"
UTO_ERRORS = frozenset({"issuing_state", "nationality"})


COUNTRIES = country_table()


@pytest.fixture(scope="module")
def countries() -> CountryTable:
    return COUNTRIES


def parse(
    lines: object, countries: CountryTable, *, specimen: bool = False, today: date = TODAY
) -> MrzResult:
    return parse_mrz(lines, today=today, countries=countries, allow_specimen=specimen)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Expect:
    """What a sample must give, as its row in SOURCES.md states (plus our country-code rules)."""

    format: MrzFormat
    number: str
    family: str
    given: str
    birth: date
    expiry: date
    uto: frozenset[str] = frozenset()  # fields flagged only because UTO needs specimen mode
    errors: frozenset[str] = frozenset()  # other error fields (any mode)


E = Expect
EXPECTED: dict[str, Expect] = {
    # cheminfo/mrz (MIT)
    "td3_doc9303_utopia_eriksson.txt": E(
        MrzFormat.TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", date(1974, 8, 12), date(2012, 4, 15), UTO_ERRORS
    ),
    "td3_deu_mustermann_single_letter_D.txt": E(
        MrzFormat.TD3, "C01X0006H", "MUSTERMANN", "ERIKA", date(1964, 8, 12), date(2017, 10, 31)
    ),
    "td3_chn_PO.txt": E(
        MrzFormat.TD3, "E59659321", "ABULIKEMU", "ABULA", date(1997, 1, 7), date(2025, 10, 7)
    ),
    "td3_chn_PT.txt": E(
        MrzFormat.TD3, "G62292599", "CESHI", "YANGBEN", date(1983, 10, 29), date(2019, 4, 22)
    ),
    "td1_che_smith.txt": E(
        MrzFormat.TD1, "A1234567", "SMITH", "JOHN ALBERT", date(1975, 10, 25), date(2020, 9, 1)
    ),
    "td1_prt_long_docnum.txt": E(
        MrzFormat.TD1,
        "007777779ZZ9",
        "CACADOR DE ARAUJO",
        "ANDRE ESTEV",
        date(1983, 3, 14),
        date(2034, 5, 28),
    ),
    "td1_bel_bo11005_specimen.txt": E(
        MrzFormat.TD1, "600001795015", "SPECIMEN", "SPECIMEN", date(2013, 1, 1), date(2023, 11, 20)
    ),
    "td1_fin_bo12001_specimen.txt": E(
        MrzFormat.TD1, "XA1000058", "SPECIMEN TRAVEL", "VILMA SOFIA", date(1995, 1, 1), date(2028, 3, 13)
    ),
    "td1_utopia_long_docnum_D23145890123.txt": E(
        MrzFormat.TD1,
        "D23145890123",
        "ERIKSSON",
        "ANNA MARIA",
        date(1974, 8, 12),
        date(2012, 4, 15),
        UTO_ERRORS,
    ),
    "td1_doc9303_stevenson_long_docnum.txt": E(
        MrzFormat.TD1,
        "D23145890734",
        "STEVENSON",
        "PETER JOHN",
        date(1934, 7, 12),
        date(1995, 7, 12),
        UTO_ERRORS,
    ),
    "td1_bel_bo03003.txt": E(
        MrzFormat.TD1, "000590240601", "REINARTZ", "ULRIKE KATIA E", date(1985, 12, 1), date(2013, 11, 4)
    ),
    "td1_bel_bo03003_bad_birth_cd.txt": E(
        MrzFormat.TD1,
        "000590240601",
        "REINARTZ",
        "ULRIKE KATIA E",
        date(1985, 12, 1),
        date(2013, 11, 4),
        errors=frozenset({"birth_date", "composite_check"}),
    ),
    "td2_doc9303_utopia_eriksson.txt": E(
        MrzFormat.TD2, "D23145890", "ERIKSSON", "ANNA MARIA", date(1974, 8, 12), date(2012, 4, 15), UTO_ERRORS
    ),
    # konstantint/PassportEye (MIT)
    "mrva_usa_happy_person_variantB.txt": E(
        MrzFormat.MRV_A, "555123ABC", "TRAVELER", "HAPPYPERSON", date(1965, 2, 5), date(2004, 12, 23)
    ),
    "td1_aut_musterfrau_valid.txt": E(
        MrzFormat.TD1, "10000999", "MUSTERFRAU", "ISOLDE", date(1971, 9, 9), date(2011, 12, 31)
    ),
    "td3_pol_kowalska_kwiatkowska.txt": E(
        MrzFormat.TD3, "AA0000000", "KOWALSKA KWIATKOWSKA", "JOANNA", date(1960, 2, 8), date(2014, 12, 31)
    ),
    # ICAO Doc 9303 specimens (formats.md 3.6)
    "doc9303_spec_td3.txt": E(
        MrzFormat.TD3, "L898902C3", "ERIKSSON", "ANNA MARIA", date(1974, 8, 12), date(2012, 4, 15), UTO_ERRORS
    ),
    "doc9303_spec_td3_old_edition.txt": E(
        MrzFormat.TD3, "L898902C", "ERIKSSON", "ANNA MARIA", date(1969, 8, 6), date(1994, 6, 23), UTO_ERRORS
    ),
    "doc9303_spec_td2.txt": E(
        MrzFormat.TD2, "D23145890", "ERIKSSON", "ANNA MARIA", date(1974, 8, 12), date(2012, 4, 15), UTO_ERRORS
    ),
    "doc9303_spec_td1_part11.txt": E(
        MrzFormat.TD1,
        "D23145890734",
        "STEVENSON",
        "PETER JOHN",
        date(1934, 7, 12),
        date(1995, 7, 12),
        UTO_ERRORS,
    ),
    "doc9303_spec_mrva.txt": E(
        MrzFormat.MRV_A,
        "L8988901C",
        "ERIKSSON",
        "ANNA MARIA",
        date(1940, 9, 7),
        date(1996, 12, 10),
        frozenset({"issuing_state"}),
    ),
    "doc9303_spec_mrvb.txt": E(
        MrzFormat.MRV_B,
        "L8988901C",
        "ERIKSSON",
        "ANNA MARIA",
        date(1940, 9, 7),
        date(1996, 12, 10),
        frozenset({"issuing_state"}),
    ),
    # Arg0s1080/mrz (GPL-3.0): read from ../shared only
    "td1_lie_ospelt_beck.txt": E(
        MrzFormat.TD1, "ID9875401", "OSPELT BECK", "MARISA", date(1982, 5, 12), date(2019, 6, 22)
    ),
    "td1_srb_test_milica.txt": E(
        MrzFormat.TD1, "955555546", "TEST", "MILICA", date(1968, 2, 29), date(2013, 7, 24)
    ),
    "td1_esp_espanola_carmen.txt": E(
        MrzFormat.TD1, "BAA000589", "ESPANOLA ESPANOLA", "CARMEN", date(1980, 1, 1), date(2025, 1, 1)
    ),
    "td1_lva_paraudzins.txt": E(
        MrzFormat.TD1, "PA9992921", "PARAUDZINS", "ANDRIS", date(1982, 12, 12), date(2017, 3, 5)
    ),
    "td1_swe_specimen.txt": E(
        MrzFormat.TD1, "59000002", "SPECIMEN", "SVEN", date(1987, 3, 14), date(2017, 1, 2)
    ),
    "td3_can_martin_sarah.txt": E(
        MrzFormat.TD3, "ZE000509", "MARTIN", "SARAH", date(1985, 1, 1), date(2023, 1, 14)
    ),
    # Check digits valid and expired; ASU is not an ICAO code (the source's tests swap in UTO).
    "td3_asu_expired.txt": E(
        MrzFormat.TD3,
        "A2222222",
        "MXHMWD",
        "EBDALRXHYM",
        date(1971, 8, 21),
        date(2004, 12, 4),
        errors=frozenset({"issuing_state", "nationality"}),
    ),
    "mrva_doc9303_utopia.txt": E(
        MrzFormat.MRV_A,
        "L8988901C",
        "ERIKSSON",
        "ANNA MARIA",
        date(1940, 9, 7),
        date(1996, 12, 10),
        frozenset({"issuing_state"}),
    ),
    "mrvb_doc9303_utopia.txt": E(
        MrzFormat.MRV_B,
        "L8988901C",
        "ERIKSSON",
        "ANNA MARIA",
        date(1940, 9, 7),
        date(1996, 12, 10),
        frozenset({"issuing_state"}),
    ),
    "mrvb_deu_bih_nationality.txt": E(
        MrzFormat.MRV_B, "D09174053", "DEDIC", "SIDNAN", date(1982, 1, 13), date(1997, 8, 1)
    ),
    "mrvb_gbr_munir.txt": E(
        MrzFormat.MRV_B, "AD0725981", "MUNIR", "FAISAL", date(1976, 8, 15), date(2006, 11, 16)
    ),
}


def _error_fields(result: MrzResult) -> set[str]:
    return {p.field for p in result.errors}


def _assert_sample(path: Path, countries: CountryTable) -> None:
    expect = EXPECTED[path.name]
    lines = path.read_text(encoding="utf-8").splitlines()
    for specimen in (False, True):
        result = parse(lines, countries, specimen=specimen)
        assert result.format is expect.format
        assert result.document_number == expect.number
        assert (result.family_name, result.given_names) == (expect.family, expect.given)
        assert (result.birth_date, result.expiry_date) == (expect.birth, expect.expiry)
        wanted = expect.errors | (frozenset() if specimen else expect.uto)
        assert _error_fields(result) == wanted, [p.reason for p in result.errors]
        assert result.is_valid is (not wanted)
        if not specimen and expect.uto:
            assert all("Utopia" in p.reason for p in result.errors if p.field in expect.uto)
        assert result.is_expired is (expect.expiry < TODAY)
        assert any("expired" in p.reason for p in result.warnings) is result.is_expired
        assert result.corrections == ()
        if "composite_check" not in wanted and "birth_date" not in wanted:
            assert all(c.ok for c in result.all_checks)


@pytest.mark.parametrize("path", sorted(OWN_SAMPLES.glob("*.txt")), ids=lambda p: p.name)
def test_own_samples_give_the_outcome_their_source_states(path: Path, countries: CountryTable) -> None:
    _assert_sample(path, countries)


def _shared_samples() -> list[Path]:
    return sorted(SHARED_SAMPLES.glob("*.txt")) if SHARED_SAMPLES.is_dir() else []


@pytest.mark.skipif(
    not SHARED_SAMPLES.is_dir(), reason=f"{SHARED_SAMPLES} is absent (GPL samples are not copied)"
)
@pytest.mark.parametrize("path", _shared_samples(), ids=lambda p: p.name)
def test_every_shared_sample_gives_the_outcome_sources_md_states(path: Path, countries: CountryTable) -> None:
    assert path.name in EXPECTED, f"new sample {path.name}: add its expected outcome here"
    _assert_sample(path, countries)


def test_bad_birth_check_digit_is_reported_with_field_and_position(countries: CountryTable) -> None:
    result = parse((OWN_SAMPLES / "td1_bel_bo03003_bad_birth_cd.txt").read_text().splitlines(), countries)
    problem = next(p for p in result.errors if p.field == "birth_date")
    assert problem.reason == "birth date check digit is 8, expected 7 (line 2, column 7)"
    assert (problem.position.line, problem.position.column) == (2, 7)
    check = next(c for c in result.checks if c.name == "birth date")
    assert (check.found, check.expected, check.ok) == ("8", 7, False)


def test_long_number_check_says_which_issuer_variant_agreed(countries: CountryTable) -> None:
    bel = parse((OWN_SAMPLES / "td1_bel_bo03003.txt").read_text().splitlines(), countries)
    assert "included" in bel.checks[0].note
    prt = parse((OWN_SAMPLES / "td1_prt_long_docnum.txt").read_text().splitlines(), countries)
    assert "left out" in prt.checks[0].note
    assert prt.name_truncated
    assert any("truncated" in p.reason for p in prt.warnings)


TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")


def test_document_number_check_failure_message(countries: CountryTable) -> None:
    result = parse((TD3[0], TD3[1].replace("L898902C36", "L898902C33")), countries, specimen=True)
    assert not result.is_valid
    reasons = [p.reason for p in result.errors]
    assert reasons[0] == "document number check digit is 3, expected 6 (line 2, column 10)"
    assert result.composite is not None
    assert not result.composite.ok


def test_whitespace_and_lower_case_are_normalised_and_reported(countries: CountryTable) -> None:
    result = parse(["  " + TD3[0].lower() + " \n", "\t" + TD3[1] + "  "], countries, specimen=True)
    assert result.is_valid
    assert result.lines == TD3
    [note] = [p for p in result.warnings if "normalised" in p.reason]
    assert "whitespace" in note.reason
    assert "capitals" in note.reason


def test_one_string_with_line_breaks_is_accepted(countries: CountryTable) -> None:
    result = parse("\n".join(TD3) + "\n", countries, specimen=True)
    assert result.is_valid
    assert result.format is MrzFormat.TD3


@pytest.mark.parametrize(
    ("lines", "needle", "line"),
    [
        ((TD3[0], TD3[1][:-1]), "line 2 has 43 characters; a TD3/MRV-A line has 44", 2),
        ((TD3[0],), "an MRZ has 2 lines", 1),
        ((), "no MRZ text", 1),
        (("hello", "world", "x", "y"), "not 4", 1),
        (("IDCHEA1234567<6<<<<<<<<<<<<<<<", "7510256M2009018CHE<<<<<<<<<<<8"), "has 30 characters", 1),
    ],
)
def test_wrong_shape_is_a_problem_with_position(
    countries: CountryTable, lines: tuple[str, ...], needle: str, line: int
) -> None:
    result = parse(lines, countries)
    assert result.format is None
    assert not result.is_valid
    assert any(needle in p.reason and p.position.line == line for p in result.errors), result.problems
    with pytest.raises(DocumentRuleError):
        result.to_traveller()


def test_bad_characters_are_reported_where_they_are(countries: CountryTable) -> None:
    result = parse((TD3[0], TD3[1][:30] + "-" + TD3[1][31:]), countries, specimen=True)
    assert not result.is_valid
    bad = next(p for p in result.errors if "not allowed" in p.reason)
    assert (bad.position.line, bad.position.column) == (2, 31)
    assert bad.raw == "-"


def test_french_national_identity_card_is_not_read_as_td2(countries: CountryTable) -> None:
    lines = french_identity_card()
    result = parse(lines, countries)
    assert result.format is None
    assert "not ICAO TD2" in result.errors[0].reason


def test_expired_document_is_a_warning_and_the_mrz_stays_valid(countries: CountryTable) -> None:
    result = parse(TD3, countries, specimen=True, today=date(2012, 4, 16))
    assert result.is_valid
    assert result.is_expired
    [warning] = result.warnings
    assert warning.reason == "document expired on 2012-04-15 (line 2, column 22)"
    assert not parse(TD3, countries, specimen=True, today=date(2012, 4, 15)).is_expired


def test_proven_ocr_correction_is_applied_and_reported(countries: CountryTable) -> None:
    result = parse((TD3[0], TD3[1].replace("7408122", "74O8122")), countries, specimen=True)
    assert result.is_valid
    assert result.birth_date == date(1974, 8, 12)
    assert result.lines == TD3
    [correction] = result.corrections
    assert (correction.found, correction.corrected, correction.column) == ("O", "0", 16)
    assert any("'O' read as '0'" in p.reason for p in result.warnings)


def test_document_number_correction_when_only_one_reading_fits(countries: CountryTable) -> None:
    lines = write_mrz(
        MrzFormat.TD3,
        document_code="P",
        issuing_state="GBR",
        document_number="XKCTMH0PW",  # one confusable character only
        nationality="GBR",
        birth_date=date(1980, 1, 1),
        sex=Gender.MALE,
        expiry_date=date(2030, 1, 1),
        family_name="DOE",
        given_names="JOHN",
    )
    misread = (lines[0], lines[1].replace("XKCTMH0PW", "XKCTMHOPW"))
    result = parse(misread, countries)
    assert result.is_valid
    assert result.document_number == "XKCTMH0PW"
    assert [(c.field, c.found, c.corrected) for c in result.corrections] == [("document_number", "O", "0")]


def test_unprovable_ocr_reading_is_not_applied_and_says_so(countries: CountryTable) -> None:
    result = parse((TD3[0], TD3[1].replace("L898902C3", "L8989O2C3")), countries, specimen=True)
    assert not result.is_valid
    assert result.corrections == ()
    assert result.document_number == "L8989O2C3"
    assert "would fit but none is proven" in result.errors[0].reason


def test_conversion_to_the_domain_traveller(countries: CountryTable) -> None:
    lines = (OWN_SAMPLES / "td3_deu_mustermann_single_letter_D.txt").read_text().splitlines()
    result = parse(lines, countries)
    traveller = result.to_traveller(TravellerRole.CREW)
    assert (traveller.family_name, traveller.given_names) == ("MUSTERMANN", "ERIKA")
    assert traveller.gender is Gender.FEMALE
    assert traveller.role is TravellerRole.CREW
    assert traveller.nationality == "D"
    document = traveller.documents[0]
    assert document.doc_type is DocumentType.PASSPORT
    assert (document.number, document.issuing_state, document.expiry_date) == (
        "C01X0006H",
        "D",
        date(2017, 10, 31),
    )
    visa = parse((OWN_SAMPLES / "mrva_usa_happy_person_variantB.txt").read_text().splitlines(), countries)
    assert visa.to_travel_document().doc_type is DocumentType.VISA


def test_result_as_dict_has_every_field_check_and_problem(countries: CountryTable) -> None:
    result = parse((OWN_SAMPLES / "td1_bel_bo03003_bad_birth_cd.txt").read_text().splitlines(), countries)
    data = json.loads(json.dumps(result.as_dict()))
    assert data["format"] == "TD1"
    assert data["valid"] is False
    assert {f["name"] for f in data["fields"]} == {f.name for f in LAYOUTS[MrzFormat.TD1].fields}
    assert [c["name"] for c in data["checks"]] == ["document number", "birth date", "expiry date"]
    assert data["composite"]["ok"] is False
    assert any(p["field"] == "birth_date" and p["line"] == 2 and p["column"] == 7 for p in data["problems"])


def test_writer_reproduces_the_doc_9303_specimens() -> None:
    assert write_mrz(
        MrzFormat.TD1,
        document_code="I",
        issuing_state="UTO",
        document_number="D23145890734",
        nationality="UTO",
        birth_date=date(1934, 7, 12),
        sex=Gender.MALE,
        expiry_date=date(1995, 7, 12),
        family_name="Stevenson",
        given_names="Peter John",
    ) == tuple((OWN_SAMPLES / "doc9303_spec_td1_part11.txt").read_text().splitlines())
    assert (
        write_mrz(
            MrzFormat.TD3,
            document_code="P",
            issuing_state="UTO",
            document_number="L898902C3",
            nationality="UTO",
            birth_date=date(1974, 8, 12),
            sex=Gender.FEMALE,
            expiry_date=date(2012, 4, 15),
            family_name="ERIKSSON",
            given_names="ANNA MARIA",
            optional_data="ZE184226B",
        )
        == TD3
    )


# --- Hypothesis ----------------------------------------------------------------------------

ALL_SAMPLES = [p.read_text().splitlines() for p in sorted(OWN_SAMPLES.glob("*.txt"))]


@st.composite
def mutated_mrz(draw: st.DrawFn) -> list[str]:
    lines = list(draw(st.sampled_from(ALL_SAMPLES)))
    for _ in range(draw(st.integers(1, 4))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "drop", "swap", "space", "lower", "dup"]))
        i = draw(st.integers(0, len(lines) - 1)) if lines else 0
        if not lines:
            lines.append(draw(st.text(max_size=50)))
            continue
        line = lines[i]
        j = draw(st.integers(0, max(len(line) - 1, 0)))
        char = draw(
            st.one_of(st.sampled_from(list(string.ascii_uppercase + string.digits + "<")), st.characters())
        )
        if kind == "replace" and line:
            lines[i] = line[:j] + char + line[j + 1 :]
        elif kind == "insert":
            lines[i] = line[:j] + char + line[j:]
        elif kind == "delete" and line:
            lines[i] = line[:j] + line[j + 1 :]
        elif kind == "drop":
            del lines[i]
        elif kind == "swap" and len(lines) > 1:
            lines[0], lines[-1] = lines[-1], lines[0]
        elif kind == "space":
            lines[i] = " " + line + "\r\n"
        elif kind == "lower":
            lines[i] = line.lower()
        elif kind == "dup":
            lines.insert(i, line)
    return lines


def _never_crashes(lines: list[str], countries: CountryTable, today: date) -> None:
    try:
        result = parse(lines, countries, today=today)
    except InputError:
        return
    json.dumps(result.as_dict())
    if result.is_valid:
        assert all(c.ok for c in result.all_checks)
    for problem in result.problems:
        assert problem.position.line is not None
        assert problem.reason
    try:
        result.to_traveller()
    except DocumentRuleError:
        assert result.format is None


@settings(max_examples=300, deadline=None)
@given(lines=mutated_mrz(), today=st.dates(date(1990, 1, 1), date(2090, 12, 31)))
def test_any_mutation_gives_a_result_never_a_crash(
    lines: list[str], today: date, countries: CountryTable
) -> None:
    _never_crashes(lines, countries, today)


@settings(max_examples=100, deadline=None)
@given(lines=st.lists(st.text(max_size=60), max_size=5))
def test_garbage_gives_a_result_never_a_crash(lines: list[str]) -> None:
    _never_crashes(lines, COUNTRIES, TODAY)


WORD = st.text(string.ascii_uppercase, min_size=1, max_size=8)
ALNUM = string.ascii_uppercase + string.digits
CODES = ["GBR", "FRA", "MAR", "D", "UTO", "XXA", "DZA"]
DOC_CODES = {
    MrzFormat.TD1: ["I", "ID", "AC"],
    MrzFormat.TD2: ["I", "ID", "AC"],
    MrzFormat.TD3: ["P", "PO"],
    MrzFormat.MRV_A: ["V", "VB"],
    MrzFormat.MRV_B: ["V", "VD"],
}
OPTIONAL_ROOM = {
    MrzFormat.TD1: 15,
    MrzFormat.TD2: 7,
    MrzFormat.TD3: 14,
    MrzFormat.MRV_A: 16,
    MrzFormat.MRV_B: 8,
}


@st.composite
def documents(draw: st.DrawFn) -> dict[str, object]:
    fmt = draw(st.sampled_from(list(MrzFormat)))
    long_allowed = fmt in (MrzFormat.TD1, MrzFormat.TD2)
    number = draw(st.text(ALNUM, min_size=1, max_size=12 if long_allowed else 9))
    room = OPTIONAL_ROOM[fmt] - (len(number) - 9 + 2 if len(number) > 9 else 0)
    optional = draw(st.text(ALNUM, max_size=max(room, 0)))
    family = " ".join(draw(st.lists(WORD, min_size=1, max_size=2)))
    given_names = " ".join(draw(st.lists(WORD, max_size=2)))
    name_room = LAYOUTS[fmt].field("name").span.length
    assume(len(family) + 2 + len(given_names) < name_room)
    return {
        "fmt": fmt,
        "document_code": draw(st.sampled_from(DOC_CODES[fmt])),
        "issuing_state": draw(st.sampled_from(CODES)),
        "document_number": number,
        "nationality": draw(st.sampled_from(CODES)),
        "birth_date": draw(st.dates(TODAY - timedelta(days=365 * 99), TODAY)),
        "sex": draw(st.sampled_from([Gender.MALE, Gender.FEMALE, Gender.UNSPECIFIED])),
        "expiry_date": draw(st.dates(TODAY - timedelta(days=365 * 49), TODAY + timedelta(days=365 * 49))),
        "family_name": family,
        "given_names": given_names,
        "optional_data": optional,
        "optional_data_2": draw(st.text(ALNUM, max_size=11)) if fmt is MrzFormat.TD1 else "",
    }


@settings(max_examples=300, deadline=None)
@given(doc=documents())
def test_generated_valid_mrz_parses_back_to_its_fields(
    doc: dict[str, object], countries: CountryTable
) -> None:
    fields = dict(doc)
    fmt = fields.pop("fmt")
    assert isinstance(fmt, MrzFormat)
    lines = write_mrz(fmt, **fields)  # type: ignore[arg-type]
    result = parse(lines, COUNTRIES, specimen=True)
    assert result.is_valid, [p.reason for p in result.errors]
    assert result.format is fmt
    assert result.corrections == ()
    assert result.document_code == doc["document_code"]
    assert result.issuing_state == doc["issuing_state"]
    assert result.nationality == doc["nationality"]
    assert result.document_number == doc["document_number"]
    assert result.birth_date == doc["birth_date"]
    assert result.expiry_date == doc["expiry_date"]
    assert result.gender is doc["sex"]
    assert (result.family_name, result.given_names) == (doc["family_name"], doc["given_names"])
    assert result.optional_data == doc["optional_data"]
    assert result.optional_data_2 == doc["optional_data_2"]
    if len(str(doc["document_number"])) > 9:
        assert result.checks[0].expected == check_digit(str(doc["document_number"]))


def french_identity_card() -> tuple[str, str]:
    """Return a zone with the shape of the pre-2021 French identity card (check digits computed).

    Line 1: ID, FRA, surname (25), office code (6). Line 2: card number (12) + check digit,
    given names (14), birth date + check digit, sex, final check digit.
    """
    number, birth = "880692310285", "651206"
    second = (
        number + str(check_digit(number)) + "CORINNE".ljust(14, "<") + birth + str(check_digit(birth)) + "F"
    )
    first = "IDFRA" + "BERTHIER".ljust(25, "<") + "750123"
    return first, second + str(check_digit(first + second))
