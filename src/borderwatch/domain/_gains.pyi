"""Types of the C extension `borderwatch.domain._gains` (see _gains.c)."""

from array import array
from collections.abc import Sequence
from typing import Literal, overload

import numpy as np
from _typeshed import ReadableBuffer

Buffer = ReadableBuffer | np.ndarray  # numpy arrays are buffers (typed so from Python 3.12)
_GainMap = dict[int, float] | tuple[np.ndarray, np.ndarray] | tuple[bytes, bytes, array[float]]
_Texts = list[str]
# start, arabic, chars, shape, skeleton_id, skeleton, note, penalty, flags, family_start, family_ids,
# distinct, family_names (see token_scores)
_FormTable = tuple[
    Buffer, Buffer, Buffer, Buffer, Buffer, _Texts, _Texts, Buffer, Buffer, Buffer, Buffer, Buffer, _Texts
]

def first_gains(
    postings: Sequence[Buffer], gains: Sequence[float], name_ok: Buffer
) -> tuple[bytes, bytes]: ...
def year_gains(
    types: Buffer,
    gains: array[float],
    tables: Sequence[tuple[Buffer, Buffer, Buffer, Buffer]],
    years: Sequence[int],
    name_ok: Buffer,
) -> tuple[bytes, bytes, array[float]]: ...
@overload
def union(lists: Sequence[Buffer], size: int) -> list[int]: ...
@overload
def union(lists: Sequence[Buffer], size: int, as_bytes: Literal[False]) -> list[int]: ...
@overload
def union(lists: Sequence[Buffer], size: int, as_bytes: Literal[True]) -> bytes: ...
def token_scores(
    type_ids: list[int] | bytes,
    table: _FormTable,
    query: tuple[_Texts, _Texts, _Texts, _Texts, Buffer, Buffer, Buffer, Buffer, Buffer],
    q_arabic: bool,
    min_score: float,
    edit_floor: float,
) -> list[tuple[int, float, int, str]]: ...
def day_sums(ids: Buffer, maps: Sequence[_GainMap], names: int) -> bytes: ...
def survivors(
    maps: Sequence[_GainMap],
    day_ids: Buffer,
    day_sums: Buffer,
    floor: float,
    classes: Buffer | None,
    names: Buffer,
    facts: Buffer,
    rest: Sequence[float],
    dob_best: Sequence[float],
    scalars: tuple[float, float, float, float, float, float, float, float, float],
    max_candidates: int,
) -> list[tuple[int, float, float]]: ...
