"""Signed envelopes between partner instances: Ed25519 keys, sealing, and opening with every check.

Wire format (one JSON object, canonical: sorted keys, no whitespace, UTF-8, no NaN)::

    {"header":{"agreement_id":..,"message_id":..,"recipient":..,"sender":..,"sent_at":..,"version":1},
     "payload":{..},"signature":"<base64 of 64 bytes>"}

The signature is Ed25519 (RFC 8032) over the canonical bytes of ``{"header":..,"payload":..}``.
A receiver accepts only the canonical encoding, so any change to the bytes - even one that a
lenient JSON reader would ignore - is refused as malformed or as a bad signature.

Checks on receipt, in this order (each refusal is an `EnvelopeRejectedError` naming which):
size, JSON and schema (pydantic), agreement known, sender is its partner, signature, recipient
is us, agreement in force and allowing receipt, freshness within the replay window, and finally
the message id not seen before (`DuplicateEnvelopeError`: a partner's retry, safe to ignore).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import os
import re
import secrets
import uuid
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from pydantic import BaseModel, ConfigDict, Field, JsonValue, ValidationError, field_validator

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import (
    Agreement,
    AgreementId,
    Direction,
    decode_public_key,
    key_fingerprint,
    permits_direction,
)
from borderwatch.errors import (
    DuplicateEnvelopeError,
    EnvelopeRejectedError,
    EnvelopeRejection,
    InputError,
)

ENVELOPE_VERSION = 1
# One alert with its evidence is a few kilobytes; 1 MiB leaves room for batches and stops floods.
MAX_ENVELOPE_BYTES = 1_048_576
DEFAULT_REPLAY_WINDOW = timedelta(minutes=5)
SIGNATURE_BYTES = 64  # RFC 8032 section 5.1.6

_CODE = r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$"  # agency codes, agreement and message ids
_TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?(Z|[+-]\d{2}:\d{2})$"
_CODE_RE = re.compile(_CODE)

AgreementLookup = Callable[[AgreementId], Agreement | None]  # e.g. a dict's .get, a repository method


# --------------------------------------------------------------------------------------- keys


def generate_key_pair() -> tuple[bytes, str]:
    """Return a new Ed25519 key pair: the private key as unencrypted PKCS#8 PEM, the public key as base64."""
    private_key = Ed25519PrivateKey.generate()
    pem = private_key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem, public_key_b64(private_key)


def public_key_b64(private_key: Ed25519PrivateKey) -> str:
    """Return the base64 text of the raw 32-byte public key belonging to `private_key`."""
    raw = private_key.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return base64.b64encode(raw).decode("ascii")


def fingerprint(public_key: bytes | str) -> str:
    """Return the SHA-256 fingerprint of a public key given raw or as base64 (16 groups of 4 hex digits)."""
    return key_fingerprint(decode_public_key(public_key))


def load_private_key_pem(pem: bytes) -> Ed25519PrivateKey:
    """Return the Ed25519 private key in unencrypted PEM, or raise InputError saying why it is unusable."""
    try:
        key = serialization.load_pem_private_key(pem, password=None)
    except (ValueError, TypeError) as exc:
        raise InputError(f"private key is not an unencrypted PEM key: {exc}", field="private_key") from exc
    if not isinstance(key, Ed25519PrivateKey):
        raise InputError(
            f"private key is {type(key).__name__}, not Ed25519", field="private_key", reason="not Ed25519"
        )
    return key


def load_public_key(value: bytes | str) -> Ed25519PublicKey:
    """Return the Ed25519 public key given as 32 raw bytes or base64 text, or raise InputError."""
    raw = decode_public_key(value)
    try:
        return Ed25519PublicKey.from_public_bytes(raw)
    except ValueError as exc:
        raise InputError(f"not an Ed25519 public key: {exc}", field="public_key") from exc


def write_private_key(path: Path, pem: bytes, *, overwrite: bool = False) -> None:
    """Write a private key file readable by its owner only (mode 0600), atomically; return nothing.

    The key goes to a temporary file in the same folder, created with mode 0600 from its first
    instant (O_CREAT|O_EXCL, then fchmod against a permissive umask), flushed to disk, then put in
    place: with `os.link` when not overwriting (fails if the file exists, so two concurrent `keys
    init` cannot both win), with `os.replace` otherwise. Readers never see a partial file.
    Raises FileExistsError when the file exists and `overwrite` is false.
    """
    folder = path.parent
    tmp = folder / f".{path.name}.{secrets.token_hex(8)}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
    try:
        try:
            os.fchmod(fd, 0o600)
            os.write(fd, pem)
            os.fsync(fd)
        finally:
            os.close(fd)
        if overwrite:
            os.replace(tmp, path)
        else:
            os.link(tmp, path)
            tmp.unlink()
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(folder)


def _fsync_folder(folder: Path) -> None:
    # POSIX: the new directory entry survives a crash only once the folder itself is synced.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory; the file itself is already synced
    finally:
        os.close(fd)


# ------------------------------------------------------------------------------ canonical JSON


def canonical_json(value: object) -> bytes:
    """Return the canonical bytes of a JSON value: sorted keys, no whitespace, UTF-8, no NaN.

    Raises ValueError (or TypeError) when the value is not plain JSON.
    """
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


def _reject_duplicate_keys(pairs: list[tuple[str, object]]) -> dict[str, object]:
    result: dict[str, object] = {}
    for key, value in pairs:
        if key in result:
            raise ValueError(f"duplicate key {key!r}")
        result[key] = value
    return result


def _reject_constant(name: str) -> object:
    raise ValueError(f"{name} is not JSON")


# --------------------------------------------------------------------------- the envelope itself


class _HeaderModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    version: Literal[1]
    sender: Annotated[str, Field(pattern=_CODE)]
    recipient: Annotated[str, Field(pattern=_CODE)]
    agreement_id: Annotated[str, Field(pattern=_CODE)]
    message_id: Annotated[str, Field(pattern=_CODE)]
    sent_at: Annotated[str, Field(pattern=_TIMESTAMP)]

    @field_validator("sent_at")
    @classmethod
    def _real_time(cls, value: str) -> str:
        datetime.fromisoformat(value)  # raises ValueError for 2025-13-45T25:00:00Z
        return value


class _EnvelopeModel(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    header: _HeaderModel
    payload: dict[str, JsonValue]
    signature: Annotated[str, Field(pattern=r"^[A-Za-z0-9+/]{86}==$")]


@dataclass(frozen=True, slots=True)
class Envelope:
    """A verified envelope from a partner: who sent it under which agreement, when, and the payload."""

    sender: AgencyCode
    recipient: AgencyCode
    agreement_id: AgreementId
    message_id: str
    sent_at: datetime
    payload: Mapping[str, object]
    signature: bytes
    raw: bytes  # the bytes as received, for the audit log and the quarantine

    @property
    def digest(self) -> str:
        """Return the SHA-256 of the raw envelope in hex: an audit reference free of personal data."""
        return hashlib.sha256(self.raw).hexdigest()

    def remember_until(self, replay_window: timedelta) -> datetime:
        """Return how long the receiver must keep this message id to refuse replays (sent_at + window)."""
        return self.sent_at + replay_window


def new_message_id() -> str:
    """Return a fresh random message id (UUID 4)."""
    return str(uuid.uuid4())


def _format_time(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def seal(
    payload: Mapping[str, object],
    *,
    sender: str,
    recipient: str,
    agreement_id: str,
    message_id: str,
    sent_at: datetime,
    private_key: Ed25519PrivateKey,
    max_bytes: int = MAX_ENVELOPE_BYTES,
) -> bytes:
    """Return the signed envelope bytes (canonical JSON) carrying `payload` from `sender` to `recipient`.

    The payload must be plain JSON (str, int, float, bool, None, lists, string-keyed objects);
    the caller minimises it first (`domain.agreements.minimise`). Raises InputError for a bad
    header value, a payload that is not JSON, or an envelope over `max_bytes`.
    """
    for name, value in (
        ("sender", sender),
        ("recipient", recipient),
        ("agreement_id", agreement_id),
        ("message_id", message_id),
    ):
        if not _CODE_RE.fullmatch(value):
            raise InputError(
                f"envelope {name} {value!r} must be 1-128 letters, digits or . _ : - "
                "(starting with a letter or digit)",
                field=name,
            )
    if sent_at.utcoffset() is None:
        raise InputError("envelope sent_at must be timezone-aware", field="sent_at")
    header: dict[str, object] = {
        "version": ENVELOPE_VERSION,
        "sender": sender,
        "recipient": recipient,
        "agreement_id": agreement_id,
        "message_id": message_id,
        "sent_at": _format_time(sent_at),
    }
    try:
        signed = canonical_json({"header": header, "payload": dict(payload)})
    except (TypeError, ValueError, RecursionError) as exc:
        raise InputError(f"envelope payload is not plain JSON: {exc}", field="payload") from exc
    signature = base64.b64encode(private_key.sign(signed)).decode("ascii")
    data = canonical_json({"header": header, "payload": dict(payload), "signature": signature})
    if len(data) > max_bytes:
        raise InputError(
            f"envelope is {len(data):,} bytes; the limit is {max_bytes:,} (send fewer records per message)",
            field="payload",
        )
    return data


def _reject(
    rejection: EnvelopeRejection, message: str, header: _HeaderModel | None = None
) -> EnvelopeRejectedError:
    cls = DuplicateEnvelopeError if rejection is EnvelopeRejection.DUPLICATE else EnvelopeRejectedError
    return cls(
        f"envelope refused ({rejection.value}): {message}",
        rejection=rejection,
        sender=header.sender if header else "",
        agreement_id=header.agreement_id if header else "",
        message_id=header.message_id if header else "",
    )


def _parse(data: bytes, max_bytes: int) -> tuple[_EnvelopeModel, dict[str, object]]:
    if len(data) > max_bytes:
        raise _reject(EnvelopeRejection.TOO_LARGE, f"{len(data):,} bytes; the limit is {max_bytes:,}")
    try:
        text = data.decode("utf-8")
        parsed = json.loads(text, object_pairs_hook=_reject_duplicate_keys, parse_constant=_reject_constant)
        canonical = canonical_json(parsed)
    except (UnicodeError, ValueError, RecursionError) as exc:
        raise _reject(EnvelopeRejection.MALFORMED, f"not valid JSON: {exc}") from exc
    if canonical != data:
        raise _reject(
            EnvelopeRejection.MALFORMED, "not in canonical form (sorted keys, no whitespace, UTF-8)"
        )
    if not isinstance(parsed, dict):
        raise _reject(EnvelopeRejection.MALFORMED, "not a JSON object")
    try:
        return _EnvelopeModel.model_validate(parsed), parsed
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"]) or "envelope"
        raise _reject(EnvelopeRejection.MALFORMED, f"{where}: {first['msg']}") from exc


def open_envelope(
    data: bytes,
    *,
    agreements: AgreementLookup,
    now: datetime,
    seen_message_ids: Container[str],
    replay_window: timedelta = DEFAULT_REPLAY_WINDOW,
    max_bytes: int = MAX_ENVELOPE_BYTES,
) -> Envelope:
    """Return the verified envelope in `data`, or raise EnvelopeRejectedError saying which check failed.

    `agreements` returns this agency's copy of an agreement by id (or None); its partner is the
    only accepted sender and its `partner_public_key` the only accepted key. `seen_message_ids`
    holds the ids already accepted; keep each one at least until `Envelope.remember_until`.
    A `DuplicateEnvelopeError` is raised only for a genuine (correctly signed) envelope.
    """
    if now.utcoffset() is None:
        raise ValueError("`now` must be timezone-aware")
    model, parsed = _parse(data, max_bytes)
    header = model.header

    agreement = agreements(AgreementId(header.agreement_id))
    if agreement is None:
        raise _reject(EnvelopeRejection.UNKNOWN_AGREEMENT, f"no agreement {header.agreement_id!r}", header)
    if header.sender != agreement.partner:
        raise _reject(
            EnvelopeRejection.UNKNOWN_SENDER,
            f"sender {header.sender!r} is not the partner of agreement {agreement.id} ({agreement.partner})",
            header,
        )

    try:
        signature = base64.b64decode(model.signature, validate=True)
    except binascii.Error as exc:
        raise _reject(EnvelopeRejection.MALFORMED, "signature is not base64", header) from exc
    if len(signature) != SIGNATURE_BYTES or base64.b64encode(signature).decode("ascii") != model.signature:
        # Base64 has spare bits in its last character; only the one canonical spelling is accepted.
        raise _reject(EnvelopeRejection.MALFORMED, "signature is not canonical base64 of 64 bytes", header)
    # The exact values received (already proven canonical), not a re-serialised model.
    signed = canonical_json({"header": parsed["header"], "payload": parsed["payload"]})
    try:
        load_public_key(agreement.partner_public_key).verify(signature, signed)
    except (InvalidSignature, InputError) as exc:
        raise _reject(
            EnvelopeRejection.BAD_SIGNATURE,
            f"signature does not match the key of {agreement.partner} "
            f"(fingerprint {key_fingerprint(agreement.partner_public_key)})",
            header,
        ) from exc

    if header.recipient != agreement.agency:
        raise _reject(
            EnvelopeRejection.WRONG_RECIPIENT,
            f"addressed to {header.recipient!r}, but agreement {agreement.id} is held by {agreement.agency}",
            header,
        )
    permission = permits_direction(agreement, Direction.RECEIVE, now)
    if not permission:
        raise _reject(EnvelopeRejection.AGREEMENT_REFUSED, permission.reason, header)

    sent_at = datetime.fromisoformat(header.sent_at)
    if sent_at < now - replay_window:
        raise _reject(
            EnvelopeRejection.STALE,
            f"sent at {header.sent_at}, more than {replay_window} before {_format_time(now)}",
            header,
        )
    if sent_at > now + replay_window:
        raise _reject(
            EnvelopeRejection.FUTURE_DATED,
            f"sent at {header.sent_at}, more than {replay_window} after {_format_time(now)} "
            "(check the clocks)",
            header,
        )
    if header.message_id in seen_message_ids:
        raise _reject(
            EnvelopeRejection.DUPLICATE, f"message {header.message_id} was already received", header
        )

    return Envelope(
        sender=AgencyCode(header.sender),
        recipient=AgencyCode(header.recipient),
        agreement_id=AgreementId(header.agreement_id),
        message_id=header.message_id,
        sent_at=sent_at,
        payload=model.payload,
        signature=signature,
        raw=data,
    )
