"""Two partner agencies for the exchange tests: DGSN (Casablanca) and UK Border Force (London).

Each is a real instance with its own database, data folder and Ed25519 key pair; each holds its
own copy of the same agreement (the mirror of the other's). Alerts are raised through the store
functions as screening would raise them, on flight AT800 Casablanca Mohammed V - London Heathrow.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import factories
from borderwatch.domain.agencies import AgencyCode
from borderwatch.domain.agreements import Agreement, AgreementId, Direction, ShareableField
from borderwatch.domain.alerts import AlertKind, Decision, Severity
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.travellers import Gender
from borderwatch.domain.watchlists import ListId
from borderwatch.services import review, share
from borderwatch.services.instance import Instance, init_instance
from borderwatch.services.keys import init_keys
from borderwatch.settings import Settings
from borderwatch.store import alerts as alert_store
from borderwatch.store import flights as flight_store

AGREEMENT_ID = AgreementId("DGSN-UKBF-2025-001")
# Data minimisation: what a border officer on the other side needs to act. Gender, the document
# type and the officer's notes are deliberately left out: they must never cross.
AGREED_FIELDS = frozenset(
    {
        ShareableField.FAMILY_NAME,
        ShareableField.GIVEN_NAMES,
        ShareableField.BIRTH_DATE,
        ShareableField.NATIONALITY,
        ShareableField.DOCUMENT_NUMBER,
        ShareableField.FLIGHT,
        ShareableField.FLIGHT_DATE,
        ShareableField.REASON,
        ShareableField.ENTITY_ID,
        ShareableField.SCORE,
    }
)
NAMES = {"DGSN": "Direction Générale de la Sûreté Nationale", "UKBF": "UK Border Force"}
FLIGHT_DAY = datetime.now(UTC).replace(tzinfo=None, microsecond=0)


@dataclass
class Partner:
    """One agency's instance, its public key, and its system and officer actors."""

    code: str
    instance: Instance
    public_key: bytes

    def actor(self, role: Role = Role.SYSTEM, username: str = "system") -> Actor:
        return self.instance.actor(username=username, role=role, channel="test")

    @property
    def officer(self) -> Actor:
        return self.actor(Role.OFFICER, f"{self.code.lower()}.officer")


def make_partner(code: str, data_dir: Path, database_url: str = "") -> Partner:
    """Return a migrated instance for agency `code` with a fresh signing key."""
    settings = Settings(
        data_dir=data_dir,
        database_url=database_url,
        agency=code,
        agency_name=NAMES[code],
        secure_cookies=False,
    )
    instance, _ = init_instance(settings)
    info = init_keys(settings.keys_dir)
    return Partner(code, instance, base64.b64decode(info.public_key))


def agreement_copy(
    holder: Partner,
    partner: Partner,
    partner_url: str,
    *,
    list_ids: frozenset[str] = frozenset({"LSD:UKBF"}),
    retention_days: int = 30,
    fields: frozenset[ShareableField] = AGREED_FIELDS,
) -> Agreement:
    """Return `holder`'s copy of the agreement with `partner`, reachable at `partner_url`."""
    return Agreement(
        id=AGREEMENT_ID,
        agency=AgencyCode(holder.code),
        partner=AgencyCode(partner.code),
        partner_url=partner_url,
        partner_public_key=partner.public_key,
        directions=frozenset({Direction.SEND, Direction.RECEIVE}),
        alert_categories=frozenset({AlertKind.WATCH_LIST}),
        list_ids=frozenset(ListId(i) for i in list_ids),
        fields=fields,
        purpose="Prevention and detection of terrorist offences and serious crime on flights between "
        "Morocco and the United Kingdom.",
        retention_days=retention_days,
        valid_from=datetime(2025, 1, 1, tzinfo=UTC),
    )


def install_agreements(dgsn: Partner, ukbf: Partner, dgsn_url: str, ukbf_url: str, **options: object) -> None:
    """Give each agency its copy of the agreement (the one addressing the other's URL)."""
    now = datetime.now(UTC)
    share.add_agreement(
        dgsn.instance.db, dgsn.actor(), agreement_copy(dgsn, ukbf, ukbf_url, **options), now=now
    )  # type: ignore[arg-type]
    share.add_agreement(
        ukbf.instance.db, ukbf.actor(), agreement_copy(ukbf, dgsn, dgsn_url, **options), now=now
    )  # type: ignore[arg-type]


def raise_alert(
    partner: Partner,
    family_name: str,
    given_names: str,
    *,
    document: str,
    state: str = "MAR",
    entity: str = "UN:QDi.190",
    carrier: str = "AT",
    number: str = "800",
    route: tuple[str, str] = ("CMN", "LHR"),
) -> int:
    """Raise a watch-list alert (medium severity) on a traveller of flight AT800; return its id."""
    system = partner.actor()
    flight = factories.flight(
        carrier=carrier,
        number=number,
        departure_port=route[0],
        arrival_port=route[1],
        departure_time=FLIGHT_DAY,
        arrival_time=FLIGHT_DAY + timedelta(hours=3),
    )
    person = factories.traveller(
        family_name=family_name,
        given_names=given_names,
        gender=Gender.MALE,
        nationality=state,
        documents=(factories.travel_document(number=document, issuing_state=state, nationality=state),),
        embarkation=route[0],
        debarkation=route[1],
    )
    with partner.instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, flight)
        [traveller_id], _ = flight_store.add_travellers(session, system, flight_id, [person], message_id=None)
        [alert_id] = alert_store.raise_alerts(
            session,
            system,
            [
                alert_store.NewAlert(
                    traveller_id=traveller_id,
                    flight_id=flight_id,
                    kind=AlertKind.WATCH_LIST,
                    subject=entity,
                    score=0.91,
                    severity=Severity.MEDIUM,
                    reason=f"name ~ {family_name} {given_names} ({entity})",
                    evidence=[],
                    entity_hash="ab" * 32,
                )
            ],
            at=datetime.now(UTC),
        )
    return int(alert_id)


def confirm(partner: Partner, alert_id: int, note: str = "Passport and photo checked at the gate.") -> None:
    """Have the agency's officer confirm the alert as a match (this enqueues the share)."""
    review.decide_alert(partner.instance.db, partner.officer, alert_id, Decision.CONFIRM_MATCH, note)
