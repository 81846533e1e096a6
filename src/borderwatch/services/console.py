"""What the web console's pages show, gathered in one transaction each (reads of personal data audited).

Thin functions over the repositories for pages that need more than one service gives: the
dashboard (today's flights, alerts by state, alerts per day), a flight's manifest with each
traveller's document check and screening outcome, an alert with the traveller and the listed
entity side by side, the watch-list search, and the partner exchange's inbox and outbox.
Agency isolation comes from the repositories; each function takes the acting officer.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from borderwatch.domain.alerts import AlertState, AlertSummary
from borderwatch.domain.audit import Actor, Role
from borderwatch.domain.documents import days_until_expiry, is_expired
from borderwatch.domain.exchange import OutboxMessage
from borderwatch.domain.hits import MatchConfig, ScreeningSubject
from borderwatch.domain.review import REVIEWER_ROLES, check_reviewer
from borderwatch.domain.screening import assess_candidates
from borderwatch.domain.travellers import TravelDocument, Traveller
from borderwatch.domain.watchlists import EntityKind, normalise_document_number
from borderwatch.errors import AccessDeniedError, InputError
from borderwatch.services.screen import load_lists
from borderwatch.store import alerts as alert_store
from borderwatch.store import audit
from borderwatch.store import console as console_store
from borderwatch.store import exchange as exchange_store
from borderwatch.store import flights as flight_store
from borderwatch.store import lists as list_store
from borderwatch.store import users as user_store
from borderwatch.store.alerts import AlertDetail
from borderwatch.store.console import FlightAlert, ListedEntry
from borderwatch.store.exchange import OutboxStatus, ReceivedRecord
from borderwatch.store.flights import StoredFlight, StoredTraveller
from borderwatch.store.session import Database

# Many states ask for a passport valid some months beyond the stay; 90 days flags it early.
EXPIRY_WARNING_DAYS = 90
NAME_FEATURES = frozenset({"name", "given name", "family name"})
EXCHANGE_ROLES = frozenset({Role.SUPERVISOR, Role.ADMIN})
LIST_READERS = frozenset({Role.OFFICER, Role.SUPERVISOR, Role.ADMIN})
UN_LIST_URL = "https://main.un.org/securitycouncil/en/content/un-sc-consolidated-list"
OFAC_SEARCH_URL = "https://sanctionssearch.ofac.treas.gov/"
MAX_QUERY_CHARS = 200


# --------------------------------------------------------------------------------- dashboard


@dataclass(frozen=True, slots=True)
class DayCount:
    """How many alerts were raised on one day."""

    day: date
    count: int


@dataclass(frozen=True, slots=True)
class Dashboard:
    """Today's flights, alerts by state and alerts per day (empty for roles that do not review)."""

    today: date
    flights: list[StoredFlight]
    recent: list[StoredFlight]  # the latest flights received, for a day without departures
    counts: dict[AlertState, int]
    per_day: list[DayCount]
    reviews: bool  # False: the actor's role does not review alerts, nothing operational is shown

    @property
    def open_alerts(self) -> int:
        """Return the number of alerts not yet decided."""
        return sum(n for state, n in self.counts.items() if not state.is_closed)


def dashboard(db: Database, actor: Actor, *, today: date, days: int = 14) -> Dashboard:
    """Return the dashboard of the actor's agency for `today` and the `days` days up to it."""
    if actor.role not in REVIEWER_ROLES:
        return Dashboard(today, [], [], {}, [], reviews=False)
    first = today - timedelta(days=days - 1)
    since = datetime(first.year, first.month, first.day, tzinfo=UTC)
    with db.transaction() as session:
        flights = flight_store.list_flights(session, actor, limit=100, on=today)
        recent = [] if flights else flight_store.list_flights(session, actor, limit=10)
        raw = alert_store.count_by_state(session, actor.agency_id)
        moments = console_store.alert_days(session, actor.agency_id, since=since)
    per_day = Counter(_utc(m).date() for m in moments)
    return Dashboard(
        today,
        flights,
        recent,
        {state: raw.get(state.value, 0) for state in AlertState},
        [DayCount(first + timedelta(days=i), per_day.get(first + timedelta(days=i), 0)) for i in range(days)],
        reviews=True,
    )


def _utc(moment: datetime) -> datetime:
    # SQLite hands datetimes back without a zone; every stored time is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# ------------------------------------------------------------------------------------ flights


@dataclass(frozen=True, slots=True)
class DocumentCheck:
    """One travel document and what checking it found."""

    document: TravelDocument
    expiry: str  # valid, expires soon, expired, unknown
    days_left: int | None
    reported_on: str  # id of the lost/stolen list naming it; empty when not reported


@dataclass(frozen=True, slots=True)
class ManifestLine:
    """One traveller of a flight with the document check and the screening outcome."""

    traveller_id: int
    traveller: Traveller
    documents: list[DocumentCheck]
    outcome: str  # clear, alert, not screened
    alerts: list[FlightAlert]


@dataclass(frozen=True, slots=True)
class FlightView:
    """A flight's manifest as an officer checks it."""

    flight: StoredFlight
    lines: list[ManifestLine]
    lost_stolen_lists: bool  # False: no lost/stolen list is active, documents were not checked against one

    @property
    def counts(self) -> dict[str, int]:
        """Return travellers per screening outcome."""
        return dict(Counter(line.outcome for line in self.lines))


def _expiry(doc: TravelDocument, today: date) -> tuple[str, int | None]:
    left = days_until_expiry(doc, today)
    if left is None:
        return "unknown", None
    if is_expired(doc, today):
        return "expired", left
    return ("expires soon" if left <= EXPIRY_WARNING_DAYS else "valid"), left


def flight_view(db: Database, actor: Actor, flight_id: int, *, today: date) -> FlightView:
    """Return one of the agency's flights with each traveller's document check and screening outcome."""
    check_reviewer(actor.role)
    with db.transaction() as session:
        flight = flight_store.get_flight(session, actor, flight_id)
        travellers = flight_store.travellers_of_flight(session, actor, flight_id, purpose="console manifest")
        outcomes = alert_store.screened_travellers(session, actor.agency_id, flight_id)
        alerts = console_store.flight_alerts(session, actor.agency_id, flight_id)
        documents = [(d.issuing_state.upper(), d.number) for t in travellers for d in t.traveller.documents]
        reported = console_store.reported_documents(session, actor.agency_id, documents)
        checked = any(
            s.kind == console_store.LOST_STOLEN_KIND and s.version_id is not None
            for s in list_store.list_lists(session, actor.agency_id)
        )
    by_traveller: dict[int, list[FlightAlert]] = {}
    for alert in alerts:
        by_traveller.setdefault(alert.traveller_id, []).append(alert)
    lines = [_line(t, today, reported, outcomes, by_traveller) for t in travellers]
    return FlightView(flight, lines, checked)


def _line(
    stored: StoredTraveller,
    today: date,
    reported: dict[tuple[str, str], str],
    outcomes: dict[int, str],
    alerts: dict[int, list[FlightAlert]],
) -> ManifestLine:
    checks = []
    for doc in stored.traveller.documents:
        expiry, left = _expiry(doc, today)
        key = (doc.issuing_state.upper(), normalise_document_number(doc.number))
        checks.append(DocumentCheck(doc, expiry, left, reported.get(key, "")))
    tid = int(stored.traveller_id)
    return ManifestLine(tid, stored.traveller, checks, outcomes.get(tid, "not screened"), alerts.get(tid, []))


# ------------------------------------------------------------------------------------- alerts


@dataclass(frozen=True, slots=True)
class AlertQueue:
    """One page of the alert queue, how many alerts the filter holds, and counts per state."""

    alerts: list[AlertSummary]
    total: int
    counts: dict[AlertState, int]


def alert_queue(
    db: Database, actor: Actor, *, states: Sequence[AlertState] = (), limit: int = 50, offset: int = 0
) -> AlertQueue:
    """Return one page of the agency's alert queue, newest first (the read of names is audited)."""
    check_reviewer(actor.role)
    with db.transaction() as session:
        found = alert_store.list_alerts(
            session, actor, states=states or None, limit=limit, offset=offset, channel_note="console queue"
        )
        raw = alert_store.count_by_state(session, actor.agency_id)
    counts = {state: raw.get(state.value, 0) for state in AlertState}
    total = sum(counts[s] for s in states) if states else sum(counts.values())
    return AlertQueue(found, total, counts)


@dataclass(frozen=True, slots=True)
class NamePair:
    """One aligned pair of name parts: traveller's and listed, and how they matched."""

    traveller: str
    listed: str
    rule: str
    score: float
    note: str


@dataclass(frozen=True, slots=True)
class OfficialReference:
    """Where the official notice of a list entry can be checked."""

    label: str  # "UN reference number", "OFAC ent_num", "reference"
    value: str
    url: str


@dataclass(frozen=True, slots=True)
class AlertReview:
    """An alert with what the traveller presented and who they may be on the list, side by side."""

    detail: AlertDetail
    traveller: Traveller | None
    entry: ListedEntry | None
    entry_is_current: bool  # False: the entry shown is the active version's, not the one screened
    name_pairs: list[NamePair]
    facts: list[dict[str, Any]]  # evidence other than names: birth date, nationality, gender, document
    reference: OfficialReference | None
    reviewers: list[str] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        """True once the alert has been decided."""
        return self.detail.summary.state.is_closed


def official_reference(entity_id: str, reference_url: str = "") -> OfficialReference | None:
    """Return where the official notice of an entry is: UN reference number, OFAC ent_num, or its URL."""
    source, _, own = entity_id.partition(":")
    if source == "UN" and own:
        return OfficialReference("UN reference number", own, UN_LIST_URL)
    if source == "OFAC" and own:
        return OfficialReference("OFAC ent_num", own, OFAC_SEARCH_URL)
    if reference_url.startswith(("https://", "http://")):
        return OfficialReference("reference", own or entity_id, reference_url)
    return None


def alert_review(db: Database, actor: Actor, alert_id: int) -> AlertReview:
    """Return one of the agency's alerts with the traveller and the listed entity (reads audited)."""
    check_reviewer(actor.role)
    with db.transaction() as session:
        detail = alert_store.get_alert(session, actor, alert_id)
        found = review_of_alert(session, actor, detail, purpose="alert review")
        reviewers = [
            u.username
            for u in user_store.list_users(session, actor.agency_id)
            if u.active and u.role in REVIEWER_ROLES
        ]
    return replace(found, reviewers=reviewers)


def review_of_alert(session: Session, actor: Actor, detail: AlertDetail, *, purpose: str) -> AlertReview:
    """Return an alert already read with its traveller and listed entity side by side (reads audited).

    Shared by the live review page and the training pages, which check their own roles and reach
    the alert through the exercise; the caller's session keeps every read in one transaction.
    """
    traveller = (
        flight_store.get_traveller(session, actor, detail.traveller_id, purpose=purpose).traveller
        if detail.traveller_id is not None
        else None
    )
    entity = detail.summary.entity_id
    entry = (
        console_store.entry_of_version(session, actor.agency_id, detail.list_version_id, entity)
        if detail.list_version_id is not None
        else None
    )
    current = entry is not None
    if entry is None:
        entry = console_store.active_entry(session, actor.agency_id, entity)
    pairs = [
        NamePair(
            str(e.get("traveller_value") or ""),
            str(e.get("list_value") or ""),
            str(e.get("rule") or ""),
            float(e.get("score") or 0.0),
            str(e.get("note") or ""),
        )
        for e in detail.evidence
        if isinstance(e, dict) and e.get("feature") in NAME_FEATURES
    ]
    facts = [e for e in detail.evidence if isinstance(e, dict) and e.get("feature") not in NAME_FEATURES]
    reference = official_reference(entity, entry.entry.reference_url if entry else "")
    return AlertReview(detail, traveller, entry, current, pairs, facts, reference)


# -------------------------------------------------------------------------------------- lists


@dataclass(frozen=True, slots=True)
class ListSearchHit:
    """A list entry found by a search, and how: the name contains the text, or the name index found it."""

    entry: ListedEntry
    how: str  # "contains", "name index"
    matched_name: str
    score: float | None = None


def search_lists(
    db: Database, actor: Actor, query: str, *, config: MatchConfig, limit: int = 50
) -> list[ListSearchHit]:
    """Return the active list entries whose names contain `query` or that the name index finds close.

    The second way finds spellings and scripts the first misses (`Abdulkadir` for `ABDELKADER`,
    `عبد القادر`): the same candidate search and alignment screening uses, without a threshold.
    """
    if actor.role not in LIST_READERS:
        raise AccessDeniedError(f"role {actor.role.value!r} cannot browse watch lists")
    text = query.strip()
    if len(text) > MAX_QUERY_CHARS:
        raise InputError(f"a search has at most {MAX_QUERY_CHARS} characters", field="q", reason="too long")
    if not text:
        return []
    with db.transaction() as session:
        contains = console_store.search_active_entries(session, actor.agency_id, text, limit=limit)
    hits = [ListSearchHit(e, "contains", e.entry.primary_name) for e in contains]
    seen = {str(h.entry.entry.entity_id) for h in hits}
    lists = load_lists(db, actor)
    wide = replace(config, entity_kinds=frozenset(EntityKind))
    assessed = sorted(
        assess_candidates(ScreeningSubject(names=(text,)), lists.index, wide),
        key=lambda a: -a.score(wide),
    )
    ranked: list[tuple[str, str, float]] = []
    for assessment in assessed:
        entity_id = str(lists.index.entries[assessment.entry].entity_id)
        if entity_id not in seen and len(ranked) < max(0, limit - len(hits)):
            seen.add(entity_id)
            name = lists.index.names[assessment.name_id].listed.full_name
            ranked.append((entity_id, name, assessment.features.log_odds(wide)))
    with db.transaction() as session:
        found = {
            str(e.entry.entity_id): e
            for e in console_store.active_entries_by_id(session, actor.agency_id, [r[0] for r in ranked])
        }
        audit.record(
            session,
            actor,
            "lists.search",
            subject_type="lists",
            subject_id=actor.agency_code,
            detail={"query_chars": len(text), "results": len(hits) + len(found)},
        )
    hits.extend(ListSearchHit(found[e], "name index", name, score) for e, name, score in ranked if e in found)
    return hits


# ----------------------------------------------------------------------------------- exchange


@dataclass(frozen=True, slots=True)
class ExchangeView:
    """The partner exchange: what partners sent us (still kept), and our outbox."""

    received: list[ReceivedRecord]
    outbox: list[OutboxMessage]
    status: OutboxStatus


def exchange_view(db: Database, actor: Actor, *, limit: int = 200) -> ExchangeView:
    """Return the agency's exchange inbox and outbox, newest first (the read is audited)."""
    if actor.role not in EXCHANGE_ROLES:
        raise AccessDeniedError(f"role {actor.role.value!r} cannot read the partner exchange")
    with db.transaction() as session:
        received = exchange_store.received_records(session, actor.agency_id)
        outbox = exchange_store.outbox_messages(session, actor.agency_id, limit=100_000)
        status = exchange_store.outbox_status(session, actor.agency_id)
        audit.record(
            session,
            actor,
            "exchange.read",
            subject_type="exchange",
            subject_id="inbox,outbox",
            detail={"received": len(received), "outbox": len(outbox), "channel_note": "console"},
        )
    received.sort(key=lambda r: r.received_at, reverse=True)
    return ExchangeView(received[:limit], list(reversed(outbox))[:limit], status)
