"""The watch-list name index: every name of every entry, tokenised once, found again by its keys.

Candidate generation works on *token types* (distinct name parts): a traveller's part is looked up by
its consonant skeleton and by every skeleton one edit away (a deletion neighbourhood, so the lookup
stays a few dictionary reads), each type found is scored with the comparison rules, and the names
holding the types that agree are collected. Token rarity is counted at build time (in how many
entries a skeleton occurs) and becomes the part's weight, IDF-style: Mohamed weighs little,
Benjelloun much (names.md §1.3, §5.1).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date

from borderwatch.domain.names.compare import NameComparer, TokenMatch
from borderwatch.domain.names.normalize import NameParser, NameToken, ParsedName, TokenRole
from borderwatch.domain.names.variants import NameTables
from borderwatch.domain.watchlists import EntityKind, ListedName, ListEntry


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One listed name in the index: its entry, the name as listed, and its parsed form."""

    entry: int  # position of the ListEntry in NameIndex.entries
    listed: ListedName
    parsed: ParsedName
    types: tuple[int, ...]  # token type ids of its name parts (titles left out)


def _deletions(key: str) -> set[str]:
    return {key[:i] + key[i + 1 :] for i in range(len(key))}


class NameIndex:
    """Names of list entries with their token types, postings, rarity and birth-date lookups."""

    __slots__ = (
        "_expansions",
        "by_birth_date",
        "comparer",
        "deletions",
        "entity_count",
        "entries",
        "names",
        "parser",
        "skeleton_df",
        "skeleton_types",
        "tables",
        "type_common",
        "type_idf",
        "type_names",
        "type_of_uid",
        "types",
    )

    def __init__(self, tables: NameTables) -> None:
        self.tables = tables
        self.parser = NameParser(tables)
        self.comparer = NameComparer(tables)
        self.entries: list[ListEntry] = []
        self.names: list[IndexedName] = []
        self.types: list[NameToken] = []
        self.type_of_uid: dict[str, int] = {}
        self.type_names: list[list[int]] = []
        self.skeleton_types: dict[str, list[int]] = {}
        self.deletions: dict[str, list[str]] = {}
        self.skeleton_df: dict[str, int] = {}
        self.by_birth_date: dict[date, list[int]] = {}
        self.entity_count = 0
        self._expansions: dict[str, tuple[tuple[int, TokenMatch], ...]] = {}
        self.type_idf: list[float] = []
        self.type_common: list[bool] = []

    @classmethod
    def build(cls, entries: Iterable[ListEntry], tables: NameTables) -> NameIndex:
        """Return the index of every name (primary, aliases, original script) of the given entries."""
        index = cls(tables)
        for entry in entries:
            index.add(entry)
        index.finish()
        return index

    def add(self, entry: ListEntry) -> None:
        """Add one entry's names (call `finish` after the last one)."""
        pos = len(self.entries)
        self.entries.append(entry)
        seen_skeletons: set[str] = set()
        seen_texts: set[str] = set()
        first_name = len(self.names)
        for listed in entry.names:
            if not listed.full_name.strip() or listed.full_name in seen_texts:
                continue
            seen_texts.add(listed.full_name)
            parsed = self.parser.parse(listed.full_name)
            type_ids = []
            for token in parsed.tokens:
                if token.role is not TokenRole.NAME:
                    continue
                type_id = self._type_id(token)
                type_ids.append(type_id)
                postings = self.type_names[type_id]
                if not postings or postings[-1] != len(self.names):
                    postings.append(len(self.names))
                seen_skeletons.add(token.key.skeleton)
            self.names.append(IndexedName(pos, listed, parsed, tuple(type_ids)))
        for skeleton in seen_skeletons:
            self.skeleton_df[skeleton] = self.skeleton_df.get(skeleton, 0) + 1
        for born in entry.birth_dates:
            if born.earliest == born.latest:
                self.by_birth_date.setdefault(born.earliest, []).extend(range(first_name, len(self.names)))

    def _type_id(self, token: NameToken) -> int:
        found = self.type_of_uid.get(token.uid)
        if found is not None:
            return found
        type_id = len(self.types)
        self.types.append(token)
        self.type_of_uid[token.uid] = type_id
        self.type_names.append([])
        for form in token.forms:
            if not form.skeleton:
                continue
            holders = self.skeleton_types.setdefault(form.skeleton, [])
            if not holders or holders[-1] != type_id:
                holders.append(type_id)
        return type_id

    def finish(self) -> None:
        """Build the deletion neighbourhood of the skeletons and count the persons indexed."""
        self.deletions = {}
        for skeleton in self.skeleton_types:
            if len(skeleton) >= 3:
                for deleted in _deletions(skeleton):
                    self.deletions.setdefault(deleted, []).append(skeleton)
        self.entity_count = sum(1 for e in self.entries if e.kind is EntityKind.PERSON) or len(self.entries)
        self.type_idf = [self.idf(t) for t in self.types]
        self.type_common = [self.is_common(t) for t in self.types]
        self._expansions.clear()

    def parse(self, text: str) -> ParsedName:
        """Return a name parsed with the index's tables (cached)."""
        return self.parser.parse(text)

    def idf(self, token: NameToken) -> float:
        """Return the rarity weight of a name part: ln((N + 1) / (entries holding its skeleton + 1))."""
        df = self.skeleton_df.get(token.key.skeleton, 0)
        return math.log((self.entity_count + 1) / (df + 1))

    def is_common(self, token: NameToken) -> bool:
        """True when the part is a very frequent given name by the common-names table."""
        form = token.key
        families = self.tables.families_of(form.phonetic, token.native)
        return self.tables.is_common(form.phonetic, form.text, families)

    def expand(self, token: NameToken) -> tuple[tuple[int, TokenMatch], ...]:
        """Return the indexed token types that agree with a traveller's name part, with how well."""
        found = self._expansions.get(token.uid)
        if found is not None:
            return found
        skeletons: set[str] = set()
        for form in token.forms:
            key = form.skeleton
            if not key:
                continue
            skeletons.add(key)
            if len(key) >= 3:
                skeletons.update(self.deletions.get(key, ()))
                for deleted in _deletions(key):
                    if deleted in self.skeleton_types:
                        skeletons.add(deleted)
                    skeletons.update(self.deletions.get(deleted, ()))
        type_ids: set[int] = set()
        for key in skeletons:
            type_ids.update(self.skeleton_types.get(key, ()))
        matches = []
        threshold = self.comparer.min_score
        for type_id in sorted(type_ids):
            match = self.comparer.token_match(token, self.types[type_id])
            if match.score >= threshold:
                matches.append((type_id, match))
        result = tuple(matches)
        if len(self._expansions) < 1_000_000:
            self._expansions[token.uid] = result
        return result

    def candidates(
        self,
        parsed: ParsedName,
        gain: Callable[[int, TokenMatch], float],
        *,
        birth_date: date | None = None,
        kinds: frozenset[EntityKind] = frozenset({EntityKind.PERSON}),
        limit: int = 25,
    ) -> list[tuple[int, float]]:
        """Return (name id, summed gain) of the indexed names most likely to match, best first.

        `gain(type_id, match)` says what an agreeing listed part is worth; per traveller part the best
        gain for each name is kept and summed, so the sum bounds the matched weight of a full alignment
        from above. Names of entries born on the traveller's birth date are always included.
        """
        scores: dict[int, float] = {}
        for token in parsed.name_tokens:
            best: dict[int, float] = {}
            for type_id, match in self.expand(token):
                value = gain(type_id, match)
                if value <= 0.0:
                    continue
                for name_id in self.type_names[type_id]:
                    if best.get(name_id, 0.0) < value:
                        best[name_id] = value
            for name_id, value in best.items():
                scores[name_id] = scores.get(name_id, 0.0) + value
        ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
        entries, names = self.entries, self.names
        chosen = [(n, v) for n, v in ranked if entries[names[n].entry].kind in kinds][:limit]
        if birth_date is not None:
            have = {n for n, _ in chosen}
            for name_id in self.by_birth_date.get(birth_date, ()):
                if name_id not in have and entries[names[name_id].entry].kind in kinds:
                    chosen.append((name_id, scores.get(name_id, 0.0)))
        return chosen
