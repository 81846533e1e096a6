"""Fixtures for the name engine: the real tables shipped with the package."""

from __future__ import annotations

import pytest

from borderwatch.domain.names.compare import NameComparer
from borderwatch.domain.names.normalize import NameParser
from borderwatch.domain.names.variants import NameTables
from borderwatch.services.names import load_name_tables


@pytest.fixture(scope="session")
def tables() -> NameTables:
    return load_name_tables()


@pytest.fixture(scope="session")
def parser(tables: NameTables) -> NameParser:
    return NameParser(tables)


@pytest.fixture(scope="session")
def comparer(tables: NameTables) -> NameComparer:
    return NameComparer(tables)
