"""The one error hierarchy of borderwatch.

No HTTP status lives here: `http/errors.py` maps classes to status codes and `cli/main.py` maps
them to exit codes. Every error carries structured fields so a person (or a script reading JSON)
can tell what went wrong, where, and why.

Per-record trouble in an input file is *not* an exception: parsers return `Problem` values
(`formats/problems.py`) next to the records they could read. An exception means the whole
operation could not go on.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum


class BorderwatchError(Exception):
    """Root of every error borderwatch raises on purpose."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message

    def as_dict(self) -> dict[str, object]:
        """Return the error as a JSON-ready mapping (same keys for every class)."""
        return {"error": type(self).__name__, "message": self.message}


@dataclass(frozen=True, slots=True)
class Position:
    """Where in an input something was found: any of line, column, segment index, byte offset, record."""

    line: int | None = None
    column: int | None = None
    segment: int | None = None
    offset: int | None = None
    record: int | None = None

    def __str__(self) -> str:
        parts = []
        if self.record is not None:
            parts.append(f"record {self.record}")
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.segment is not None:
            parts.append(f"segment {self.segment}")
        if self.offset is not None and not parts:
            parts.append(f"byte {self.offset}")
        return ", ".join(parts) or "unknown position"


class InputError(BorderwatchError):
    """Input from outside (a file, a message, a request) cannot be used as a whole."""

    def __init__(
        self,
        message: str,
        *,
        source: str = "",
        position: Position | None = None,
        field: str = "",
        reason: str = "",
    ) -> None:
        super().__init__(message)
        self.source = source
        self.position = position
        self.field = field
        self.reason = reason or message

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        data.update(
            {
                "source": self.source,
                "position": str(self.position) if self.position else None,
                "field": self.field or None,
                "reason": self.reason,
            }
        )
        return data


class FormatError(InputError):
    """The bytes are not a readable message of the expected format (EDIFACT, XML, CSV, MRZ)."""


class DocumentRuleError(InputError):
    """A travel document breaks an ICAO 9303 rule in a way that stops processing."""


class NotFoundError(BorderwatchError):
    """The thing asked for does not exist (or is not visible to the caller's agency)."""


class AccessDeniedError(BorderwatchError):
    """The caller's role, agency or agreement does not allow this."""


class AuthenticationError(AccessDeniedError):
    """The caller could not be identified (bad password, missing or expired token)."""


class LoginRateLimitError(AuthenticationError):
    """Too many failed logins for this user or from this address: refused until the window passes."""

    def __init__(self, message: str, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        data["retry_after"] = self.retry_after
        return data


class ConflictError(BorderwatchError):
    """The action clashes with the current state (alert already decided, duplicate name...)."""


class ConfigError(BorderwatchError):
    """A setting is missing or wrong; the message says which and how to fix it."""


class StorageError(BorderwatchError):
    """The database could not be reached or refused the operation."""


class PartnerError(BorderwatchError):
    """A partner agency's instance could not be reached or sent something we must reject."""


class EnvelopeRejection(Enum):
    """Why a partner's signed envelope was refused; the receiver audits all but DUPLICATE."""

    TOO_LARGE = "too large"
    MALFORMED = "malformed"
    UNKNOWN_AGREEMENT = "unknown agreement"
    UNKNOWN_SENDER = "unknown sender"
    BAD_SIGNATURE = "bad signature"
    WRONG_RECIPIENT = "wrong recipient"
    AGREEMENT_REFUSED = "agreement refused"  # revoked, expired, not yet valid, or direction not agreed
    STALE = "stale"
    FUTURE_DATED = "future-dated"
    DUPLICATE = "duplicate"


class EnvelopeRejectedError(PartnerError):
    """A partner's signed envelope failed a check; `rejection` says which, the message says why."""

    def __init__(
        self,
        message: str,
        *,
        rejection: EnvelopeRejection,
        sender: str = "",
        agreement_id: str = "",
        message_id: str = "",
    ) -> None:
        super().__init__(message)
        self.rejection = rejection
        self.sender = sender
        self.agreement_id = agreement_id
        self.message_id = message_id

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        data.update(
            {
                "rejection": self.rejection.value,
                "sender": self.sender or None,
                "agreement_id": self.agreement_id or None,
                "message_id": self.message_id or None,
            }
        )
        return data


class DuplicateEnvelopeError(EnvelopeRejectedError):
    """A genuine envelope whose message id was already received: a retry, safe to ignore quietly."""
