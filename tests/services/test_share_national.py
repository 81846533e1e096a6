"""Publishing a subset of a national watch list to a partner, between two real instances.

UKBF publishes the `arrest` and `refuse entry` entries of its national list NAT:UKBF to DGSN;
DGSN keeps them as its national list NAT:UKBF (entry ids NAT:UKBF:<UKBF's record number>),
screens against it, and re-screens its recent travellers when new entries arrive.
The list rows are invented (no real person), in the documented national-list format.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import httpx
import pytest

import factories
from borderwatch.domain.agreements import ShareableField
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import ListEntry
from borderwatch.errors import AccessDeniedError, EnvelopeRejectedError, InputError
from borderwatch.services import share
from borderwatch.services.lists import ListFile, import_list_file
from borderwatch.settings import Settings
from borderwatch.sharing.client import PartnerClient
from borderwatch.store import alerts as alert_store
from borderwatch.store import audit as audit_store
from borderwatch.store import exchange as exchange_store
from borderwatch.store import flights as flight_store
from borderwatch.store import lists as list_store
from partners import AGREED_FIELDS, AGREEMENT_ID, Partner, agreement_copy, make_partner

DGSN_URL, UKBF_URL = "http://127.0.0.1:8101", "http://127.0.0.1:8102"
BOTH_LISTS = frozenset({"LSD:UKBF", "NAT:UKBF"})
SHARED = ["arrest", "refuse entry"]
HEADER = (
    "id,family_name,given_names,aliases,birth_date,nationality,gender,document_numbers,category,remarks\n"
)
FIRST = HEADER + (
    "UK-0001,HADDAD,Samir,Sam Haddad,1979-03-02,LBN,M,P-LBN:RL0000001,arrest,Informant says he is armed\n"
    "UK-0002,ORTEGA,Luis,,1985-06-14,ESP,M,ESP:00000000Z,refuse entry,Deported in 2023\n"
    "UK-0003,NOVAK,Jana,,1991-11,CZE,F,,monitor,Contact of a journalist\n"
    "UK-0004,KOWALSKI,Piotr,,1970,POL,M,,monitor,\n"
    "UK-0005,BRANDT,Erik,,1968-01-30,DEU,M,,arrest,\n"
)
# Version 2: UK-0001 gains a birth date, UK-0002 is removed, UK-0006 is new, a monitor entry
# changes (it is not shared, so its change must not cross).
SECOND = HEADER + (
    "UK-0001,HADDAD,Samir,Sam Haddad,1979-03-02|1979-03-20,LBN,M,P-LBN:RL0000001,arrest,"
    "Informant says he is armed\n"
    "UK-0003,NOVAK,Jana,,1991-11,CZE,F,,monitor,Contact of a journalist; moved to Brno\n"
    "UK-0004,KOWALSKI,Piotr,,1970,POL,M,,monitor,\n"
    "UK-0005,BRANDT,Erik,,1968-01-30,DEU,M,,arrest,\n"
    "UK-0006,MANSOURI,Leila,,1988-04-09,MAR,F,P-MAR:ZZ0000006,refuse entry,Forged visa in 2024\n"
)


def make_pair(settings: Settings, tmp_path: Path, dgsn_lists: frozenset[str]) -> tuple[Partner, Partner]:
    dgsn = make_partner("DGSN", tmp_path / "dgsn", settings.database_url)
    ukbf = make_partner("UKBF", tmp_path / "ukbf")
    now = datetime.now(UTC)
    share.add_agreement(
        dgsn.instance.db, dgsn.actor(), agreement_copy(dgsn, ukbf, UKBF_URL, list_ids=dgsn_lists), now=now
    )
    share.add_agreement(
        ukbf.instance.db, ukbf.actor(), agreement_copy(ukbf, dgsn, DGSN_URL, list_ids=BOTH_LISTS), now=now
    )
    return dgsn, ukbf


@pytest.fixture
def pair(settings: Settings, tmp_path: Path) -> Iterator[tuple[Partner, Partner]]:
    """DGSN (parametrised engine) and UKBF (SQLite); both copies of the agreement cover NAT:UKBF."""
    dgsn, ukbf = make_pair(settings, tmp_path, BOTH_LISTS)
    yield dgsn, ukbf
    dgsn.instance.close()
    ukbf.instance.close()


def wire(dgsn: Partner, ukbf: Partner) -> PartnerClient:
    """Return a client whose requests reach the other instance's inbox service in this process."""
    by_url = {DGSN_URL: dgsn, UKBF_URL: ukbf}

    def handle(request: httpx.Request) -> httpx.Response:
        target = by_url[f"{request.url.scheme}://{request.url.host}:{request.url.port}"]
        try:
            result = share.receive_envelope(target.instance, request.content)
        except EnvelopeRejectedError as exc:
            return httpx.Response(400, json={"message": exc.message})
        return httpx.Response(202 if result.status == "accepted" else 200, json=result.as_dict())

    return PartnerClient(transport=httpx.MockTransport(handle))


def import_national(partner: Partner, content: str) -> None:
    import_list_file(
        partner.instance.db, partner.actor(), ListFile("national", "ukbf_national.csv", content.encode())
    )


def publish(ukbf: Partner, categories: list[str] = SHARED) -> share.PublishReport:
    return share.publish_list(
        ukbf.instance.db, ukbf.actor(), "NAT:UKBF", AGREEMENT_ID, now=datetime.now(UTC), categories=categories
    )


def add_recent_traveller(dgsn: Partner) -> int:
    """Store a traveller who landed at Casablanca today and matches UK-0006 of version 2."""
    system = dgsn.actor()
    day = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    flight = factories.flight(
        carrier="AT",
        number="801",
        departure_port="LHR",
        arrival_port="CMN",
        departure_time=day - timedelta(hours=4),
        arrival_time=day - timedelta(hours=1),
    )
    person = factories.traveller(
        family_name="MANSOURI",
        given_names="LEILA",
        birth_date=date(1988, 4, 9),
        gender=Gender.FEMALE,
        nationality="MAR",
        documents=(factories.travel_document(number="ZZ0000006", issuing_state="MAR", nationality="MAR"),),
        embarkation="LHR",
        debarkation="CMN",
    )
    with dgsn.instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, flight)
        [traveller_id], _ = flight_store.add_travellers(session, system, flight_id, [person], message_id=None)
    return int(traveller_id)


def rows(value: object) -> list[dict[str, str]]:
    """Return the rows of a payload's `added` list, checking their shape."""
    assert isinstance(value, list)
    assert all(isinstance(row, dict) for row in value)
    return value


def shared_entries(dgsn: Partner) -> dict[str, ListEntry]:
    with dgsn.instance.db.transaction() as session:
        version_id = list_store.active_version_id(session, dgsn.actor().agency_id, "NAT:UKBF")
        return {str(e.entity_id): e for e in list_store.entries_of_version(session, version_id)}


def test_a_national_subset_arrives_as_versions_and_deltas(pair: tuple[Partner, Partner]) -> None:
    dgsn, ukbf = pair
    client = wire(dgsn, ukbf)
    traveller_id = add_recent_traveller(dgsn)

    import_national(ukbf, FIRST)
    first = publish(ukbf)
    assert (first.base_version, first.added, first.updated, first.removed) == (0, 3, 0, 0)
    assert len(share.deliver(ukbf.instance, client=client).delivered) == 1
    entries = shared_entries(dgsn)
    assert sorted(entries) == ["NAT:UKBF:UK-0001", "NAT:UKBF:UK-0002", "NAT:UKBF:UK-0005"]
    haddad = entries["NAT:UKBF:UK-0001"]
    assert haddad.category == "arrest"
    assert haddad.birth_dates[0].earliest == date(1979, 3, 2)
    assert haddad.nationalities == ("LBN",)
    assert [n.full_name for n in haddad.names] == ["Samir HADDAD", "Sam Haddad"]
    # Only the agreed fields crossed: no remarks, no gender, document numbers without type or state.
    for entry in entries.values():
        assert entry.remarks == ""
        assert entry.gender is Gender.UNKNOWN
        assert all(d.kind == "" and d.issuing_country == "" for d in entry.documents)
    assert [d.number for d in haddad.documents] == ["RL0000001"]
    with ukbf.instance.db.transaction() as session:
        [sent] = exchange_store.outbox_messages(session, ukbf.actor().agency_id)
    assert sent.payload["list_kind"] == "national"
    agreed = {"id", "family_name", "given_names", "aliases", "birth_date", "nationality", "document_numbers"}
    assert all(set(row) <= agreed | {"category"} for row in rows(sent.payload["added"]))
    [published] = audit_details(ukbf, "list.publish")
    assert published["withheld"] == ["gender", "remarks"]

    # Version 2 at UKBF: only what changed in the shared subset crosses.
    import_national(ukbf, SECOND)
    second = publish(ukbf)
    assert (second.base_version, second.added, second.updated, second.removed) == (1, 1, 1, 1)
    assert len(share.deliver(ukbf.instance, client=client).delivered) == 1
    with ukbf.instance.db.transaction() as session:
        sent_second = exchange_store.outbox_messages(session, ukbf.actor().agency_id)
    delta = next(m.payload for m in sent_second if m.message_id == second.messages[0])
    assert [row["id"] for row in rows(delta["added"])] == ["UK-0001", "UK-0006"]
    assert delta["removed"] == ["UK-0002"]
    assert delta["replace"] is False
    entries = shared_entries(dgsn)
    assert sorted(entries) == ["NAT:UKBF:UK-0001", "NAT:UKBF:UK-0005", "NAT:UKBF:UK-0006"]
    assert len(entries["NAT:UKBF:UK-0001"].birth_dates) == 2
    with dgsn.instance.db.transaction() as session:
        history = list_store.versions(session, dgsn.actor().agency_id, "NAT:UKBF")
    assert [v.version for v, _ in history] == [1, 2]
    changes = history[1][1]
    assert changes["added"] == ["NAT:UKBF:UK-0006"]
    assert changes["removed"] == ["NAT:UKBF:UK-0002"]
    assert list(changes["changed"]) == ["NAT:UKBF:UK-0001"]

    # Re-screening of DGSN's recent travellers raised an alert on the newly shared entry.
    reader = dgsn.actor()
    with dgsn.instance.db.transaction() as session:
        received = exchange_store.received_records(session, reader.agency_id)
        new_alerts = [a for r in received for a in r.data.get("new_alerts", [])]
        assert len(new_alerts) == 1
        alert = alert_store.get_alert(session, reader, new_alerts[0])
    assert alert.traveller_id == traveller_id
    assert alert.summary.entity_id == "NAT:UKBF:UK-0006"

    # Nothing new: nothing is sent.
    assert not publish(ukbf).changed


def test_changing_the_categories_replaces_the_partners_copy(pair: tuple[Partner, Partner]) -> None:
    dgsn, ukbf = pair
    client = wire(dgsn, ukbf)
    import_national(ukbf, FIRST)
    publish(ukbf)
    narrower = publish(ukbf, ["arrest"])
    assert (narrower.base_version, narrower.added) == (0, 2)
    assert len(share.deliver(ukbf.instance, client=client).delivered) == 2
    assert sorted(shared_entries(dgsn)) == ["NAT:UKBF:UK-0001", "NAT:UKBF:UK-0005"]


def test_remarks_cross_only_when_officer_notes_are_agreed() -> None:
    row = {
        "id": "UK-1",
        "family_name": "HADDAD",
        "category": "arrest",
        "remarks": "armed",
        "gender": "M",
        "document_numbers": "P-LBN:RL0000001",
    }
    kept, dropped = share.minimise_national_row(row, AGREED_FIELDS)
    assert kept == {
        "id": "UK-1",
        "family_name": "HADDAD",
        "category": "arrest",
        "document_numbers": "RL0000001",
    }
    assert dropped == ("document_issuing_state", "document_type", "gender", "remarks")
    with_notes = frozenset({*AGREED_FIELDS, ShareableField.OFFICER_NOTES})
    kept, dropped = share.minimise_national_row(row, with_notes)
    assert kept["remarks"] == "armed"


def test_publication_needs_the_list_in_the_agreement_and_named_categories(
    settings: Settings, tmp_path: Path
) -> None:
    dgsn = make_partner("DGSN", tmp_path / "dgsn", settings.database_url)
    ukbf = make_partner("UKBF", tmp_path / "ukbf")
    try:
        now = datetime.now(UTC)
        share.add_agreement(ukbf.instance.db, ukbf.actor(), agreement_copy(ukbf, dgsn, DGSN_URL), now=now)
        import_national(ukbf, FIRST)
        with pytest.raises(AccessDeniedError, match="does not cover watch list 'NAT:UKBF'"):
            publish(ukbf)
        share.add_agreement(
            ukbf.instance.db, ukbf.actor(), agreement_copy(ukbf, dgsn, DGSN_URL, list_ids=BOTH_LISTS), now=now
        )
        with pytest.raises(InputError, match="nothing is shared by default"):
            publish(ukbf, [])
        with pytest.raises(InputError, match="not one of"):
            publish(ukbf, ["wanted"])
    finally:
        dgsn.instance.close()
        ukbf.instance.close()


def test_the_receiver_refuses_a_list_its_copy_does_not_cover(settings: Settings, tmp_path: Path) -> None:
    dgsn, ukbf = make_pair(settings, tmp_path, frozenset({"LSD:UKBF"}))
    try:
        import_national(ukbf, FIRST)
        publish(ukbf)
        report = share.deliver(ukbf.instance, client=wire(dgsn, ukbf))
        assert not report.delivered
        [refusal] = audit_details(dgsn, "exchange.reject")
        assert refusal["rejection"] == "agreement refused"
        with dgsn.instance.db.transaction() as session:
            assert list_store.find_list(session, dgsn.actor().agency_id, "NAT:UKBF") is None
    finally:
        dgsn.instance.close()
        ukbf.instance.close()


def test_a_partners_list_is_not_passed_on(pair: tuple[Partner, Partner]) -> None:
    dgsn, ukbf = pair
    import_national(ukbf, FIRST)
    publish(ukbf)
    share.deliver(ukbf.instance, client=wire(dgsn, ukbf))
    with pytest.raises(InputError, match="not the agency's own national list"):
        share.publish_list(
            dgsn.instance.db, dgsn.actor(), "NAT:UKBF", AGREEMENT_ID, now=datetime.now(UTC), categories=SHARED
        )


def audit_details(partner: Partner, action: str) -> list[dict[str, object]]:
    with partner.instance.db.transaction() as session:
        return [
            dict(e.detail) for e in audit_store.list_events(session, partner.actor().agency_id, action=action)
        ]
