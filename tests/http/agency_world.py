"""Two agencies in one database, each with its users, flight, traveller and alert.

Agency A is the instance's default (DGSN), agency B is UKBF. Rows are written through the store
functions with each agency's own actor, as ingest and screening would write them; tokens are
issued by the auth service for users created by it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

import factories
from borderwatch.domain.agencies import Agency, AgencyCode
from borderwatch.domain.alerts import AlertKind, Severity
from borderwatch.domain.audit import Actor, Role
from borderwatch.services import auth
from borderwatch.services.instance import Instance
from borderwatch.store import agencies
from borderwatch.store import alerts as alert_store
from borderwatch.store import flights as flight_store
from borderwatch.store.users import User

PASSWORD = "Tamanrasset-1987-dunes"


@dataclass
class AgencyWorld:
    """One agency's rows and users, and a bearer token per role."""

    code: str
    flight_id: int
    traveller_id: int
    alert_id: int
    users: dict[Role, User] = field(default_factory=dict)
    tokens: dict[Role, str] = field(default_factory=dict)

    def auth(self, role: Role) -> dict[str, str]:
        """Return the Authorization header of this agency's user holding `role`."""
        return {"Authorization": f"Bearer {self.tokens[role]}"}


def build_agency(instance: Instance, code: str, roles: tuple[Role, ...], *, surname: str) -> AgencyWorld:
    """Create (if needed) an agency with a flight, a traveller, an alert, and one user per role."""
    with instance.db.transaction() as session:
        agencies.ensure_agency(session, Agency(AgencyCode(code), f"{code} border agency"))
    system = instance.actor(channel="test", agency=code)
    now = datetime.now(UTC)
    with instance.db.transaction() as session:
        flight_id, _ = flight_store.upsert_flight(session, system, factories.flight())
        [traveller_id], _ = flight_store.add_travellers(
            session, system, flight_id, [factories.traveller(family_name=surname)], message_id=None
        )
        [alert_id] = alert_store.raise_alerts(
            session,
            system,
            [
                alert_store.NewAlert(
                    traveller_id=traveller_id,
                    flight_id=flight_id,
                    kind=AlertKind.WATCH_LIST,
                    subject="UN:QDi.190",
                    score=0.81,
                    severity=Severity.MEDIUM,
                    reason=f"name ~ {surname}",
                    evidence=[],
                    entity_hash="cd" * 32,
                )
            ],
            at=now,
        )
    world = AgencyWorld(code, flight_id, traveller_id, alert_id)
    secret = instance.secret()
    for role in roles:
        user = auth.create_user(
            instance.db,
            system,
            username=f"{code.lower()}.{role.value}",
            role=role,
            password=PASSWORD,
            now=now,
        )
        world.users[role] = user
        world.tokens[role] = auth.issue_token(secret, user, now=now, minutes=60).token
    return world


def actor_of(world: AgencyWorld, role: Role) -> Actor:
    """Return the actor of the agency's user holding `role`."""
    return world.users[role].actor("test")
