"""Agencies: the tenants of borderwatch. Every row of personal data belongs to exactly one."""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import NewType

AgencyCode = NewType("AgencyCode", str)


class AgencyKind(Enum):
    """A live agency screens real travellers; a training tenant holds only simulated data."""

    LIVE = "live"
    TRAINING = "training"


@dataclass(frozen=True, slots=True)
class Agency:
    """A border agency (or its training tenant) using this instance."""

    code: AgencyCode  # short code such as DGSN, UKBF, DGSN-TRAINING
    name: str
    kind: AgencyKind = AgencyKind.LIVE
    country: str = ""  # alpha-3
