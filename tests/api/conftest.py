"""Fixtures of the API tests."""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.class_client import Room


@pytest.fixture()
def room(base_url: str) -> Iterator[Room]:
    """Class pages on the session's server, all closed at the end of the test."""
    r = Room(base_url)
    yield r
    r.close()
