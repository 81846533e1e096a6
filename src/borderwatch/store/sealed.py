"""Sealed personal data: what depersonalisation masks, kept encrypted so that a supervisor can
approve re-personalising one record (EU PNR Directive art. 12(3): disclosure of the full data only
with the approval of a competent authority).

AES-256-GCM with a key derived from the instance secret (HKDF-SHA256, its own `info` label, so the
token-signing use of the secret and this one never share a key). The associated data binds each
ciphertext to its agency and subject, so a sealed blob cannot be moved onto another record.
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from borderwatch.errors import ConfigError, NotFoundError
from borderwatch.store.tables import SealedDataRow

KEY_LABEL = b"borderwatch/sealed-personal-data/v1"


def sealing_key(secret: bytes) -> bytes:
    """Return the 256-bit sealing key derived from the instance secret."""
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=KEY_LABEL).derive(secret)


def _aad(agency_id: int, subject_type: str, subject_id: int) -> bytes:
    return f"{agency_id}:{subject_type}:{subject_id}".encode("ascii")


def seal(
    session: Session,
    key: bytes,
    *,
    agency_id: int,
    subject_type: str,
    subject_id: int,
    data: dict[str, Any],
    at: datetime,
) -> None:
    """Store `data` encrypted for one record (replacing an earlier seal of the same record)."""
    nonce = os.urandom(12)
    plain = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")
    blob = AESGCM(key).encrypt(nonce, plain, _aad(agency_id, subject_type, subject_id))
    session.execute(
        delete(SealedDataRow).where(
            SealedDataRow.agency_id == agency_id,
            SealedDataRow.subject_type == subject_type,
            SealedDataRow.subject_id == subject_id,
        )
    )
    session.add(
        SealedDataRow(
            agency_id=agency_id,
            subject_type=subject_type,
            subject_id=subject_id,
            nonce=nonce,
            ciphertext=blob,
            sealed_at=at,
        )
    )


def unseal(
    session: Session, key: bytes, *, agency_id: int, subject_type: str, subject_id: int
) -> dict[str, Any]:
    """Return the sealed data of one record, or raise NotFoundError / ConfigError (wrong key)."""
    row = session.execute(
        select(SealedDataRow).where(
            SealedDataRow.agency_id == agency_id,
            SealedDataRow.subject_type == subject_type,
            SealedDataRow.subject_id == subject_id,
        )
    ).scalar_one_or_none()
    if row is None:
        raise NotFoundError(f"no sealed personal data for {subject_type} {subject_id}")
    try:
        plain = AESGCM(key).decrypt(row.nonce, row.ciphertext, _aad(agency_id, subject_type, subject_id))
    except InvalidTag as exc:
        raise ConfigError(
            "sealed personal data cannot be opened: the instance secret has changed since it was "
            "sealed, or the row was altered"
        ) from exc
    data: dict[str, Any] = json.loads(plain)
    return data


def discard(session: Session, *, agency_id: int, subject_type: str, subject_id: int) -> None:
    """Delete the sealed data of one record (after re-personalisation, or when the record is deleted)."""
    session.execute(
        delete(SealedDataRow).where(
            SealedDataRow.agency_id == agency_id,
            SealedDataRow.subject_type == subject_type,
            SealedDataRow.subject_id == subject_id,
        )
    )
