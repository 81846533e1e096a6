"""Per-record problems and parse results: what a parser could read, and what it could not.

A parser never drops a record silently: each thing it could not read becomes a `Problem` with
the source name, its position, the field, the reason and the raw fragment. Services put the
problems in the quarantine table together with the original bytes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Generic, TypeVar

from borderwatch.errors import Position

T = TypeVar("T")


class Severity(Enum):
    """How bad a problem is for the record it concerns."""

    WARNING = "warning"  # the record was read; something is odd (count mismatch, empty optional field)
    ERROR = "error"  # the record could not be read and was not accepted (quarantined)


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing a parser could not read or found wrong, with where and why."""

    source: str
    position: Position
    field: str
    reason: str
    raw: str = ""
    severity: Severity = Severity.ERROR
    subject: str = ""  # who or what is concerned, e.g. "passenger ALAOUI/YOUSSEF"

    def __str__(self) -> str:
        where = f"{self.source} {self.position}" if self.source else str(self.position)
        what = f" ({self.field})" if self.field else ""
        who = f"; {self.subject} quarantined" if self.subject and self.severity is Severity.ERROR else ""
        return f"{where}{what}: {self.reason}{who}"

    def as_dict(self) -> dict[str, object]:
        """Return the problem as a JSON-ready mapping."""
        return {
            "source": self.source,
            "position": str(self.position),
            "line": self.position.line,
            "column": self.position.column,
            "segment": self.position.segment,
            "record": self.position.record,
            "field": self.field,
            "reason": self.reason,
            "raw": self.raw,
            "severity": self.severity.value,
            "subject": self.subject,
            "message": str(self),
        }


@dataclass(frozen=True, slots=True)
class ParseResult(Generic[T]):
    """The records a parser could read and a problem for each thing it could not."""

    records: Sequence[T]
    problems: Sequence[Problem] = field(default_factory=tuple)

    @property
    def errors(self) -> tuple[Problem, ...]:
        """Problems that cost a record."""
        return tuple(p for p in self.problems if p.severity is Severity.ERROR)

    @property
    def is_clean(self) -> bool:
        """True when there is no problem at all."""
        return not self.problems
