"""The Alembic migrations build exactly the tables the code declares, on both engines."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from borderwatch.services.instance import Instance
from borderwatch.store.tables import Base


def test_migrations_match_the_declared_tables(instance: Instance) -> None:
    assert set(Base.metadata.tables) <= set(instance.db.table_names())
    with instance.db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, Base.metadata)
    assert differences == []


def test_migrating_twice_changes_nothing(instance: Instance) -> None:
    before = instance.db.table_names()
    instance.db.migrate()
    assert instance.db.table_names() == before
    with instance.db.engine.connect() as connection:
        version = connection.execute(sa.text("SELECT version_num FROM alembic_version")).scalar_one()
    assert version
