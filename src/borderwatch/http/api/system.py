"""Open endpoints: health and version."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel
from sqlalchemy import text

from borderwatch import __version__
from borderwatch.http.deps import InstanceDep

router = APIRouter(tags=["system"])


class Health(BaseModel):
    status: str
    database: str


class Version(BaseModel):
    name: str
    version: str
    agency: str


@router.get("/health", response_model=Health, summary="Is the service up and its database reachable?")
async def health(instance: InstanceDep) -> Health:
    # A read-only transaction (no write lock on SQLite), on the event loop: a probe costs no thread hop.
    with instance.db.reading() as session:
        session.execute(text("SELECT 1"))
    return Health(status="ok", database=instance.db.engine.dialect.name)


@router.get("/version", response_model=Version, summary="Software version and agency of this instance")
def version(instance: InstanceDep) -> Version:
    return Version(name="borderwatch", version=__version__, agency=instance.settings.agency)
