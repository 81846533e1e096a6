"""The share service between two real instances wired in-process (httpx transport to the other's inbox)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from borderwatch.domain.agreements import ShareableField
from borderwatch.domain.alerts import Decision
from borderwatch.domain.audit import Role
from borderwatch.errors import AccessDeniedError, EnvelopeRejectedError, EnvelopeRejection
from borderwatch.services import review, share
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.settings import Settings
from borderwatch.sharing.client import PartnerClient
from borderwatch.store import audit as audit_store
from borderwatch.store import exchange as exchange_store
from borderwatch.store import lists as list_store
from partners import AGREEMENT_ID, Partner, agreement_copy, confirm, make_partner, raise_alert

DGSN_URL, UKBF_URL = "http://127.0.0.1:8101", "http://127.0.0.1:8102"


@pytest.fixture
def pair(settings: Settings, tmp_path: Path) -> Iterator[tuple[Partner, Partner]]:
    """DGSN on the parametrised engine (SQLite, PostgreSQL), UKBF on SQLite, with their agreement copies."""
    dgsn = make_partner("DGSN", tmp_path / "dgsn", settings.database_url)
    ukbf = make_partner("UKBF", tmp_path / "ukbf")
    now = datetime.now(UTC)
    share.add_agreement(dgsn.instance.db, dgsn.actor(), agreement_copy(dgsn, ukbf, UKBF_URL), now=now)
    share.add_agreement(ukbf.instance.db, ukbf.actor(), agreement_copy(ukbf, dgsn, DGSN_URL), now=now)
    yield dgsn, ukbf
    dgsn.instance.close()
    ukbf.instance.close()


def wire(pair: tuple[Partner, Partner]) -> PartnerClient:
    """Return a client whose requests reach the other instance's inbox service in this process."""
    dgsn, ukbf = pair
    by_url = {DGSN_URL: dgsn, UKBF_URL: ukbf}

    def handle(request: httpx.Request) -> httpx.Response:
        target = by_url[f"{request.url.scheme}://{request.url.host}:{request.url.port}"]
        try:
            result = share.receive_envelope(target.instance, request.content)
        except EnvelopeRejectedError as exc:
            return httpx.Response(400, json={"message": exc.message})
        return httpx.Response(202 if result.status == "accepted" else 200, json=result.as_dict())

    return PartnerClient(transport=httpx.MockTransport(handle))


def audit_details(partner: Partner, action: str) -> list[dict[str, object]]:
    with partner.instance.db.transaction() as session:
        return [
            dict(e.detail) for e in audit_store.list_events(session, partner.actor().agency_id, action=action)
        ]


def test_agreement_changes_and_revocation_are_audited(pair: tuple[Partner, Partner]) -> None:
    dgsn, ukbf = pair
    wider = agreement_copy(dgsn, ukbf, UKBF_URL, retention_days=60)
    created, changes = share.add_agreement(dgsn.instance.db, dgsn.actor(), wider, now=datetime.now(UTC))
    assert not created
    assert [(c.field, c.before, c.after) for c in changes] == [("retention_days", "30", "60")]
    [change] = audit_details(dgsn, "agreement.change")
    assert change["changes"] == [{"field": "retention_days", "before": "30", "after": "60"}]
    with pytest.raises(AccessDeniedError):
        share.revoke_agreement(dgsn.instance.db, dgsn.officer, AGREEMENT_ID, now=datetime.now(UTC))
    revoked, _ = share.revoke_agreement(
        dgsn.instance.db, dgsn.actor(Role.ADMIN, "admin"), AGREEMENT_ID, now=datetime.now(UTC)
    )
    assert revoked.is_revoked
    assert audit_details(dgsn, "agreement.revoke")
    # Loading the file again does not bring a revoked agreement back.
    share.add_agreement(dgsn.instance.db, dgsn.actor(), wider, now=datetime.now(UTC))
    [kept] = share.list_agreements(dgsn.instance.db, dgsn.actor())
    assert kept.is_revoked


def test_only_confirmed_matches_covered_by_an_agreement_are_shared(pair: tuple[Partner, Partner]) -> None:
    dgsn, _ = pair
    cleared = raise_alert(dgsn, "ALAOUI", "YOUSSEF", document="YB4410573")
    review.decide_alert(
        dgsn.instance.db, dgsn.officer, cleared, Decision.FALSE_POSITIVE, "Different birth date."
    )
    confirmed = raise_alert(dgsn, "BENNANI", "KARIM", document="QK2201189", entity="UN:QDi.201")
    confirm(dgsn, confirmed)
    with dgsn.instance.db.transaction() as session:
        queued = exchange_store.outbox_messages(session, dgsn.actor().agency_id)
    assert [m.payload["alert_ref"] for m in queued] == [str(confirmed)]
    [shared] = audit_details(dgsn, "exchange.share")
    assert "officer_notes" in shared["withheld"]
    assert "gender" in shared["withheld"]
    record = queued[0].payload["record"]
    assert isinstance(record, dict)
    assert "officer_notes" not in record
    assert record["family_name"] == "BENNANI"


def test_the_receiver_keeps_only_what_its_own_copy_allows(
    pair: tuple[Partner, Partner], tmp_path: Path
) -> None:
    dgsn, ukbf = pair
    # DGSN's copy wrongly allows gender; UKBF's copy does not: UKBF drops it and audits the drop.
    loose = agreement_copy(dgsn, ukbf, UKBF_URL, fields=frozenset({*ShareableField}))
    share.add_agreement(dgsn.instance.db, dgsn.actor(), loose, now=datetime.now(UTC))
    confirm(dgsn, raise_alert(dgsn, "ALAOUI", "YOUSSEF", document="YB4410573"))
    client = wire(pair)
    assert len(share.deliver(dgsn.instance, client=client).delivered) == 1
    with ukbf.instance.db.transaction() as session:
        [kept] = exchange_store.received_records(session, ukbf.actor().agency_id)
    assert "gender" not in kept.data
    assert "officer_notes" not in kept.data
    [dropped] = audit_details(ukbf, "exchange.withheld")
    assert {"gender", "officer_notes"} <= set(dropped["dropped_fields"])  # type: ignore[arg-type]


def test_refusals_are_audited_with_their_reason(pair: tuple[Partner, Partner]) -> None:
    dgsn, ukbf = pair
    confirm(dgsn, raise_alert(dgsn, "ALAOUI", "YOUSSEF", document="YB4410573"))
    with dgsn.instance.db.transaction() as session:
        [message] = exchange_store.pending_messages(session)
    from borderwatch.services.keys import load_private_key
    from borderwatch.sharing.envelope import seal

    old = seal(
        message.payload,
        sender="DGSN",
        recipient="UKBF",
        agreement_id=AGREEMENT_ID,
        message_id=message.message_id,
        sent_at=datetime.now(UTC) - timedelta(hours=1),
        private_key=load_private_key(dgsn.instance.settings.keys_dir),
    )
    with pytest.raises(EnvelopeRejectedError) as stale:
        share.receive_envelope(ukbf.instance, old)
    assert stale.value.rejection is EnvelopeRejection.STALE
    with pytest.raises(EnvelopeRejectedError) as garbage:
        share.receive_envelope(ukbf.instance, b"{not json")
    assert garbage.value.rejection is EnvelopeRejection.MALFORMED
    reasons = sorted(str(d["rejection"]) for d in audit_details(ukbf, "exchange.reject"))
    assert reasons == ["malformed", "stale"]


def test_list_versions_arrive_as_deltas(pair: tuple[Partner, Partner]) -> None:
    dgsn, ukbf = pair
    client = wire(pair)
    header = b"issuing_state,document_number,document_type,date_reported,record_id\n"
    first = header + b"GBR,533401229,P,2025-09-02,A1\nGBR,644512330,P,2025-09-03,A2\n"
    second = header + b"GBR,644512330,P,2025-09-03,A2\nGBR,755623441,P,2025-10-01,A3\n"
    for content in (first, second):
        import_list_file(ukbf.instance.db, ukbf.actor(), ListFile("lost-stolen", "ukbf.csv", content))
        report = share.publish_list(
            ukbf.instance.db, ukbf.actor(), "LSD:UKBF", AGREEMENT_ID, now=datetime.now(UTC)
        )
        assert report.changed
        assert len(share.deliver(ukbf.instance, client=client).delivered) == 1
    assert (report.added, report.removed, report.base_version) == (1, 1, 1)
    again = share.publish_list(
        ukbf.instance.db, ukbf.actor(), "LSD:UKBF", AGREEMENT_ID, now=datetime.now(UTC)
    )
    assert not again.changed
    with dgsn.instance.db.transaction() as session:
        version_id = list_store.active_version_id(session, dgsn.actor().agency_id, "LSD:UKBF")
        numbers = sorted(d.number for d in exchange_store.lost_stolen_documents(session, version_id))
    assert numbers == ["644512330", "755623441"]
    with pytest.raises(AccessDeniedError):
        share.publish_list(ukbf.instance.db, ukbf.actor(), "NAT:UKBF", AGREEMENT_ID, now=datetime.now(UTC))
    # What UK Border Force shared stays theirs: the DGSN cannot pass it on, even where an agreement names it.
    with pytest.raises(AccessDeniedError, match="never passed on"):
        share.publish_list(dgsn.instance.db, dgsn.actor(), "LSD:UKBF", AGREEMENT_ID, now=datetime.now(UTC))
