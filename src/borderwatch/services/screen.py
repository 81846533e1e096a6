"""Screening a flight: every traveller against the agency's active watch lists, hits into alerts.

The matching itself is the pure domain (`domain/screening.py`, `domain/names/`); this service
loads the lists, keeps one name index per set of active list versions, stores what came out and
raises alerts for hits at or above the agency's alert threshold.
"""

from __future__ import annotations

import functools
import gc
import threading
import time
from collections import OrderedDict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from borderwatch.domain.alerts import AlertId, AlertKind, Severity
from borderwatch.domain.audit import Actor
from borderwatch.domain.hits import Hit, MatchConfig, ScreeningSubject
from borderwatch.domain.lost_stolen import LostStolenIndex
from borderwatch.domain.names.index import NameIndex
from borderwatch.domain.risk_rules import DocumentChecks, RuleHit, RuleSet, build_facts, evaluate
from borderwatch.domain.screening import screen_subject
from borderwatch.domain.travellers import Booking, Flight, TravelDocument, Traveller
from borderwatch.domain.watchlists import ListEntry
from borderwatch.services.names import build_name_index
from borderwatch.services.reference import country_table
from borderwatch.services.risk import booking_for
from borderwatch.settings import Settings
from borderwatch.store import alerts as alert_store
from borderwatch.store import flights as flight_store
from borderwatch.store import lists as list_store
from borderwatch.store import lost_stolen as lost_stolen_store
from borderwatch.store.codec import to_json
from borderwatch.store.flights import StoredTraveller
from borderwatch.store.session import Database

SCREENED_KINDS = ("un", "ofac", "ftm", "national")
LOST_STOLEN_KIND = "lost-stolen"


@dataclass(frozen=True, slots=True)
class LoadedLists:
    """Indexes over the agency's active list versions, with what alerts need to cite them."""

    index: NameIndex
    entries: dict[str, ListEntry]
    entry_hashes: dict[str, str]
    entry_versions: dict[str, int]
    versions: dict[str, int]  # every active list (watch lists and lost/stolen lists) -> version id
    lost_stolen: LostStolenIndex | None = None
    lost_stolen_versions: tuple[int, ...] = ()


# (database, agency, the active versions with their content hashes): a list import makes a new key,
# and two databases in one process (two agencies in the demo, tests) never share an entry.
CacheKey = tuple[str, int, tuple[tuple[str, int, str], ...]]


class _IndexCache:
    """Built indexes by database, agency and active list contents: never a stale index.

    One entry per database and agency: an index built for new list contents replaces the one built
    for the old (requests still screening with the old keep it alive until they finish), so a
    server that imports the lists every day holds one set of indexes, not the last `size`.
    """

    def __init__(self, size: int = 8) -> None:
        self._items: OrderedDict[CacheKey, LoadedLists] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()
        self._building: dict[CacheKey, threading.Lock] = {}
        # Set by the server (`freeze_built_indexes`): move each new index out of the collector's reach.
        self.freeze = False

    def build_lock(self, key: CacheKey) -> threading.Lock:
        """Return the lock that lets one thread build the entry for `key` while the others wait for it."""
        with self._lock:
            return self._building.setdefault(key, threading.Lock())

    def built(self, key: CacheKey) -> None:
        """Forget the build lock of `key` once its entry is in."""
        with self._lock:
            self._building.pop(key, None)

    def get(self, key: CacheKey) -> LoadedLists | None:
        with self._lock:
            found = self._items.get(key)
            if found is not None:
                self._items.move_to_end(key)
            return found

    def put(self, key: CacheKey, value: LoadedLists) -> None:
        with self._lock:
            for older in [k for k in self._items if k[:2] == key[:2] and k != key]:
                del self._items[older]  # the same agency's lists before an import
            self._items[key] = value
            while len(self._items) > self._size:
                self._items.popitem(last=False)

    def __len__(self) -> int:
        with self._lock:
            return len(self._items)


def freeze_built_indexes() -> None:
    """Move the indexes built so far, and each one built from now on, out of the garbage collector's
    generations (`gc.freeze`), for a long-running server.

    An index is millions of long-lived objects: otherwise every full collection walks them all and
    the request that triggers it waits (~100 ms for UN + OFAC). An index replaced after a list
    import is still freed: it holds no reference cycle, so reference counting frees it.
    """
    _CACHE.freeze = True
    _settle()


def _settle() -> None:
    gc.collect()  # what is garbage now must not be frozen with the rest
    gc.freeze()


_CACHE = _IndexCache()


# Which list versions are active is read at most every ACTIVE_TTL seconds per database and agency:
# an interactive check then costs no database round trip before screening. An import in this
# process forgets it at once (`forget_active_lists`); other worker processes see it within the TTL.
ACTIVE_TTL = 2.0
_ACTIVE: dict[tuple[str, int], tuple[float, list[list_store.StoredList]]] = {}
_ACTIVE_LOCK = threading.Lock()


def forget_active_lists() -> None:
    """Make the next screening read the active list versions again (after an import)."""
    with _ACTIVE_LOCK:
        _ACTIVE.clear()


def _active_lists(db: Database, agency_id: int) -> list[list_store.StoredList]:
    key = (db.url, agency_id)
    now = time.monotonic()
    with _ACTIVE_LOCK:
        found = _ACTIVE.get(key)
    if found is not None and found[0] > now:
        return found[1]
    with db.reading() as session:
        stored = list_store.list_lists(session, agency_id)
    with _ACTIVE_LOCK:
        _ACTIVE[key] = (now + ACTIVE_TTL, stored)
    return stored


def load_lists(db: Database, actor: Actor) -> LoadedLists:
    """Return the indexes over the agency's active lists (built once per set of versions)."""
    stored = _active_lists(db, actor.agency_id)
    active = {s.list_id: (s.kind, s.version_id) for s in stored if s.version_id is not None}
    contents = tuple(
        sorted(
            (s.list_id, s.version_id, s.version.content_hash)
            for s in stored
            if s.version_id is not None and s.version is not None
        )
    )
    key: CacheKey = (db.url, actor.agency_id, contents)
    cached = _CACHE.get(key)
    if cached is not None:
        return cached
    # One thread builds (seconds for the full lists); the others asking for the same lists wait.
    with _CACHE.build_lock(key):
        cached = _CACHE.get(key)
        if cached is None:
            cached = _build_lists(db, active)
            _CACHE.put(key, cached)
            if _CACHE.freeze:
                _settle()
        _CACHE.built(key)
    return cached


def _build_lists(db: Database, active: dict[str, tuple[str, int]]) -> LoadedLists:
    with db.reading() as session:
        entries: dict[str, ListEntry] = {}
        hashes: dict[str, str] = {}
        entry_versions: dict[str, int] = {}
        lsd_versions: list[int] = []
        lsd_keys: list[tuple[str, str]] = []
        for kind, version_id in active.values():
            if kind == LOST_STOLEN_KIND:
                lsd_versions.append(version_id)
                lsd_keys.extend(lost_stolen_store.document_keys(session, version_id))
            elif kind in SCREENED_KINDS:
                for entry in list_store.entries_of_version(session, version_id):
                    entries[entry.entity_id] = entry
                    entry_versions[entry.entity_id] = version_id
                hashes.update(list_store.entry_hashes(session, version_id))
    countries = country_table()
    return LoadedLists(
        build_name_index(entries.values()),
        entries,
        hashes,
        entry_versions,
        {list_id: v for list_id, (_, v) in active.items() if v is not None},
        LostStolenIndex.from_keys(lsd_keys, countries) if lsd_versions else None,
        tuple(lsd_versions),
    )


@dataclass(frozen=True, slots=True)
class TravellerResult:
    """One traveller's screening outcome."""

    traveller_id: int
    name: str
    hits: tuple[Hit, ...]
    reported_documents: tuple[TravelDocument, ...] = ()  # found on a lost/stolen list
    rule_hits: tuple[RuleHit, ...] = ()


@dataclass
class ScreeningReport:
    """What screening one flight found."""

    flight: str
    flight_id: int
    travellers: int
    lists: dict[str, int]
    results: list[TravellerResult]
    new_alerts: list[int] = field(default_factory=list)
    screening_ms: float = 0.0
    suppressed: int = 0  # hits not raised: decided false positives for the same identity and entry content
    rule_set: str = ""

    @property
    def hits(self) -> list[tuple[TravellerResult, Hit]]:
        """Every (traveller, hit) pair, best score first."""
        pairs = [(r, h) for r in self.results for h in r.hits]
        return sorted(pairs, key=lambda pair: -pair[1].score)

    def as_dict(self) -> dict[str, Any]:
        """Return the report as JSON-ready data."""
        return {
            "flight": self.flight,
            "flight_id": self.flight_id,
            "travellers": self.travellers,
            "lists": self.lists,
            "screening_ms": round(self.screening_ms, 3),
            "new_alerts": self.new_alerts,
            "suppressed": self.suppressed,
            "rule_set": self.rule_set,
            "documents": [
                {
                    "traveller_id": r.traveller_id,
                    "traveller": r.name,
                    "document": d.number,
                    "issuing_state": d.issuing_state,
                    "reason": "reported lost or stolen",
                }
                for r in self.results
                for d in r.reported_documents
            ],
            "rules": [
                {
                    "traveller_id": r.traveller_id,
                    "traveller": r.name,
                    "rule": h.rule_id,
                    "severity": h.severity.value,
                    "explanation": h.explanation,
                }
                for r in self.results
                for h in r.rule_hits
            ],
            "hits": [
                {
                    "traveller_id": r.traveller_id,
                    "traveller": r.name,
                    "entity": h.entity_id,
                    "score": round(h.score, 4),
                    "matched_name": h.matched_name,
                    "reason": h.reason,
                }
                for r, h in self.hits
            ],
        }


LOST_STOLEN_FACT = "document.lost_or_stolen"
DOCUMENT_DESCRIPTION = frozenset({"document.type", "document.number", "document.issuing_state"})


def _restates_lost_stolen(hit: RuleHit, reported: tuple[TravelDocument, ...]) -> bool:
    """True for a rule hit that only says what the lost/stolen alert of the same traveller says.

    Such a rule tests the lost/stolen fact and at most describes the document; screening already
    raised the document alert, which cites the list and the record, so one alert per finding.
    """
    facts = {use.fact for use in hit.facts_used}
    return bool(reported) and LOST_STOLEN_FACT in facts and facts <= {LOST_STOLEN_FACT, *DOCUMENT_DESCRIPTION}


def screen_one(
    traveller: Traveller,
    lists: LoadedLists,
    config: MatchConfig,
    *,
    rules: RuleSet | None = None,
    flight: Flight | None = None,
    booking: Booking | None = None,
    now: datetime | None = None,
) -> tuple[tuple[Hit, ...], tuple[TravelDocument, ...], tuple[RuleHit, ...]]:
    """Return one traveller's watch-list hits, documents on a lost/stolen list and rule hits (no database)."""
    hits = tuple(screen_subject(ScreeningSubject.from_traveller(traveller), lists.index, config))
    index = lists.lost_stolen
    reported = tuple(
        d
        for d in traveller.documents
        if index is not None and d.number and index.contains(d.issuing_state, d.number)
    )
    rule_hits: tuple[RuleHit, ...] = ()
    if rules is not None and now is not None:
        checks = DocumentChecks(lost_or_stolen=bool(reported) if index is not None else None)
        facts = build_facts(traveller, now=now, booking=booking, flight=flight, checks=checks)
        # One finding, one alert: the document alert already says it, citing the list and the record.
        rule_hits = tuple(h for h in evaluate(rules, facts) if not _restates_lost_stolen(h, reported))
    return hits, reported, rule_hits


def screen_travellers(
    travellers: Sequence[StoredTraveller],
    lists: LoadedLists,
    config: MatchConfig,
    *,
    rules: RuleSet | None = None,
    flight: Flight | None = None,
    bookings: Sequence[Booking] = (),
    now: datetime | None = None,
) -> list[TravellerResult]:
    """Return each stored traveller's watch-list hits, reported documents and rule hits (no database)."""
    results = []
    for t in travellers:
        booking = booking_for(t.traveller, list(bookings)) if bookings else None
        hits, reported, rule_hits = screen_one(
            t.traveller, lists, config, rules=rules, flight=flight, booking=booking, now=now
        )
        results.append(TravellerResult(t.traveller_id, t.traveller.display_name, hits, reported, rule_hits))
    return results


def watch_list_alerts(
    found: Iterable[tuple[int, int, Hit]], lists: LoadedLists, *, reason_prefix: str = ""
) -> list[alert_store.NewAlert]:
    """Return the alerts to raise for (traveller id, flight id, hit) triples, citing the list versions."""
    return [
        alert_store.NewAlert(
            traveller_id=traveller_id,
            flight_id=flight_id,
            kind=AlertKind.WATCH_LIST,
            subject=hit.entity_id,
            score=hit.score,
            severity=_severity(hit, lists.entries.get(hit.entity_id)),
            reason=reason_prefix + hit.reason,
            evidence=[to_json(e) for e in hit.evidence],
            list_version_id=lists.entry_versions.get(hit.entity_id),
            entity_hash=lists.entry_hashes.get(hit.entity_id, ""),
        )
        for traveller_id, flight_id, hit in found
    ]


def raise_watch_list_alerts(
    session: Session, actor: Actor, candidates: Sequence[alert_store.NewAlert], *, now: datetime
) -> tuple[list[AlertId], int]:
    """Raise alerts not raised before and not remembered as false positives; return (new ids, suppressed)."""
    # A decided false positive (same identity, same entry content) is not raised again.
    kept, suppressed = alert_store.split_suppressed(session, actor, candidates, at=now)
    return list(alert_store.raise_alerts(session, actor, kept, at=now)), len(suppressed)


def _document_alerts(
    session: Session, result: TravellerResult, flight_id: int, lists: LoadedLists
) -> list[alert_store.NewAlert]:
    alerts = []
    for doc in result.reported_documents:
        listed = lost_stolen_store.find_document(
            session, lists.lost_stolen_versions, doc.issuing_state, doc.number
        )
        when = f", reported {listed.reported_on.isoformat()}" if listed and listed.reported_on else ""
        record = f" (record {listed.record_id})" if listed and listed.record_id else ""
        alerts.append(
            alert_store.NewAlert(
                traveller_id=result.traveller_id,
                flight_id=flight_id,
                kind=AlertKind.LOST_STOLEN_DOCUMENT,
                subject=f"{doc.issuing_state}:{doc.number}",
                score=1.0,
                severity=Severity.HIGH,
                reason=f"{_document_kind(doc)} {doc.issuing_state} {doc.number} is on a lost and stolen "
                f"document list{when}{record}",
                evidence=[
                    {
                        "feature": "document",
                        "rule": "exact",
                        "score": 1.0,
                        "traveller_value": doc.number,
                        "list_value": listed.number if listed else doc.number,
                        "note": f"issuing state {doc.issuing_state}",
                    }
                ],
            )
        )
    return alerts


def _document_kind(doc: TravelDocument) -> str:
    return doc.doc_type.name.lower().replace("_", " ")


def _rule_alerts(result: TravellerResult, flight_id: int) -> list[alert_store.NewAlert]:
    return [
        alert_store.NewAlert(
            traveller_id=result.traveller_id,
            flight_id=flight_id,
            kind=AlertKind.RISK_RULE,
            subject=hit.rule_id,
            score=1.0,
            severity=hit.severity,
            reason=f"{hit.title}: {hit.explanation} (rule {hit.rule_id} v{hit.rule_version}, {hit.rule_set})",
            evidence=[
                {
                    "feature": use.fact,
                    "rule": "risk rule",
                    "score": 1.0,
                    "traveller_value": str(use.value),
                    "list_value": "",
                    "note": "",
                }
                for use in hit.facts_used
            ],
        )
        for hit in result.rule_hits
    ]


def screen_flight(
    db: Database,
    actor: Actor,
    flight_ref: str,
    *,
    config: MatchConfig,
    now: datetime,
    rules: RuleSet | None = None,
) -> ScreeningReport:
    """Screen every traveller of one of the agency's flights, store results and raise alerts.

    Watch lists (names), lost and stolen documents, and the risk rule set when one is given.
    """
    lists = load_lists(db, actor)
    with db.transaction() as session:
        flight = flight_store.find_flight(session, actor, flight_ref)
        travellers = flight_store.travellers_of_flight(session, actor, flight.flight_id, purpose="screening")
        bookings = (
            flight_store.bookings_of_flight(session, actor, flight.flight_id, purpose="risk rules")
            if rules is not None
            else []
        )
    started = time.perf_counter()
    results = screen_travellers(
        travellers, lists, config, rules=rules, flight=flight.flight, bookings=bookings, now=now
    )
    elapsed_ms = (time.perf_counter() - started) * 1000
    with db.transaction() as session:
        done = alert_store.already_screened(session, [r.traveller_id for r in results], lists.versions)
        for result in results:
            if result.traveller_id in done:
                continue  # same travellers, same list versions: the stored result stands
            alert_store.record_screening(
                session,
                actor,
                traveller_id=result.traveller_id,
                list_versions=lists.versions,
                hits=[to_json(h) for h in result.hits],
                best_score=max((h.score for h in result.hits), default=0.0),
                outcome="alert"
                if (result.hits or result.reported_documents or result.rule_hits)
                else "clear",
                at=now,
            )
        found = [(r.traveller_id, flight.flight_id, hit) for r in results for hit in r.hits]
        new_alerts, suppressed = raise_watch_list_alerts(
            session, actor, watch_list_alerts(found, lists), now=now
        )
        others = [
            a
            for r in results
            for a in (
                *_document_alerts(session, r, flight.flight_id, lists),
                *_rule_alerts(r, flight.flight_id),
            )
        ]
        new_alerts += alert_store.raise_alerts(session, actor, others, at=now)
    return ScreeningReport(
        flight.flight.key,
        flight.flight_id,
        len(travellers),
        lists.versions,
        results,
        list(new_alerts),
        elapsed_ms,
        suppressed=suppressed,
        rule_set=f"{rules.name} {rules.version}" if rules else "",
    )


def _severity(hit: Hit, entry: ListEntry | None) -> Severity:
    if entry is not None and entry.category in ("arrest",):
        return Severity.HIGH
    return Severity.HIGH if hit.score >= 0.9 else Severity.MEDIUM


def match_config(settings: Settings) -> MatchConfig:
    """Return the matching configuration with the agency's alert threshold (one object per threshold)."""
    return _config_with_threshold(settings.alert_threshold)


@functools.lru_cache(maxsize=16)
def _config_with_threshold(threshold: float) -> MatchConfig:
    # MatchConfig is frozen: every request of an instance shares one, and the screening's
    # per-config lookups find it by identity.
    return replace(MatchConfig(), alert_threshold=threshold)
