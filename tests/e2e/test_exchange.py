"""End to end: DGSN (Casablanca) and UK Border Force (London), each its own server, database and key.

Both instances are served by uvicorn on 127.0.0.1 (free ports) in background threads and talk
over real HTTP. The scenario of the issue: confirmed hits on CMN-LHR flights cross both ways,
UK Border Force's server stops mid-way and comes back (nothing lost, nothing twice, order per
alert kept), a tampered envelope is refused and audited, a replayed one is ignored, no field
beyond the agreement crosses, UKBF's lost/stolen list feeds DGSN's screening, revocation stops
sharing at once, and retention purges what was received.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn

from borderwatch.domain.alerts import AlertKind, Decision
from borderwatch.domain.exchange import OutboxState
from borderwatch.errors import EnvelopeRejection
from borderwatch.http.app import create_app
from borderwatch.services import review, share
from borderwatch.services.keys import load_private_key
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.services.retention import run_retention
from borderwatch.sharing.client import PartnerClient, Timeouts, inbox_url
from borderwatch.sharing.envelope import seal
from borderwatch.sharing.outbox import RetryPolicy
from borderwatch.store import audit as audit_store
from borderwatch.store import exchange as exchange_store
from borderwatch.store import lists as list_store
from partners import (
    AGREED_FIELDS,
    AGREEMENT_ID,
    Partner,
    confirm,
    install_agreements,
    make_partner,
    raise_alert,
)

LOOPBACK = "127.0.0.1"
FAST = RetryPolicy(base=timedelta(seconds=30), cap=timedelta(minutes=5), jitter=0.1)
LOST_STOLEN_CSV = (
    b"issuing_state,document_number,document_type,date_reported,record_id\n"
    b"GBR,533401229,P,2025-09-02,UKBF-LS-0001\n"
    b"MAR,YB4410573,P,2025-10-11,UKBF-LS-0002\n"
)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


class Server:
    """One instance served by uvicorn in a background thread; can be stopped and started again."""

    def __init__(self, partner: Partner, port: int) -> None:
        self.partner = partner
        self.port = port
        self.url = f"http://{LOOPBACK}:{port}"
        self._server: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        app = create_app(instance=self.partner.instance)
        config = uvicorn.Config(app, host=LOOPBACK, port=self.port, log_level="warning", lifespan="off")
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 15
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError(f"server on port {self.port} did not start")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._server is None or self._thread is None:
            return
        self._server.should_exit = True
        self._thread.join(timeout=15)
        assert not self._thread.is_alive(), "server did not stop in time"
        self._server = None


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def agencies(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[Server, Server]]:
    """DGSN and UKBF, served; DGSN on PostgreSQL in the second variant (UKBF stays on SQLite)."""
    dgsn_url = str(request.getfixturevalue("pg_url")) if request.param == "postgresql" else ""
    dgsn = make_partner("DGSN", tmp_path / "dgsn", dgsn_url)
    ukbf = make_partner("UKBF", tmp_path / "ukbf")
    servers = (Server(dgsn, free_port()), Server(ukbf, free_port()))
    install_agreements(dgsn, ukbf, servers[0].url, servers[1].url)
    for server in servers:
        server.start()
    yield servers
    for server in servers:
        server.stop()
    dgsn.instance.close()
    ukbf.instance.close()


def deliver(partner: Partner, client: PartnerClient, *, at: datetime | None = None) -> share.RoundReport:
    return share.deliver(partner.instance, now=at, client=client, policy=FAST)


def outbox(partner: Partner) -> list[exchange_store.OutboxMessage]:
    with partner.instance.db.transaction() as session:
        return exchange_store.outbox_messages(session, partner.actor().agency_id)


def received(partner: Partner) -> list[exchange_store.ReceivedRecord]:
    with partner.instance.db.transaction() as session:
        return exchange_store.received_records(session, partner.actor().agency_id)


def partner_alerts(partner: Partner) -> list[int]:
    queue = review.list_alerts(partner.instance.db, partner.officer, limit=1000)
    return sorted(a.alert_id for a in queue if a.kind is AlertKind.PARTNER)


def events(partner: Partner, action: str) -> list[dict[str, object]]:
    with partner.instance.db.transaction() as session:
        found = audit_store.list_events(session, partner.actor().agency_id, action=action, limit=1000)
    return [dict(e.detail) for e in found]


def reseal(sender: Partner, message: exchange_store.OutboxMessage, recipient: str) -> bytes:
    """Seal an outbox message again, as the sender's delivery loop does (same message id, new time)."""
    return seal(
        message.payload,
        sender=sender.code,
        recipient=recipient,
        agreement_id=message.agreement_id,
        message_id=message.message_id,
        sent_at=datetime.now(UTC),
        private_key=load_private_key(sender.instance.settings.keys_dir),
    )


def test_two_agencies_share_alerts_lists_and_answers(agencies: tuple[Server, Server]) -> None:
    dgsn_server, ukbf_server = agencies
    dgsn, ukbf = dgsn_server.partner, ukbf_server.partner
    client = PartnerClient(timeouts=Timeouts(connect=2.0, total=10.0))

    # 1. A confirmed hit on a CMN-LHR flight reaches UK Border Force, minimised to the agreed fields.
    first = raise_alert(dgsn, "ALAOUI", "YOUSSEF", document="YB4410573")
    confirm(dgsn, first)
    assert [m.kind.value for m in outbox(dgsn)] == ["alert"]
    report = deliver(dgsn, client)
    assert len(report.delivered) == 1, report.failed
    [shared] = received(ukbf)
    allowed = {f.value for f in AGREED_FIELDS}
    assert shared.data
    assert set(shared.data) <= allowed
    assert "gender" not in shared.data
    assert "officer_notes" not in shared.data
    assert shared.data["family_name"] == "ALAOUI"
    assert shared.data["flight"] == "AT800"
    [queued] = partner_alerts(ukbf)
    detail = review.get_alert(ukbf.instance.db, ukbf.officer, queued)
    assert detail.origin == "DGSN"
    assert detail.traveller_id is None
    assert detail.shared_data == shared.data
    assert detail.summary.traveller_name == "ALAOUI/YOUSSEF"

    # The acknowledgement flows back into DGSN's alert history.
    assert len(deliver(ukbf, client).delivered) == 1
    history = review.get_alert(dgsn.instance.db, dgsn.officer, first).history
    assert [h["action"] for h in history if h["action"].startswith("partner")] == ["partner_ack"]

    # 2. UK Border Force's server stops for an hour; DGSN keeps confirming.
    ukbf_server.stop()
    second = raise_alert(dgsn, "BENNANI", "KARIM", document="QK2201189", entity="UN:QDi.201")
    third = raise_alert(dgsn, "EL IDRISSI", "NOUR", document="RT9982211", entity="UN:QDi.305")
    confirm(dgsn, second)
    confirm(dgsn, third)
    start = datetime.now(UTC)
    for minute in range(0, 60, 5):  # an hour of rounds: every attempt fails, nothing is lost
        deliver(dgsn, client, at=start + timedelta(minutes=minute))
    waiting = [m for m in outbox(dgsn) if m.state is OutboxState.PENDING]
    assert len(waiting) == 2
    assert all(m.attempts >= 2 and m.last_error for m in waiting)
    assert all(m.next_attempt_at > start for m in waiting)  # backing off, not hammering

    ukbf_server.start()
    report = deliver(dgsn, client, at=start + timedelta(hours=1, minutes=10))
    assert len(report.delivered) == 2, report.failed
    assert all(m.state is OutboxState.DELIVERED for m in outbox(dgsn))
    refs = sorted(r.reference for r in received(ukbf))
    assert refs == sorted([str(first), str(second), str(third)])  # each once: none lost, none twice

    # 3. A replayed envelope is ignored; a tampered one is refused and audited.
    delivered_msg = next(m for m in outbox(dgsn) if m.payload.get("alert_ref") == str(second))
    replay = reseal(dgsn, delivered_msg, "UKBF")
    answer = httpx.post(inbox_url(ukbf_server.url), content=replay, timeout=10)
    assert answer.status_code == 200
    assert answer.json()["status"] == "duplicate"
    again = httpx.post(inbox_url(ukbf_server.url), content=replay, timeout=10)
    assert again.status_code == 200
    assert len(received(ukbf)) == 3
    assert len(partner_alerts(ukbf)) == 3

    fourth = raise_alert(dgsn, "TAZI", "OMAR", document="JD7716652", entity="UN:QDi.412")
    confirm(dgsn, fourth)
    pending = next(m for m in outbox(dgsn) if m.state is OutboxState.PENDING)
    genuine = reseal(dgsn, pending, "UKBF")
    tampered = genuine.replace(b'"family_name":"TAZI"', b'"family_name":"TAZY"')
    assert tampered != genuine
    refused = httpx.post(inbox_url(ukbf_server.url), content=tampered, timeout=10)
    assert refused.status_code == 400
    assert refused.json()["detail"]["rejection"] == EnvelopeRejection.BAD_SIGNATURE.value
    [rejection] = events(ukbf, "exchange.reject")
    assert rejection["rejection"] == "bad signature"
    assert rejection["message"] == pending.message_id
    assert len(received(ukbf)) == 3  # nothing of it was stored
    assert len(deliver(dgsn, client).delivered) == 1  # the genuine one still goes through
    assert len(received(ukbf)) == 4

    # 4. The other way: UKBF decides DGSN's alert and confirms a hit of its own on a LHR-CMN flight.
    ukbf_copy = next(
        a
        for a in partner_alerts(ukbf)
        if review.get_alert(ukbf.instance.db, ukbf.officer, a).origin_ref == str(first)
    )
    review.decide_alert(
        ukbf.instance.db, ukbf.officer, ukbf_copy, Decision.CONFIRM_MATCH, "Stopped at the desk."
    )
    own = raise_alert(
        ukbf,
        "SMITH",
        "JOHN",
        document="533401229",
        state="GBR",
        entity="UN:QDi.099",
        carrier="BA",
        number="1",
        route=("LHR", "CMN"),
    )
    confirm(ukbf, own)
    for _ in range(3):  # acks, the decision and UKBF's alert; DGSN's ack of it comes back in turn
        deliver(ukbf, client)
        deliver(dgsn, client)
    history = review.get_alert(dgsn.instance.db, dgsn.officer, first).history
    partner_steps = [h for h in history if h["action"].startswith("partner")]
    assert [h["action"] for h in partner_steps] == ["partner_ack", "partner_decision"]  # order kept
    assert partner_steps[1]["decision"] == "confirm match"
    [from_ukbf] = received(dgsn)
    assert from_ukbf.partner == "UKBF"
    assert set(from_ukbf.data) <= allowed
    assert [h["action"] for h in review.get_alert(ukbf.instance.db, ukbf.officer, own).history][
        -1
    ] == "partner_ack"
    for partner in (dgsn, ukbf):
        assert all(m.state is OutboxState.DELIVERED for m in outbox(partner))

    # 5. UKBF's lost and stolen documents reach DGSN and re-screen its recent travellers.
    import_list_file(ukbf.instance.db, ukbf.actor(), ListFile("lost-stolen", "ukbf_lsd.csv", LOST_STOLEN_CSV))
    published = share.publish_list(
        ukbf.instance.db, ukbf.actor(), "LSD:UKBF", AGREEMENT_ID, now=datetime.now(UTC)
    )
    assert published.added == 2
    assert len(deliver(ukbf, client).delivered) == 1
    with dgsn.instance.db.transaction() as session:
        stored = {s.list_id: s for s in list_store.list_lists(session, dgsn.actor().agency_id)}
    assert stored["LSD:UKBF"].version is not None
    assert stored["LSD:UKBF"].version.entries == 2
    queue = review.list_alerts(dgsn.instance.db, dgsn.officer, limit=1000)
    lost = [a for a in queue if a.kind is AlertKind.LOST_STOLEN_DOCUMENT]
    assert [a.traveller_name for a in lost] == ["ALAOUI/YOUSSEF"]  # travels on MAR YB4410573

    # 6. DGSN revokes the agreement: nothing more leaves, and nothing more is accepted.
    share.revoke_agreement(dgsn.instance.db, dgsn.actor(), AGREEMENT_ID, now=datetime.now(UTC))
    fifth = raise_alert(dgsn, "FASSI", "HIND", document="UC1234987", entity="UN:QDi.500")
    confirm(dgsn, fifth)
    assert not [m for m in outbox(dgsn) if m.state is OutboxState.PENDING]
    late = raise_alert(ukbf, "JONES", "MARK", document="612093344", state="GBR", entity="UN:QDi.600")
    confirm(ukbf, late)
    report = deliver(ukbf, client)
    assert not report.delivered
    assert "agreement refused" in next(iter(report.failed.values()))
    assert len(received(dgsn)) == 2  # UKBF's alert and list version; nothing after the revocation

    # 7. Retention: what DGSN received is purged once the agreement's 30 days are over.
    run_retention(dgsn.instance, today=date.today() + timedelta(days=29))
    assert len(received(dgsn)) == 2
    run_retention(dgsn.instance, today=date.today() + timedelta(days=31))
    assert received(dgsn) == []
    assert partner_alerts(dgsn) == []
    client.close()
