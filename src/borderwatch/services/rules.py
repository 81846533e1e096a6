"""Risk rules service: load a rule set (a file or the packaged default) and flag travellers with it.

`flag_travellers` is pure orchestration over domain objects: the caller (the `rules test` command,
screening) fetches travellers, their bookings and their document checks from the store and hands
them in with `now`; nothing here touches the database.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from importlib import resources
from pathlib import Path

from borderwatch.domain.alerts import Severity
from borderwatch.domain.risk_rules import (
    FACT_FIELDS,
    DocumentChecks,
    FactField,
    RuleHit,
    RuleSet,
    build_facts,
    evaluate,
)
from borderwatch.domain.travellers import Booking, Flight, Traveller
from borderwatch.errors import ConfigError, InputError
from borderwatch.formats.risk_rules import MAX_RULE_FILE_BYTES, parse_rule_set

DEFAULT_RULES = "default.yaml"
_SEVERITY_RANK = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


def load_rule_set(path: Path | None = None) -> RuleSet:
    """Return the rule set in a YAML file, or the packaged default set when `path` is None.

    Raises InputError (with line, rule id and reason) when the file is unreadable or invalid.
    """
    if path is None:
        data = resources.files("borderwatch").joinpath("data", "rules", DEFAULT_RULES).read_bytes()
        return parse_rule_set(data, source=DEFAULT_RULES)
    source = str(path)
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_RULE_FILE_BYTES + 1)
    except FileNotFoundError as exc:
        raise InputError(f"{source}: no such rule file", source=source, reason="no such rule file") from exc
    except OSError as exc:
        reason = f"cannot read the rule file: {exc.strerror or exc}"
        raise InputError(f"{source}: {reason}", source=source, reason=reason) from exc
    return parse_rule_set(data, source=source)


# Rule sets loaded by `current_rule_set`: per path, the file's (modification time, size) when read.
_LOADED: dict[Path | None, tuple[tuple[int, int] | None, RuleSet]] = {}


def current_rule_set(path: Path | None = None) -> RuleSet:
    """Return the rule set in `path` (the packaged default set when None), read again only when the
    file has changed.

    For servers, which need the agency's rules on every request: the file is looked at (its
    modification time and size), and read and checked only when either differs from the last read,
    so an administrator's new rules apply from the next request. The rule set object stays the
    same between changes, and so do its compiled conditions. Raises InputError as `load_rule_set`.
    """
    stamp: tuple[int, int] | None = None
    if path is not None:
        try:
            status = path.stat()
        except OSError:
            return load_rule_set(path)  # raises the InputError that says why
        stamp = (status.st_mtime_ns, status.st_size)
    found = _LOADED.get(path)
    if found is not None and found[0] == stamp:
        return found[1]
    rule_set = load_rule_set(path)
    if len(_LOADED) >= 16:
        _LOADED.clear()
    _LOADED[path] = (stamp, rule_set)
    return rule_set


def server_rule_set(path: Path | None) -> RuleSet:
    """Return `current_rule_set(path)` for a server's request.

    A rule file that cannot be read or checked is the server's configuration error, not the
    caller's: it raises ConfigError (HTTP 500) with a message that names no server path, and the
    reason (file, line, rule) goes to the server log for the administrator.
    """
    try:
        return current_rule_set(path)
    except InputError as exc:
        logging.getLogger("borderwatch.rules").error("the rule file %s cannot be used: %s", path, exc)
        raise ConfigError(
            "the server's risk rule file cannot be used; an administrator must fix it"
            " (the server log says why)"
        ) from exc


def fact_fields() -> list[FactField]:
    """Return every fact a rule may test, in the order rule authors read them."""
    return list(FACT_FIELDS.values())


@dataclass(frozen=True, slots=True)
class TravellerContext:
    """A traveller with what is known around them: their booking, the flight, document checks."""

    traveller: Traveller
    flight: Flight | None = None
    booking: Booking | None = None
    checks: DocumentChecks | None = None


@dataclass(frozen=True, slots=True)
class TravellerFlags:
    """The rule hits for one traveller (empty when the rule set flags nothing)."""

    traveller: Traveller
    hits: tuple[RuleHit, ...]

    @property
    def severity(self) -> Severity | None:
        """Return the highest severity among the hits, or None without hits."""
        if not self.hits:
            return None
        return max((h.severity for h in self.hits), key=_SEVERITY_RANK.__getitem__)


def flag_travellers(
    rule_set: RuleSet,
    travellers_with_context: Iterable[TravellerContext],
    now: datetime,
    *,
    include_unflagged: bool = False,
) -> list[TravellerFlags]:
    """Return the travellers the rule set flags, each with its hits, in the order given.

    `now` is the moment facts are computed for (document expiry, age): pass the current time to
    screen an arriving flight, or the flight's departure time to see a stored flight as it was.
    With `include_unflagged`, travellers without hits are listed too (with no hits).
    """
    out: list[TravellerFlags] = []
    for item in travellers_with_context:
        facts = build_facts(
            item.traveller, now=now, booking=item.booking, flight=item.flight, checks=item.checks
        )
        hits = tuple(evaluate(rule_set, facts))
        if hits or include_unflagged:
            out.append(TravellerFlags(item.traveller, hits))
    return out
