"""Fixtures for the emulator's own tests: each module gets a private emulator (not the session
one from ``tests/conftest.py``, whose records and open streams other tests share), reset before
every test, and an Express key registered on it."""

from __future__ import annotations

from typing import Iterator

import pytest

from tests.emulator import VertexEmulator


@pytest.fixture(scope="module")
def emulator() -> Iterator[VertexEmulator]:
    with VertexEmulator() as em:
        yield em


@pytest.fixture(scope="module")
def key(emulator: VertexEmulator) -> str:
    return emulator.new_express_key()


@pytest.fixture(autouse=True)
def _fresh(emulator: VertexEmulator) -> None:
    emulator.reset()
