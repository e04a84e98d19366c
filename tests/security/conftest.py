"""The security suite's figures name the database they were measured on."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.security import props


@pytest.fixture(autouse=True)
def _figures_name_the_database(request: pytest.FixtureRequest) -> Iterator[None]:
    callspec = getattr(request.node, "callspec", None)
    props.current_database = callspec.params.get("database_url") if callspec else None
    yield
    props.current_database = None
