"""Domain values to JSON columns and back, driven by the dataclasses' own type hints.

Used for values the database keeps whole (a list entry as of one version, a hit's evidence, a
booking), so that the domain model stays the single definition of their shape.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import json
import types
import typing
from datetime import date, datetime
from enum import Enum
from typing import Any, TypeVar

T = TypeVar("T")


def to_json(value: Any) -> Any:
    """Return `value` as JSON-ready data (dicts, lists, strings, numbers, None)."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: to_json(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [to_json(item) for item in value]
    if isinstance(value, dict):
        return {str(k): to_json(v) for k, v in value.items()}
    return value


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def from_json(cls: type[T], data: Any) -> T:
    """Return an instance of dataclass `cls` rebuilt from `to_json` output."""
    return typing.cast(T, _decode(cls, data))


def _decode(hint: Any, data: Any) -> Any:
    if data is None:
        return None
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        options = [a for a in typing.get_args(hint) if a is not type(None)]
        return _decode(options[0], data) if len(options) == 1 else data
    if origin is tuple:
        args = typing.get_args(hint)
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_decode(args[0], item) for item in data)
        return tuple(_decode(a, item) for a, item in zip(args, data, strict=False))
    if origin in (dict, typing.Mapping) or hint in (dict, typing.Any, object):
        return data
    if isinstance(hint, type):
        if dataclasses.is_dataclass(hint):
            hints = _hints(hint)
            names = {f.name for f in dataclasses.fields(hint)}
            return hint(**{k: _decode(hints[k], v) for k, v in data.items() if k in names})
        if issubclass(hint, Enum):
            return hint(data)
        if hint is datetime:
            return datetime.fromisoformat(data)
        if hint is date:
            return date.fromisoformat(data)
        if hint in (int, float, str, bool):
            return hint(data)
    return data


def content_hash(value: Any) -> str:
    """Return the sha256 of a value's canonical JSON (sorted keys, no spaces)."""
    text = json.dumps(to_json(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
