"""Agreements as YAML files: read (untrusted, validated with pydantic) and write.

One agreement per file, keys as in `domain.agreements.Agreement`::

    id: DGSN-UKBF-2025-001
    agency: DGSN
    partner: UKBF
    partner_url: https://borderwatch.ukbf.example
    partner_public_key: <base64 of the partner's 32-byte Ed25519 key>
    directions: [send, receive]
    alert_categories: [watch list, lost or stolen document]
    list_ids: ["UN", "NAT:DGSN:refuse-entry"]
    fields: [family_name, given_names, birth_date, document_number, flight, reason]
    purpose: ...
    retention_days: 30
    valid_from: 2025-01-01            # a date means 00:00 UTC that day
    valid_until: 2026-12-31           # a date means the whole day (until 00:00 UTC the next day)
    revoked_at: null

Times may be given with a UTC offset (`2025-01-01T09:00:00+01:00`); a time without one is refused.
A bad file raises `InputError` naming the line, the field and the reason for every mistake.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationError, field_validator
from pydantic_core import ErrorDetails

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import (
    Agreement,
    AgreementId,
    Direction,
    ShareableField,
    decode_public_key,
)
from borderwatch.domain.alerts import AlertKind
from borderwatch.domain.watchlists import ListId
from borderwatch.errors import InputError, Position

MAX_AGREEMENT_BYTES = 256 * 1024  # an agreement is a page of YAML; refuse anything that is clearly not one


def _start_of(value: object) -> object:
    """A bare date starts at 00:00 UTC; an ISO text is read; a number is refused (not a Unix time)."""
    _refuse_number(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value, time(0), tzinfo=UTC)
    if isinstance(value, str):
        return _from_text(value, end=False)
    return value


def _end_of(value: object) -> object:
    """A bare date covers the whole day, so it ends (exclusively) at 00:00 UTC the next day."""
    _refuse_number(value)
    if isinstance(value, date) and not isinstance(value, datetime):
        return datetime.combine(value + timedelta(days=1), time(0), tzinfo=UTC)
    if isinstance(value, str):
        return _from_text(value, end=True)
    return value


def _refuse_number(value: object) -> None:
    if isinstance(value, int | float):
        raise ValueError(f"{value!r} is not a date; write it as 2025-01-31 or 2025-01-31T09:00:00Z")


def _from_text(text: str, *, end: bool) -> object:
    try:
        parsed = datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise ValueError(
            f"{text!r} is not an ISO 8601 date or time (2025-01-31 or 2025-01-31T09:00:00Z)"
        ) from exc
    if len(text.strip()) == 10:  # a date alone
        return _end_of(parsed.date()) if end else _start_of(parsed.date())
    return parsed


def _aware(value: datetime) -> datetime:
    if value.utcoffset() is None:
        raise ValueError("a time needs a UTC offset, for example 2025-01-01T00:00:00Z or +01:00")
    return value


Start = Annotated[datetime, BeforeValidator(_start_of)]
End = Annotated[datetime, BeforeValidator(_end_of)]


class _AgreementFile(BaseModel):
    """The YAML document as validated at the edge: unknown keys refused, text never made from numbers."""

    model_config = ConfigDict(extra="forbid")

    id: Annotated[str, Field(min_length=1, max_length=128)]
    agency: Annotated[str, Field(min_length=1, max_length=64)]
    partner: Annotated[str, Field(min_length=1, max_length=64)]
    partner_url: Annotated[str, Field(pattern=r"^https?://\S+$")]
    partner_public_key: str
    directions: Annotated[list[Direction], Field(min_length=1)]
    alert_categories: list[AlertKind] = Field(default_factory=list)
    list_ids: list[str] = Field(default_factory=list)
    fields: Annotated[list[ShareableField], Field(min_length=1)]
    purpose: Annotated[str, Field(min_length=1)]
    retention_days: Annotated[int, Field(ge=1, le=36_500)]
    valid_from: Start
    valid_until: End | None = None
    revoked_at: Start | None = None

    @field_validator("retention_days", mode="before")
    @classmethod
    def _not_bool(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(f"{value} is not a number of days")
        return value

    @field_validator("partner_public_key")
    @classmethod
    def _key(cls, value: str) -> str:
        try:
            decode_public_key(value)
        except InputError as exc:
            raise ValueError(exc.message) from exc
        return value

    @field_validator("valid_from", "valid_until", "revoked_at")
    @classmethod
    def _tz(cls, value: datetime | None) -> datetime | None:
        return None if value is None else _aware(value)


def _line_of(root: yaml.Node | None, loc: tuple[int | str, ...]) -> int | None:
    """Return the 1-based line of the YAML node at `loc` (a pydantic error location), when found."""
    node = root
    line = None
    for part in loc:
        if isinstance(node, yaml.MappingNode):
            match = next((v for k, v in node.value if getattr(k, "value", None) == part), None)
            if match is None:
                break
            line = match.start_mark.line + 1
            node = match
        elif isinstance(node, yaml.SequenceNode) and isinstance(part, int) and part < len(node.value):
            node = node.value[part]
            line = node.start_mark.line + 1
        else:
            break
    return line


def load_agreement(data: str | bytes, *, source: str = "agreement") -> Agreement:
    """Return the agreement written in YAML `data`, or raise InputError listing each mistake and its line."""
    if len(data) > MAX_AGREEMENT_BYTES:
        raise InputError(
            f"{source}: {len(data):,} bytes is too large for an agreement (limit {MAX_AGREEMENT_BYTES:,})",
            source=source,
        )
    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
        content = yaml.safe_load(text)
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except UnicodeDecodeError as exc:
        raise InputError(f"{source}: not UTF-8 text ({exc.reason})", source=source) from exc
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        position = Position(line=mark.line + 1, column=mark.column + 1) if mark else None
        reason = str(getattr(exc, "problem", None) or exc)
        raise InputError(
            f"{source}{f' {position}' if position else ''}: not valid YAML: {reason}",
            source=source,
            position=position,
            reason=reason,
        ) from exc
    if not isinstance(content, dict):
        raise InputError(
            f"{source}: an agreement must be a YAML mapping of keys (id, partner, ...), "
            f"got {type(content).__name__}",
            source=source,
        )
    try:
        model = _AgreementFile.model_validate(content)
    except ValidationError as exc:
        raise _input_error(exc, source, root) from exc
    try:
        return Agreement(
            id=AgreementId(model.id),
            agency=AgencyCode(model.agency),
            partner=AgencyCode(model.partner),
            partner_url=model.partner_url,
            partner_public_key=decode_public_key(model.partner_public_key),
            directions=frozenset(model.directions),
            alert_categories=frozenset(model.alert_categories),
            list_ids=frozenset(ListId(item) for item in model.list_ids),
            fields=frozenset(model.fields),
            purpose=model.purpose.strip(),
            retention_days=model.retention_days,
            valid_from=model.valid_from,
            valid_until=model.valid_until,
            revoked_at=model.revoked_at,
        )
    except InputError as exc:
        line = _line_of(root, (exc.field,)) if exc.field else None
        position = Position(line=line) if line else None
        where = f" {position}" if position else ""
        raise InputError(
            f"{source}{where}: {exc.reason}",
            source=source,
            position=position,
            field=exc.field,
            reason=exc.reason,
        ) from exc


def _input_error(exc: ValidationError, source: str, root: yaml.Node | None) -> InputError:
    lines = []
    first_field = ""
    first_position: Position | None = None
    for error in exc.errors():
        loc = tuple(
            part for part in error["loc"] if not (isinstance(part, str) and part.startswith("function-"))
        )
        field = ".".join(str(part) for part in loc) or "agreement"
        line = _line_of(root, loc)
        reason = _reason(error)
        lines.append(f"line {line}, {field}: {reason}" if line else f"{field}: {reason}")
        if not first_field:
            first_field = field
            first_position = Position(line=line) if line else None
    return InputError(
        f"{source}: {len(lines)} mistake(s): " + "; ".join(lines),
        source=source,
        position=first_position,
        field=first_field,
        reason="; ".join(lines),
    )


def _reason(error: ErrorDetails) -> str:
    """Return a pydantic error message in an officer's words, with the allowed values for enums."""
    kind = error["type"]
    msg = error["msg"]
    given = error.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a known key of an agreement (check the spelling)"
    if kind == "enum":
        expected = (error.get("ctx") or {}).get("expected", "")
        return f"{given!r} is not one of {expected}"
    if kind in {"string_type"} and isinstance(given, bool):
        return f"{msg}: YAML read an unquoted yes/no/on/off as {given}; put the value in quotes"
    if kind.startswith("value_error"):
        return msg.removeprefix("Value error, ")
    return f"{msg} (got {given!r})" if given is not None and not isinstance(given, dict | list) else msg


def read_agreement(path: Path) -> Agreement:
    """Return the agreement in the YAML file at `path`, or raise InputError (or OSError if unreadable)."""
    return load_agreement(path.read_bytes(), source=path.name)


def dump_agreement(agreement: Agreement) -> str:
    """Return the agreement as YAML text that `load_agreement` reads back to an equal agreement."""
    document: dict[str, object] = {
        "id": agreement.id,
        "agency": agreement.agency,
        "partner": agreement.partner,
        "partner_url": agreement.partner_url,
        "partner_public_key": agreement.partner_public_key_b64,
        "directions": sorted(d.value for d in agreement.directions),
        "alert_categories": sorted(c.value for c in agreement.alert_categories),
        "list_ids": sorted(agreement.list_ids),
        "fields": [f.value for f in ShareableField if f in agreement.fields],
        "purpose": agreement.purpose,
        "retention_days": agreement.retention_days,
        "valid_from": agreement.valid_from.isoformat(),
        "valid_until": agreement.valid_until.isoformat() if agreement.valid_until else None,
        "revoked_at": agreement.revoked_at.isoformat() if agreement.revoked_at else None,
    }
    return yaml.safe_dump(document, sort_keys=False, allow_unicode=True, width=100)
