"""ICAO Doc 9303 rules of domain/documents.py, one test (table) per rule."""

from __future__ import annotations

from datetime import date

import pytest

from borderwatch.domain.countries import CodeKind, Country, CountryTable
from borderwatch.domain.documents import (
    LAYOUTS,
    CodeStatus,
    DateRole,
    MrzFormat,
    Span,
    character_value,
    check_digit,
    correct_ocr,
    country_code_status,
    days_until_expiry,
    detect_format,
    evaluate_check,
    expires_within,
    is_expired,
    is_french_national_id,
    mrz_name_field,
    read_yymmdd,
    resolve_checks,
    resolve_date,
    resolve_year,
    split_mrz_name,
    try_check_digit,
)
from borderwatch.domain.travellers import DocumentType, TravelDocument
from borderwatch.errors import DocumentRuleError, InputError

TD3 = ("P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L898902C36UTO7408122F1204159ZE184226B<<<<<10")
TD1_PART11 = (
    "I<UTOD23145890<7349<<<<<<<<<<<",
    "3407127M9507122UTO<<<<<<<<<<<2",
    "STEVENSON<<PETER<JOHN<<<<<<<<<",
)
BEL_03003 = (
    "IDBEL000590240<6013<<<<<<<<<<<",
    "8512017F1311048BEL851201002007",
    "REINARTZ<<ULRIKE<KATIA<E<<<<<<",
)
BEL_11005 = (
    "IDBEL600001795<0152<<<<<<<<<<<",
    "1301014F2311207BEL130101987398",
    "SPECIMEN<<SPECIMEN<<<<<<<<<<<<",
)
MRVA = ("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "L8988901C4XXX4009078F96121096ZE184226B<<<<<<")


# ICAO 9303 part 3 §4.9 and the worked examples quoted in formats.md 3.2.
@pytest.mark.parametrize(
    ("text", "digit"),
    [("L898902C3", 6), ("740812", 2), ("120415", 9), ("D23145890", 7), ("ZE184226B", 1), ("<<<<<<", 0)],
)
def test_check_digit_7_3_1(text: str, digit: int) -> None:
    assert check_digit(text) == digit


def test_character_values_filler_is_zero_letters_from_ten() -> None:
    assert [character_value(c) for c in "09AZ<"] == [0, 9, 10, 35, 0]


@pytest.mark.parametrize("bad", ["a", "-", " ", "É", "", "AB"])
def test_character_outside_the_mrz_set_is_a_document_rule_error(bad: str) -> None:
    with pytest.raises(DocumentRuleError) as caught:
        character_value(bad)
    assert isinstance(caught.value, InputError)
    if len(bad) == 1:
        assert try_check_digit(f"AB{bad}") is None


@pytest.mark.parametrize(
    ("lines", "expected"),
    [
        (TD3, MrzFormat.TD3),
        (MRVA, MrzFormat.MRV_A),
        (("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"), MrzFormat.TD2),
        (("V<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "L8988901C4XXX4009078F9612109<<<<<<<<"), MrzFormat.MRV_B),
        (TD1_PART11, MrzFormat.TD1),
        ((TD3[0], TD3[1][:-1]), None),
        ((TD3[0],), None),
        ((), None),
    ],
)
def test_format_by_line_count_length_then_first_letter(
    lines: tuple[str, ...], expected: MrzFormat | None
) -> None:
    assert detect_format(lines) is expected


def test_layout_positions_follow_doc_9303() -> None:
    td3 = LAYOUTS[MrzFormat.TD3]
    assert td3.field("optional_data").span == Span(2, 29, 42)
    assert td3.composite is not None
    assert td3.composite.covers == (Span(2, 1, 10), Span(2, 14, 20), Span(2, 22, 43))
    td2 = LAYOUTS[MrzFormat.TD2]
    assert td2.composite is not None
    assert td2.composite.covers[-1] == Span(2, 22, 35)
    td1 = LAYOUTS[MrzFormat.TD1]
    assert td1.composite is not None
    assert td1.composite.covers == (Span(1, 6, 30), Span(2, 1, 7), Span(2, 9, 15), Span(2, 19, 29))
    assert td1.field("nationality").span == Span(2, 16, 18)
    assert td1.field("name").span == Span(3, 1, 30)


@pytest.mark.parametrize("fmt", [MrzFormat.MRV_A, MrzFormat.MRV_B])
def test_visas_have_no_composite_and_no_optional_data_check(fmt: MrzFormat) -> None:
    layout = LAYOUTS[fmt]
    assert layout.composite is None
    assert [c.name for c in layout.checks] == ["document number", "birth date", "expiry date"]
    assert layout.field("optional_data").span.end == layout.line_length


def test_every_check_of_the_td3_specimen_agrees() -> None:
    outcomes = [evaluate_check(TD3, c) for c in resolve_checks(TD3, LAYOUTS[MrzFormat.TD3])]
    assert [(o.found, o.expected, o.ok) for o in outcomes] == [
        ("6", 6, True),
        ("2", 2, True),
        ("9", 9, True),
        ("1", 1, True),
        ("0", 0, True),
    ]


def test_long_document_number_td1_part11_example() -> None:
    check = resolve_checks(TD1_PART11, LAYOUTS[MrzFormat.TD1])[0]
    assert "".join(s.take(TD1_PART11) for s in check.number_spans) == "D23145890734"
    assert check.digit == Span(1, 19, 19)
    outcome = evaluate_check(TD1_PART11, check)
    assert (outcome.found, outcome.ok, outcome.variant) == ("9", True, 0)


@pytest.mark.parametrize(
    ("lines", "variant"),
    [
        (BEL_11005, 0),  # PRADO BEL-BO-11005: '<' at position 15 left out
        (BEL_03003, 1),  # PRADO BEL-BO-03003: '<' at position 15 included
    ],
)
def test_long_document_number_both_issuer_variants_are_accepted(lines: tuple[str, ...], variant: int) -> None:
    check = resolve_checks(lines, LAYOUTS[MrzFormat.TD1])[0]
    outcome = evaluate_check(lines, check)
    assert outcome.ok
    assert outcome.variant == variant


def test_long_number_slot_without_continuation_is_a_plain_failing_check() -> None:
    lines = ("I<UTOD23145890<<<<<<<<<<<<<<<<", *TD1_PART11[1:])
    check = resolve_checks(lines, LAYOUTS[MrzFormat.TD1])[0]
    assert len(check.variants) == 1
    assert not evaluate_check(lines, check).ok


def test_empty_personal_number_may_carry_filler_or_zero_as_check_digit() -> None:
    for digit in ("<", "0"):
        line2 = "ZE000509<9CAN8501019F2301147<<<<<<<<<<<<<<" + digit + "8"
        lines = ("P<CANMARTIN<<SARAH<<<<<<<<<<<<<<<<<<<<<<<<<<", line2)
        optional = resolve_checks(lines, LAYOUTS[MrzFormat.TD3])[3]
        assert optional.name == "optional data"
        assert evaluate_check(lines, optional).ok


# --- century rules ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("740812", date(2026, 6, 1), date(1974, 8, 12)),
        ("340712", date(2026, 6, 1), date(1934, 7, 12)),  # 2034 would be in the future
        ("260601", date(2026, 6, 1), date(2026, 6, 1)),  # born today
        ("260602", date(2026, 6, 1), date(1926, 6, 2)),  # tomorrow is not a birth date
        ("000229", date(2026, 6, 1), date(2000, 2, 29)),
        ("680229", date(2026, 6, 1), date(1968, 2, 29)),
    ],
)
def test_birth_dates_are_in_the_past(text: str, today: date, expected: date) -> None:
    assert resolve_date(text, role=DateRole.BIRTH, today=today) == expected


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        ("120415", date(2026, 6, 1), date(2012, 4, 15)),  # expired, not 2112
        ("341231", date(2026, 6, 1), date(2034, 12, 31)),
        ("950712", date(2026, 6, 1), date(1995, 7, 12)),  # 2095 is more than 50 years ahead
        ("760601", date(2026, 6, 1), date(2076, 6, 1)),  # exactly 50 years ahead: still this century
        ("770101", date(2026, 6, 1), date(1977, 1, 1)),
        ("050101", date(2090, 1, 1), date(2105, 1, 1)),  # the window slides with today
    ],
)
def test_expiry_dates_lean_to_the_future(text: str, today: date, expected: date) -> None:
    assert resolve_date(text, role=DateRole.EXPIRY, today=today) == expected


def test_resolve_year_birth_compares_month_and_day() -> None:
    today = date(2026, 6, 1)
    assert resolve_year(26, role=DateRole.BIRTH, today=today, month=5, day=31) == 2026
    assert resolve_year(26, role=DateRole.BIRTH, today=today, month=6, day=2) == 1926


@pytest.mark.parametrize(
    ("text", "parts"),
    [("740812", (74, 8, 12)), ("74<<<<", (74, None, None)), ("7408<<", (74, 8, None))],
)
def test_unknown_day_or_month_is_written_with_fillers(
    text: str, parts: tuple[int, int | None, int | None]
) -> None:
    assert read_yymmdd(text) == parts
    assert resolve_date(text, role=DateRole.BIRTH, today=date(2026, 1, 1)) == (
        None if None in parts else date(1974, 8, 12)
    )


@pytest.mark.parametrize("text", ["741312", "740832", "74O812", "7408", "<<0812", "74-812", "７４０８１２"])
def test_impossible_dates_are_not_dates(text: str) -> None:
    assert resolve_date(text, role=DateRole.BIRTH, today=date(2026, 1, 1)) is None


def test_29_february_of_a_non_leap_year_is_not_a_date() -> None:
    assert resolve_date("010229", role=DateRole.BIRTH, today=date(2026, 1, 1)) is None


# --- names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "family", "given", "truncated"),
    [
        ("ERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<", "ERIKSSON", "ANNA MARIA", False),
        ("KOWALSKA<KWIATKOWSKA<<JOANNA<<<<<<<<<<<", "KOWALSKA KWIATKOWSKA", "JOANNA", False),
        ("<<ANNA<MARIA<<<<<<<<<<", "", "ANNA MARIA", False),  # no family name
        ("MADONNA<<<<<<<<<<<<<<<", "MADONNA", "", False),  # primary identifier only
        ("CACADOR<DE<ARAUJO<<ANDRE<ESTEV", "CACADOR DE ARAUJO", "ANDRE ESTEV", True),
        ("<<<<<<<<<<", "", "", False),
    ],
)
def test_name_field_to_family_and_given_names(field: str, family: str, given: str, truncated: bool) -> None:
    name = split_mrz_name(field)
    assert (name.family_name, name.given_names, name.is_truncated) == (family, given, truncated)
    assert name.has_family_name is bool(family)


def test_name_field_is_written_and_truncated_to_its_length() -> None:
    assert mrz_name_field("Eriksson", "Anna Maria", 20) == "ERIKSSON<<ANNA<MARIA"
    assert mrz_name_field("Cacador de Araujo", "Andre Estevao", 30) == "CACADOR<DE<ARAUJO<<ANDRE<ESTEV"
    assert mrz_name_field("Madonna", "", 10) == "MADONNA<<<"


# --- OCR confusions ------------------------------------------------------------------------


def test_letter_in_a_date_is_corrected_when_check_digits_prove_it() -> None:
    lines = (TD3[0], TD3[1].replace("7408122", "74O8122"))
    outcome = correct_ocr(lines, LAYOUTS[MrzFormat.TD3])
    assert outcome.lines == TD3
    [correction] = outcome.corrections
    assert (correction.field, correction.line, correction.column) == ("birth_date", 2, 16)
    assert (correction.found, correction.corrected) == ("O", "0")
    assert correction.proven_by == ("birth date", "composite")


def test_letter_in_a_check_digit_is_corrected_when_proven() -> None:
    lines = (TD3[0], TD3[1].replace("7408122", "740812Z"))
    outcome = correct_ocr(lines, LAYOUTS[MrzFormat.TD3])
    assert outcome.lines == TD3
    assert [(c.field, c.found, c.corrected) for c in outcome.corrections] == [("birth_date_check", "Z", "2")]


def test_visa_correction_is_proven_by_the_field_check_alone() -> None:
    lines = (MRVA[0], MRVA[1].replace("4009078", "4OO9078"))
    outcome = correct_ocr(lines, LAYOUTS[MrzFormat.MRV_A])
    assert outcome.lines == MRVA
    assert [c.proven_by for c in outcome.corrections] == [("birth date",), ("birth date",)]


def test_ambiguous_document_number_reading_is_not_corrected() -> None:
    # 'O' for '0' in L898902C3: several O/0, 8/B, 2/Z readings give the same check digit, and the
    # composite weighs the number exactly as its own check does, so nothing proves one of them.
    lines = (TD3[0], TD3[1].replace("L898902C3", "L8989O2C3"))
    outcome = correct_ocr(lines, LAYOUTS[MrzFormat.TD3])
    assert outcome.lines == lines
    assert outcome.corrections == ()
    assert outcome.unproven["document number"] > 1


def test_wrong_digit_that_no_confusion_explains_is_left_alone() -> None:
    lines = (BEL_03003[0], BEL_03003[1].replace("8512017", "8512018"), BEL_03003[2])
    outcome = correct_ocr(lines, LAYOUTS[MrzFormat.TD1])
    assert outcome.lines == lines
    assert outcome.corrections == ()


def test_correct_mrz_is_never_changed() -> None:
    outcome = correct_ocr(TD3, LAYOUTS[MrzFormat.TD3])
    assert outcome.lines == TD3
    assert outcome.corrections == ()


def test_fields_without_a_check_digit_are_never_corrected() -> None:
    lines = (TD3[0], TD3[1].replace("UTO7408", "UT07408"))  # nationality is outside every check
    outcome = correct_ocr(lines, LAYOUTS[MrzFormat.TD3])
    assert outcome.lines == lines


# --- codes ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def countries() -> CountryTable:
    return CountryTable.build(
        [
            Country("DEU", "Germany", CodeKind.STATE, "DE"),
            Country("GBR", "United Kingdom", CodeKind.STATE, "GB"),
            Country("XXA", "Stateless", CodeKind.ICAO_SPECIAL),
            Country("RKS", "Kosovo", CodeKind.NON_ICAO),
            Country("UTO", "Utopia", CodeKind.SPECIMEN),
        ]
    )


@pytest.mark.parametrize(
    ("code", "specimen", "status"),
    [
        ("GBR", False, CodeStatus.KNOWN),
        ("D<<", False, CodeStatus.KNOWN),
        ("XXA", False, CodeStatus.KNOWN),
        ("RKS", False, CodeStatus.NOT_ICAO),
        ("UTO", False, CodeStatus.SPECIMEN_ONLY),
        ("UTO", True, CodeStatus.KNOWN),
        ("ASU", True, CodeStatus.UNKNOWN),
        ("<<<", False, CodeStatus.UNKNOWN),
        ("G<R", False, CodeStatus.UNKNOWN),
        ("gbr", False, CodeStatus.UNKNOWN),
        ("GB0", False, CodeStatus.UNKNOWN),
    ],
)
def test_country_codes_through_the_table(
    countries: CountryTable, code: str, specimen: bool, status: CodeStatus
) -> None:
    assert country_code_status(code, countries, allow_specimen=specimen) is status


# --- document checks -----------------------------------------------------------------------


def _doc(expiry: date | None) -> TravelDocument:
    return TravelDocument(DocumentType.PASSPORT, "L898902C3", "UTO", expiry)


def test_expiry_checks() -> None:
    today = date(2026, 6, 1)
    assert is_expired(_doc(date(2026, 5, 31)), today)
    assert not is_expired(_doc(date(2026, 6, 1)), today)  # valid through its expiry day
    assert not is_expired(_doc(None), today)
    assert expires_within(_doc(date(2026, 8, 30)), today, 90)
    assert not expires_within(_doc(date(2026, 9, 1)), today, 90)
    assert not expires_within(_doc(date(2026, 5, 1)), today, 90)  # already expired
    assert days_until_expiry(_doc(date(2026, 6, 11)), today) == 10
    assert days_until_expiry(_doc(None), today) is None


def test_pre_2021_french_identity_card_is_recognised_as_not_td2() -> None:
    # Shape of the national layout (ID + FRA + surname + office; card number, given names, ...).
    lines = french_identity_card()
    assert len(lines[0]) == 36
    assert len(lines[1]) == 36
    assert is_french_national_id(lines)
    assert not is_french_national_id(
        ("I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6")
    )


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
