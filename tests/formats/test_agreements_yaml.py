"""Agreements in YAML: the shipped example, round trips, and clear messages for every mistake."""

from __future__ import annotations

from datetime import UTC, datetime
from importlib import resources
from pathlib import Path

import pytest
import yaml

from borderwatch.domain.agreements import Direction, ShareableField, is_active
from borderwatch.domain.alerts import AlertKind
from borderwatch.errors import InputError
from borderwatch.formats.agreements import dump_agreement, load_agreement, read_agreement

EXAMPLE = Path(str(resources.files("borderwatch").joinpath("data", "agreements", "dgsn-ukbf.example.yaml")))


def example_text() -> str:
    return EXAMPLE.read_text(encoding="utf-8")


def with_line(key: str, value: str) -> str:
    """Return the example with the line of top-level `key` replaced by `key: value`."""
    lines = example_text().splitlines()
    index = next(i for i, line in enumerate(lines) if line.startswith(f"{key}:"))
    lines[index] = f"{key}: {value}"
    return "\n".join(lines) + "\n"


def test_shipped_example_reads() -> None:
    agreement = read_agreement(EXAMPLE)
    assert agreement.id == "DGSN-UKBF-2025-001"
    assert (agreement.agency, agreement.partner) == ("DGSN", "UKBF")
    assert agreement.directions == {Direction.SEND, Direction.RECEIVE}
    assert agreement.alert_categories == {AlertKind.WATCH_LIST, AlertKind.LOST_STOLEN_DOCUMENT}
    assert agreement.list_ids == {"UN", "NAT:DGSN:refuse-entry"}
    assert ShareableField.OFFICER_NOTES not in agreement.fields
    assert ShareableField.DOCUMENT_NUMBER in agreement.fields
    assert agreement.retention_days == 30
    assert len(agreement.partner_public_key) == 32
    # Dates: valid_from starts the day, valid_until covers the whole day (exclusive end next midnight).
    assert agreement.valid_from == datetime(2025, 1, 1, tzinfo=UTC)
    assert agreement.valid_until == datetime(2027, 1, 1, tzinfo=UTC)
    assert is_active(agreement, datetime(2026, 12, 31, 23, 59, tzinfo=UTC))
    assert not is_active(agreement, datetime(2027, 1, 1, tzinfo=UTC))


def test_dump_then_load_is_the_same_agreement() -> None:
    agreement = read_agreement(EXAMPLE)
    text = dump_agreement(agreement)
    assert load_agreement(text) == agreement
    assert load_agreement(text.encode()) == agreement
    assert dump_agreement(load_agreement(text)) == text


def test_times_with_offsets_and_revocation() -> None:
    text = with_line("valid_from", "2025-01-01T09:00:00+01:00")
    text = text.replace("revoked_at: null", "revoked_at: 2025-03-04T10:00:00Z")
    agreement = load_agreement(text)
    assert agreement.valid_from == datetime(2025, 1, 1, 8, 0, tzinfo=UTC)
    assert agreement.revoked_at == datetime(2025, 3, 4, 10, 0, tzinfo=UTC)
    assert not is_active(agreement, datetime(2025, 6, 1, tzinfo=UTC))
    assert load_agreement(dump_agreement(agreement)) == agreement


def mistake(text: str) -> InputError:
    with pytest.raises(InputError) as info:
        load_agreement(text, source="dgsn-ukbf.yaml")
    return info.value


@pytest.mark.parametrize(
    ("key", "value", "field", "words"),
    [
        ("retention_days", "-3", "retention_days", "greater than or equal to 1"),
        ("retention_days", "yes", "retention_days", "not a number of days"),
        ("partner", "NO", "partner", "put the value in quotes"),  # YAML 1.1 reads NO as false
        ("partner_public_key", "c2hvcnQ=", "partner_public_key", "32 bytes"),
        ("partner_url", "borderwatch.ukbf.example", "partner_url", "should match pattern"),
        ("directions", "[send, forward]", "directions.1", "'forward' is not one of 'send' or 'receive'"),
        ("valid_from", "2025-01-01 09:00:00", "valid_from", "UTC offset"),
        ("valid_from", "1735689600", "valid_from", "is not a date"),
        ("valid_until", "31/12/2026", "valid_until", "not an ISO 8601 date"),
        ("valid_until", "2024-12-31", "valid_until", "not after valid_from"),
        ("partner", "DGSN", "partner", "is the agency itself"),
    ],
)
def test_mistakes_name_line_field_and_reason(key: str, value: str, field: str, words: str) -> None:
    text = with_line(key, value)
    line = 1 + next(i for i, row in enumerate(text.splitlines()) if row.startswith(f"{key}:"))
    error = mistake(text)
    assert error.field == field
    assert words in error.message
    assert error.source == "dgsn-ukbf.yaml"
    assert error.position is not None
    assert error.position.line == line
    assert f"line {line}" in error.message


def test_unknown_field_lists_the_shareable_ones() -> None:
    error = mistake(example_text().replace("  - score\n", "  - passport_scan\n"))
    assert error.field.startswith("fields.")
    assert "'passport_scan' is not one of" in error.message
    assert "'officer_notes'" in error.message


def test_all_mistakes_are_reported_together() -> None:
    text = with_line("retention_days", "0").replace("purpose: >-", "purpos: >-")
    error = mistake(text)
    assert "3 mistake(s)" in error.message
    assert "retention_days" in error.message
    assert "purpose: is required" in error.message
    assert "purpos: is not a known key" in error.message


def test_missing_fields() -> None:
    error = mistake("id: X\n")
    for key in ("agency", "partner", "partner_public_key", "fields", "valid_from"):
        assert f"{key}: is required" in error.message


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("", "must be a YAML mapping"),
        ("- just\n- a list\n", "must be a YAML mapping"),
        ("id: [unclosed\n", "not valid YAML"),
        ("!!python/object/apply:os.system ['true']\n", "not valid YAML"),  # safe_load refuses
    ],
)
def test_not_an_agreement(text: str, words: str) -> None:
    assert words in mistake(text).message


def test_yaml_syntax_error_has_a_position() -> None:
    error = mistake("id: X\nagency: DGSN\npartner: [UKBF\n")
    assert error.position is not None
    assert error.position.line is not None


def test_not_utf8() -> None:
    with pytest.raises(InputError, match="not UTF-8"):
        load_agreement(b"id: \xff\xfe\n")


def test_too_large() -> None:
    with pytest.raises(InputError, match="too large"):
        load_agreement("#" * 300_000)


def test_dump_is_safe_yaml() -> None:
    text = dump_agreement(read_agreement(EXAMPLE))
    assert "!!" not in text
    assert isinstance(yaml.safe_load(text), dict)
