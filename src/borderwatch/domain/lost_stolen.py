"""Lost and stolen travel documents: an exact, compact in-memory index for 10 million records.

A document is looked up by (issuing state, document number): the state made canonical (ICAO 9303
part 3 writes Germany `D`; lists may write alpha-2) and the number normalised (spaces, hyphens,
fillers and case removed, as `normalise_document_number`). The answer must be exact: a lost
document is a reason to stop a traveller, so a false hit is as bad as a missed one.

Representation. A Python set of `(state, number)` tuples costs about 165 bytes a record (two
strings and a tuple, measured) - 1.6 GB for 10 million. Here almost every key is packed, without
loss, into one unsigned 64-bit integer in a sorted array (8 bytes a record):

    key = (state * 9 + length - 1) * 36**9 + int(number, 36)

with `state` the three letters A-Z read in base 27 (1..26 each) and `length` 1..9. Carrying the
length keeps `0123` and `123` apart; the largest key, 177147 * 36**9 - 1, is below 2**64. ICAO
9303 part 3 gives the MRZ document number field 9 characters, so this covers machine-readable
documents; the few keys that do not fit (a longer national number, a non-ASCII character) go to a
small Python set instead. Packing uses only C-level operations (`int(text, 36)`), so it costs
well under a microsecond.
The array is sorted with numpy while building, then kept as a stdlib `array('Q')` because
`bisect` over it costs about 1 microsecond, against 2-3 for a scalar `numpy.searchsorted`
(`bench/bench_lists.py` measures it). The index answers yes or no; the record itself (who
reported it, when) is fetched from the store on a hit, which is rare.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Iterable

import numpy as np
import numpy.typing as npt

from borderwatch.domain.countries import CountryTable
from borderwatch.domain.watchlists import LostStolenDocument, normalise_document_number

_MAX_NUMBER_LENGTH = 9  # ICAO 9303 part 3: the MRZ document number field holds 9 characters
_NUMBER_SPAN: int = 36**_MAX_NUMBER_LENGTH
_LETTER_CODES: dict[str, int] = {ch: i + 1 for i, ch in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZ")}


def canonical_state(state: str, countries: CountryTable | None = None) -> str:
    """Return the comparable issuing-state code: `D<<` -> `DEU`, alpha-2 -> alpha-3 (with a table)."""
    if countries is not None:
        return countries.canonical(state)
    text = state.replace("<", "").strip().upper()
    return "DEU" if text == "D" else text


# state -> (state in base 27) * 9, ready for the number's length to be added
_STATE_VALUES: dict[str, int] = {
    a + b + c: ((_LETTER_CODES[a] * 27 + _LETTER_CODES[b]) * 27 + _LETTER_CODES[c]) * _MAX_NUMBER_LENGTH
    for a in _LETTER_CODES
    for b in _LETTER_CODES
    for c in _LETTER_CODES
}


def pack_key(state: str, number: str) -> int | None:
    """Return the 64-bit integer for a canonical state and a normalised number, or None if it does not fit."""
    value = _STATE_VALUES.get(state)
    length = len(number)
    # isascii: int() would also read Arabic-Indic and other Unicode digits, making keys collide.
    if value is None or not 0 < length <= _MAX_NUMBER_LENGTH or not number.isascii() or not number.isalnum():
        return None
    return (value + length - 1) * _NUMBER_SPAN + int(number, 36)


class LostStolenIndex:
    """Exact membership of (issuing state, document number) among reported lost/stolen documents."""

    __slots__ = ("_countries", "_others", "_packed")

    def __init__(
        self,
        packed: npt.NDArray[np.uint64],
        others: frozenset[tuple[str, str]],
        countries: CountryTable | None = None,
    ) -> None:
        self._packed = array("Q")  # sorted, unique
        # a byte view, so the 80 MB of 10 million keys are copied once, not twice
        self._packed.frombytes(np.ascontiguousarray(packed, dtype=np.uint64).view(np.uint8).data)
        self._others = others
        self._countries = countries

    @classmethod
    def build(
        cls, documents: Iterable[LostStolenDocument], countries: CountryTable | None = None
    ) -> LostStolenIndex:
        """Return an index of the documents' keys (duplicates counted once)."""
        return cls.from_keys(((d.issuing_state, d.number) for d in documents), countries)

    @classmethod
    def from_keys(
        cls, keys: Iterable[tuple[str, str]], countries: CountryTable | None = None
    ) -> LostStolenIndex:
        """Return an index of raw (issuing state, number) pairs; both are made comparable first."""
        chunks: list[npt.NDArray[np.uint64]] = []
        buffer: list[int] = []
        others: set[tuple[str, str]] = set()
        for state, number in keys:
            canonical = canonical_state(state, countries)
            normalised = normalise_document_number(number)
            if not normalised:
                continue  # nothing to look up; the parser reports such rows as problems
            packed = pack_key(canonical, normalised)
            if packed is None:
                others.add((canonical, normalised))
            else:
                buffer.append(packed)
                if len(buffer) >= 1_000_000:  # bounded: a list of 10 million ints would cost ~400 MB
                    chunks.append(np.array(buffer, dtype=np.uint64))
                    buffer = []
        if buffer:
            chunks.append(np.array(buffer, dtype=np.uint64))
        packed_all = np.concatenate(chunks) if chunks else np.empty(0, dtype=np.uint64)
        del chunks
        packed_all.sort()  # in place: the build peaks near twice the final size, not four times
        if packed_all.size:
            keep = np.empty(packed_all.size, dtype=np.bool_)
            keep[0] = True
            np.not_equal(packed_all[1:], packed_all[:-1], out=keep[1:])
            packed_all = packed_all[keep]
        return cls(packed_all, frozenset(others), countries)

    def __len__(self) -> int:
        """Return the number of distinct documents in the index."""
        return len(self._packed) + len(self._others)

    def contains(self, issuing_state: str, number: str) -> bool:
        """Return True when this document (state as written on it, number in any spacing) is reported."""
        state = canonical_state(issuing_state, self._countries)
        normalised = normalise_document_number(number)
        packed = pack_key(state, normalised)
        if packed is None:
            return (state, normalised) in self._others
        position = bisect_left(self._packed, packed)
        return position < len(self._packed) and self._packed[position] == packed

    def __contains__(self, key: object) -> bool:
        if isinstance(key, LostStolenDocument):
            return self.contains(key.issuing_state, key.number)
        if isinstance(key, tuple) and len(key) == 2 and all(isinstance(part, str) for part in key):
            return self.contains(key[0], key[1])
        return False

    @property
    def nbytes(self) -> int:
        """Return the bytes held by the packed array (the overflow set is not counted)."""
        return self._packed.itemsize * len(self._packed)

    @property
    def overflow(self) -> int:
        """Return how many keys did not fit the packed form and sit in the Python set."""
        return len(self._others)
