"""Fixtures shared by the unit tests."""

from __future__ import annotations

from typing import Iterator

import pytest
from gevent import socket as gsocket


@pytest.fixture
def gevent_pair() -> Iterator[tuple[gsocket.socket, gsocket.socket]]:
    """Two connected gevent sockets, closed after the test."""
    left, right = gsocket.socketpair()
    yield left, right
    left.close()
    right.close()
