"""Watch lists: listed persons and organisations, their names, dates and documents, and versions.

An entry's id comes from its source (`UN:QDi.001`, `OFAC:12345`, `FTM:<id>`, `NAT:<agency>:<id>`)
so that every alert stays traceable to the official notice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, fields
from datetime import date, datetime
from enum import Enum
from typing import NewType

from borderwatch.domain.travellers import Gender

EntityId = NewType("EntityId", str)
ListId = NewType("ListId", str)


class ListSource(Enum):
    """Who publishes a list, and so which importer reads it."""

    UN = "UN"
    OFAC = "OFAC"
    FTM = "FTM"
    NATIONAL = "NAT"
    LOST_STOLEN = "LSD"


class EntityKind(Enum):
    """What a list entry is."""

    PERSON = "person"
    ORGANIZATION = "organization"
    VESSEL = "vessel"
    AIRCRAFT = "aircraft"


class NameQuality(Enum):
    """How much a listed name can be trusted as a way the person is really called."""

    PRIMARY = "primary"
    STRONG_ALIAS = "strong alias"  # UN quality Good, OFAC alt.csv a.k.a.
    WEAK_ALIAS = "weak alias"  # UN quality Low, OFAC weak a.k.a.: never alerts alone
    ORIGINAL_SCRIPT = "original script"  # UN NAME_ORIGINAL_SCRIPT (mostly Arabic)
    FORMER = "former"  # f.k.a.


class DateExactness(Enum):
    """How precisely a listed birth date is known."""

    EXACT = "exact"
    YEAR = "year"  # only the year is known
    MONTH = "month"
    RANGE = "range"  # between two years
    APPROXIMATE = "approximate"  # circa


@dataclass(frozen=True, slots=True)
class ListedName:
    """One name of a listed entity as written by the list, with its quality."""

    full_name: str
    quality: NameQuality = NameQuality.PRIMARY
    given_names: str = ""  # when the source splits the name (UN FIRST_NAME.., OFAC "LAST, Given")
    family_name: str = ""
    script: str = ""  # ISO 15924 code when known: Latn, Arab, Cyrl...


@dataclass(frozen=True, slots=True)
class ListedBirthDate:
    """A birth date as a list gives it: the earliest and latest possible day, and how it was written."""

    earliest: date
    latest: date
    exactness: DateExactness
    text: str = ""  # the source's own wording, for the officer

    def contains(self, day: date) -> bool:
        """True when `day` lies within the listed span."""
        return self.earliest <= day <= self.latest


@dataclass(frozen=True, slots=True)
class ListedDocument:
    """An identity or travel document the list names for the entity."""

    number: str
    kind: str = ""  # passport, national id...
    issuing_country: str = ""  # ICAO/ISO alpha-3 when it could be resolved
    note: str = ""


@dataclass(frozen=True, slots=True)
class ListEntry:
    """A listed person or organisation, with everything the list says that helps identify them."""

    entity_id: EntityId
    source: ListSource
    kind: EntityKind
    names: tuple[ListedName, ...]
    birth_dates: tuple[ListedBirthDate, ...] = ()
    nationalities: tuple[str, ...] = ()  # alpha-3 codes where resolved
    gender: Gender = Gender.UNKNOWN
    documents: tuple[ListedDocument, ...] = ()
    birth_places: tuple[str, ...] = ()
    listed_on: date | None = None
    programs: tuple[str, ...] = ()  # UN list type / OFAC programs
    category: str = ""  # national lists: arrest, refuse entry, monitor
    remarks: str = ""
    reference_url: str = ""
    addresses: tuple[str, ...] = ()  # as the list writes them (UN *_ADDRESS, OFAC add.csv), one line each

    @property
    def primary_name(self) -> str:
        """Return the entry's main name."""
        for name in self.names:
            if name.quality is NameQuality.PRIMARY:
                return name.full_name
        return self.names[0].full_name if self.names else str(self.entity_id)


@dataclass(frozen=True, slots=True)
class LostStolenDocument:
    """A travel document reported lost or stolen."""

    issuing_state: str
    number: str
    doc_type: str = ""
    reported_on: date | None = None
    record_id: str = ""

    @property
    def key(self) -> tuple[str, str]:
        """Return the lookup key: (issuing state, normalised number)."""
        return (self.issuing_state.upper(), normalise_document_number(self.number))


def normalise_document_number(number: str) -> str:
    """Return a document number with spaces, hyphens, fillers and case differences removed."""
    upper = number.upper()
    if upper.isalnum():  # nearly every number as read: nothing to remove
        return upper
    return "".join(ch for ch in upper if ch.isalnum())


@dataclass(frozen=True, slots=True)
class ListVersion:
    """One import of one list: when it was published and imported, and a hash of its content."""

    list_id: ListId
    version: int
    source: ListSource
    source_date: datetime | None
    imported_at: datetime
    content_hash: str
    entries: int
    file_name: str = ""


@dataclass(frozen=True, slots=True)
class EntryChange:
    """One entry present in both versions of a list, and the ListEntry fields that differ."""

    entity_id: EntityId
    fields: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ListDelta:
    """What changed between two versions of a list: entries added, removed and changed (with fields)."""

    added: tuple[EntityId, ...] = ()
    removed: tuple[EntityId, ...] = ()
    changed: tuple[EntryChange, ...] = ()

    @property
    def changed_ids(self) -> tuple[EntityId, ...]:
        """Return the ids of the changed entries."""
        return tuple(change.entity_id for change in self.changed)

    @property
    def is_empty(self) -> bool:
        """True when both versions hold the same entries."""
        return not (self.added or self.removed or self.changed)

    @property
    def to_rescreen(self) -> tuple[EntityId, ...]:
        """Return the ids whose entries can produce new hits: added and changed ones."""
        return self.added + self.changed_ids

    def fields_changed(self, entity_id: EntityId) -> tuple[str, ...]:
        """Return the names of the ListEntry fields that changed for `entity_id` (empty if unchanged)."""
        for change in self.changed:
            if change.entity_id == entity_id:
                return change.fields
        return ()


def _same(old: object, new: object) -> bool:
    # Tuples of names, dates, documents...: a different order is not a change of the entry.
    if isinstance(old, tuple) and isinstance(new, tuple):
        return Counter(old) == Counter(new)
    return old == new


_ENTRY_FIELDS = tuple(f.name for f in fields(ListEntry))


def diff_entries(old: Iterable[ListEntry], new: Iterable[ListEntry]) -> ListDelta:
    """Return the delta from the `old` entries to the `new` ones, matched by entity id.

    Ids are sorted in the result. Tuple fields are compared as multisets (reordering is no change).
    When an id appears twice in one input, its last entry counts.
    """
    before = {entry.entity_id: entry for entry in old}
    after = {entry.entity_id: entry for entry in new}
    added = tuple(sorted(after.keys() - before.keys()))
    removed = tuple(sorted(before.keys() - after.keys()))
    changed: list[EntryChange] = []
    for entity_id in sorted(before.keys() & after.keys()):
        was, now = before[entity_id], after[entity_id]
        if was == now:
            continue
        differing = tuple(name for name in _ENTRY_FIELDS if not _same(getattr(was, name), getattr(now, name)))
        if differing:
            changed.append(EntryChange(entity_id, differing))
    return ListDelta(added=added, removed=removed, changed=tuple(changed))
