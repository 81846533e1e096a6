"""Signed envelopes between DGSN (Casablanca) and UK Border Force: sealing, opening, every refusal."""

from __future__ import annotations

import base64
import dataclasses
import json
import os
import stat
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import (
    Agreement,
    AgreementId,
    Direction,
    ShareableField,
    decode_public_key,
    minimise,
    revoke,
)
from borderwatch.domain.alerts import AlertKind
from borderwatch.domain.watchlists import ListId
from borderwatch.errors import DuplicateEnvelopeError, EnvelopeRejectedError, EnvelopeRejection, InputError
from borderwatch.sharing.envelope import (
    MAX_ENVELOPE_BYTES,
    Envelope,
    canonical_json,
    fingerprint,
    generate_key_pair,
    load_private_key_pem,
    load_public_key,
    new_message_id,
    open_envelope,
    public_key_b64,
    seal,
    write_private_key,
)

NOW = datetime(2025, 6, 1, 9, 30, tzinfo=UTC)
WINDOW = timedelta(minutes=5)
UKBF_PEM, UKBF_PUBLIC = generate_key_pair()
DGSN_PEM, DGSN_PUBLIC = generate_key_pair()
UKBF_KEY = load_private_key_pem(UKBF_PEM)
DGSN_KEY = load_private_key_pem(DGSN_PEM)

# DGSN's copy of the agreement: the partner is UKBF, trusted through UKBF's public key.
AT_DGSN = Agreement(
    id=AgreementId("DGSN-UKBF-2025-001"),
    agency=AgencyCode("DGSN"),
    partner=AgencyCode("UKBF"),
    partner_url="https://borderwatch.ukbf.example",
    partner_public_key=decode_public_key(UKBF_PUBLIC),
    directions=frozenset({Direction.SEND, Direction.RECEIVE}),
    alert_categories=frozenset({AlertKind.WATCH_LIST}),
    list_ids=frozenset({ListId("UN")}),
    fields=frozenset({ShareableField.FAMILY_NAME, ShareableField.GIVEN_NAMES, ShareableField.FLIGHT}),
    purpose="Prevention of terrorist offences at the border",
    retention_days=30,
    valid_from=datetime(2025, 1, 1, tzinfo=UTC),
)

# A minimised alert as UKBF sends it: Arabic script and accents must survive byte for byte.
PAYLOAD: dict[str, object] = {
    "alert": {
        "kind": "watch list",
        "family_name": "BENJELLOUN",
        "given_names": "YOUSSEF",
        "names_original": "يوسف بن جلون",
        "flight": "BA0606",
        "score": 0.93,
        "entity_id": "UN:QDi.001",
        "evidence": [{"feature": "name", "rule": "transliteration variant", "note": "Youssef ~ Yūsuf"}],
    }
}


def sealed(
    payload: Mapping[str, object] | None = None,
    *,
    message_id: str = "3c0e8f4e-5a0b-4f4e-9d1c-0a9b8c7d6e5f",
    sent_at: datetime = NOW,
    sender: str = "UKBF",
    recipient: str = "DGSN",
    agreement_id: str = "DGSN-UKBF-2025-001",
    key: object = None,
) -> bytes:
    return seal(
        PAYLOAD if payload is None else payload,
        sender=sender,
        recipient=recipient,
        agreement_id=agreement_id,
        message_id=message_id,
        sent_at=sent_at,
        private_key=UKBF_KEY if key is None else key,  # type: ignore[arg-type]
    )


def open_at_dgsn(
    data: bytes,
    *,
    now: datetime = NOW,
    seen: frozenset[str] = frozenset(),
    agreement: Agreement = AT_DGSN,
) -> Envelope:
    return open_envelope(
        data,
        agreements={agreement.id: agreement}.get,
        now=now,
        seen_message_ids=seen,
        replay_window=WINDOW,
    )


def rejection_of(data: bytes, **kwargs: object) -> EnvelopeRejection:
    with pytest.raises(EnvelopeRejectedError) as info:
        open_at_dgsn(data, **kwargs)  # type: ignore[arg-type]
    return info.value.rejection


def test_round_trip() -> None:
    data = sealed()
    envelope = open_envelope(data, agreements={AT_DGSN.id: AT_DGSN}.get, now=NOW, seen_message_ids=set())
    assert envelope.payload == PAYLOAD
    assert (envelope.sender, envelope.recipient, envelope.agreement_id) == (
        "UKBF",
        "DGSN",
        "DGSN-UKBF-2025-001",
    )
    assert envelope.message_id == "3c0e8f4e-5a0b-4f4e-9d1c-0a9b8c7d6e5f"
    assert envelope.sent_at == NOW
    assert envelope.raw == data
    assert len(envelope.signature) == 64
    assert envelope.remember_until(WINDOW) == NOW + WINDOW
    assert len(envelope.digest) == 64


def test_wire_format_is_canonical_json() -> None:
    data = sealed()
    document = json.loads(data)
    assert set(document) == {"header", "payload", "signature"}
    assert document["header"] == {
        "agreement_id": "DGSN-UKBF-2025-001",
        "message_id": "3c0e8f4e-5a0b-4f4e-9d1c-0a9b8c7d6e5f",
        "recipient": "DGSN",
        "sender": "UKBF",
        "sent_at": "2025-06-01T09:30:00.000000Z",
        "version": 1,
    }
    assert data == canonical_json(document)
    assert "يوسف".encode() in data  # UTF-8, not \\u escapes
    # The signature is over the canonical header + payload, checkable with the public key alone.
    signed = canonical_json({"header": document["header"], "payload": document["payload"]})
    load_public_key(UKBF_PUBLIC).verify(base64.b64decode(document["signature"]), signed)


def test_every_flipped_byte_is_rejected() -> None:
    data = sealed()
    # Changing the sender or the agreement id cannot find a key to check the signature with; every
    # other change is caught by the parser or by the signature. Never accepted, never a "duplicate".
    allowed = {
        EnvelopeRejection.MALFORMED,
        EnvelopeRejection.BAD_SIGNATURE,
        EnvelopeRejection.UNKNOWN_SENDER,
        EnvelopeRejection.UNKNOWN_AGREEMENT,
    }
    seen: set[EnvelopeRejection] = set()
    for position in range(len(data)):
        for mask in (0x01, 0x20, 0x80):
            tampered = bytearray(data)
            tampered[position] ^= mask
            rejection = rejection_of(bytes(tampered))
            assert rejection in allowed, (position, mask, rejection)
            seen.add(rejection)
    assert {EnvelopeRejection.MALFORMED, EnvelopeRejection.BAD_SIGNATURE} <= seen


def test_unused_base64_bits_in_signature_are_rejected() -> None:
    data = sealed()
    document = json.loads(data)
    signature: str = document["signature"]
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    last = alphabet.index(signature[85])
    # 64 bytes fill 85 characters and 2 bits of the 86th: its 4 low bits are spare padding bits.
    document["signature"] = signature[:85] + alphabet[last ^ 0x01] + "=="
    assert base64.b64decode(document["signature"]) == base64.b64decode(signature)
    assert rejection_of(canonical_json(document)) is EnvelopeRejection.MALFORMED


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not json",
        b"[]",
        b'"envelope"',
        b"\xff\xfe{}",
        b'{"header":{}}',
        b"{" * 100_000,
        b'{"a":1,"a":2}',
        b'{"payload":NaN}',
    ],
)
def test_garbage_is_malformed(data: bytes) -> None:
    assert rejection_of(data) is EnvelopeRejection.MALFORMED


def test_whitespace_or_key_order_is_not_canonical() -> None:
    document = json.loads(sealed())
    pretty = json.dumps(document, indent=1, ensure_ascii=False).encode()
    assert rejection_of(pretty) is EnvelopeRejection.MALFORMED
    escaped = json.dumps(document, sort_keys=True, separators=(",", ":")).encode()  # \\u escapes
    assert rejection_of(escaped) is EnvelopeRejection.MALFORMED


def test_extra_header_field_is_malformed_even_if_signed() -> None:
    # A well-signed envelope of an unknown shape is still refused by the schema.
    header = {
        "version": 1,
        "sender": "UKBF",
        "recipient": "DGSN",
        "agreement_id": "DGSN-UKBF-2025-001",
        "message_id": "m-1",
        "sent_at": "2025-06-01T09:30:00Z",
        "priority": "urgent",
    }
    body = {"header": header, "payload": {}}
    signature = base64.b64encode(UKBF_KEY.sign(canonical_json(body))).decode()
    assert rejection_of(canonical_json({**body, "signature": signature})) is EnvelopeRejection.MALFORMED


def test_impossible_date_is_malformed() -> None:
    document = json.loads(sealed())
    document["header"]["sent_at"] = "2025-13-45T25:00:00Z"
    assert rejection_of(canonical_json(document)) is EnvelopeRejection.MALFORMED


def test_oversized_input_is_refused_before_parsing() -> None:
    assert rejection_of(b" " * (MAX_ENVELOPE_BYTES + 1)) is EnvelopeRejection.TOO_LARGE


def test_wrong_key_is_bad_signature() -> None:
    forged = sealed(key=DGSN_KEY)  # signed by someone else claiming to be UKBF
    with pytest.raises(EnvelopeRejectedError) as info:
        open_at_dgsn(forged)
    assert info.value.rejection is EnvelopeRejection.BAD_SIGNATURE
    assert info.value.sender == "UKBF"
    assert fingerprint(UKBF_PUBLIC) in info.value.message


def test_unknown_agreement_and_sender() -> None:
    assert rejection_of(sealed(agreement_id="DGSN-FR-2025-001")) is EnvelopeRejection.UNKNOWN_AGREEMENT
    assert rejection_of(sealed(sender="DGSI")) is EnvelopeRejection.UNKNOWN_SENDER


def test_wrong_recipient() -> None:
    assert rejection_of(sealed(recipient="DGSN-TRAINING")) is EnvelopeRejection.WRONG_RECIPIENT


def test_revoked_agreement_stops_receipt_at_once() -> None:
    revoked = revoke(AT_DGSN, NOW - timedelta(seconds=1))
    with pytest.raises(EnvelopeRejectedError) as info:
        open_at_dgsn(sealed(), agreement=revoked)
    assert info.value.rejection is EnvelopeRejection.AGREEMENT_REFUSED
    assert "revoked" in info.value.message


def test_send_only_agreement_refuses_receipt() -> None:
    send_only = dataclasses.replace(AT_DGSN, directions=frozenset({Direction.SEND}))
    assert rejection_of(sealed(), agreement=send_only) is EnvelopeRejection.AGREEMENT_REFUSED


@pytest.mark.parametrize(
    ("sent_at", "rejection"),
    [
        (NOW - WINDOW - timedelta(microseconds=1), EnvelopeRejection.STALE),
        (NOW + WINDOW + timedelta(microseconds=1), EnvelopeRejection.FUTURE_DATED),
    ],
)
def test_stale_and_future_dated(sent_at: datetime, rejection: EnvelopeRejection) -> None:
    assert rejection_of(sealed(sent_at=sent_at)) is rejection


@pytest.mark.parametrize("offset", [-WINDOW, WINDOW, timedelta(0)])
def test_edges_of_the_window_are_accepted(offset: timedelta) -> None:
    assert open_at_dgsn(sealed(sent_at=NOW + offset))


def test_replay_is_a_duplicate() -> None:
    data = sealed()
    envelope = open_envelope(data, agreements={AT_DGSN.id: AT_DGSN}.get, now=NOW, seen_message_ids=set())
    seen = {envelope.message_id}
    with pytest.raises(DuplicateEnvelopeError) as info:
        open_envelope(data, agreements={AT_DGSN.id: AT_DGSN}.get, now=NOW, seen_message_ids=seen)
    assert info.value.rejection is EnvelopeRejection.DUPLICATE
    assert info.value.message_id == envelope.message_id
    # A partner's retry re-sealed later with the same message id is a duplicate too.
    later = sealed(sent_at=NOW + timedelta(minutes=1))
    with pytest.raises(DuplicateEnvelopeError):
        open_envelope(
            later,
            agreements={AT_DGSN.id: AT_DGSN}.get,
            now=NOW + timedelta(minutes=1),
            seen_message_ids=seen,
        )


def test_duplicate_is_reported_only_for_genuine_envelopes() -> None:
    # A forged copy of a seen message id must be audited as tampering, not ignored as a retry.
    forged = sealed(key=DGSN_KEY)
    assert rejection_of(forged, seen=frozenset({"3c0e8f4e-5a0b-4f4e-9d1c-0a9b8c7d6e5f"})) is (
        EnvelopeRejection.BAD_SIGNATURE
    )


def test_error_as_dict_for_the_audit_log() -> None:
    with pytest.raises(EnvelopeRejectedError) as info:
        open_at_dgsn(sealed(recipient="UKBF"))
    assert info.value.as_dict() == {
        "error": "EnvelopeRejectedError",
        "message": info.value.message,
        "rejection": "wrong recipient",
        "sender": "UKBF",
        "agreement_id": "DGSN-UKBF-2025-001",
        "message_id": "3c0e8f4e-5a0b-4f4e-9d1c-0a9b8c7d6e5f",
    }


def test_minimised_record_travels_intact() -> None:
    record = {"family_name": "ALAOUI", "given_names": "Zoé", "officer_notes": "secret", "flight": "AT800"}
    payload = {"alert": minimise(AT_DGSN, record, NOW)}
    envelope = open_at_dgsn(sealed(payload))
    assert envelope.payload == {"alert": {"family_name": "ALAOUI", "given_names": "Zoé", "flight": "AT800"}}


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"sender": ""}, "sender"),
        ({"message_id": "has space"}, "message_id"),
        ({"message_id": "abc\n"}, "message_id"),
        ({"sent_at": datetime(2025, 6, 1)}, "sent_at"),
        ({"payload": {"when": datetime(2025, 6, 1, tzinfo=UTC)}}, "payload"),
        ({"payload": {"score": float("nan")}}, "payload"),
        ({"payload": {"blob": "x" * MAX_ENVELOPE_BYTES}}, "payload"),
    ],
)
def test_seal_refuses_bad_input(changes: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        sealed(**changes)  # type: ignore[arg-type]
    assert info.value.field == field


def test_new_message_ids_are_unique_and_valid() -> None:
    ids = {new_message_id() for _ in range(1000)}
    assert len(ids) == 1000
    assert open_at_dgsn(sealed(message_id=ids.pop()))


def test_key_pair_round_trip() -> None:
    pem, public = generate_key_pair()
    assert pem.startswith(b"-----BEGIN PRIVATE KEY-----")
    assert public_key_b64(load_private_key_pem(pem)) == public
    assert len(base64.b64decode(public)) == 32


def test_loading_a_non_ed25519_or_broken_key_fails_clearly() -> None:
    with pytest.raises(InputError, match="unencrypted PEM"):
        load_private_key_pem(b"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    other = ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    with pytest.raises(InputError, match="not Ed25519"):
        load_private_key_pem(other)


def test_write_private_key_mode_0600_even_with_permissive_umask(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    previous = os.umask(0)  # the worst case: files would be created world-writable
    try:
        write_private_key(path, UKBF_PEM)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_bytes() == UKBF_PEM
    assert [p.name for p in tmp_path.iterdir()] == ["signing-key.pem"]  # no temporary file left


def test_write_private_key_refuses_overwrite_unless_asked(tmp_path: Path) -> None:
    path = tmp_path / "signing-key.pem"
    write_private_key(path, UKBF_PEM)
    with pytest.raises(FileExistsError):
        write_private_key(path, DGSN_PEM)
    assert path.read_bytes() == UKBF_PEM
    write_private_key(path, DGSN_PEM, overwrite=True)
    assert path.read_bytes() == DGSN_PEM
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert [p.name for p in tmp_path.iterdir()] == ["signing-key.pem"]


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=8), children, max_size=4)
    ),
    max_leaves=20,
)


@settings(max_examples=200)
@given(payload=st.dictionaries(st.text(max_size=12), json_values, max_size=6))
def test_any_json_payload_round_trips(payload: dict[str, object]) -> None:
    assert open_at_dgsn(sealed(payload)).payload == payload


@settings(max_examples=300)
@given(data=st.binary(max_size=600) | st.text(max_size=300).map(str.encode))
def test_no_byte_string_crashes_the_receiver(data: bytes) -> None:
    with pytest.raises(EnvelopeRejectedError) as info:
        open_at_dgsn(data)
    assert info.value.rejection in {EnvelopeRejection.MALFORMED, EnvelopeRejection.TOO_LARGE}
