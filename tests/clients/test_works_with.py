"""The README's "Works with" table stays true: it is what ``tests.clients.works_with`` renders
from the pinned versions, every test it names exists, and the npm pins are exact."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.clients import works_with


def test_the_readme_table_matches_the_pins_and_the_tests() -> None:
    readme = works_with.README.read_text(encoding="utf-8")
    assert works_with.readme_table(readme) == works_with.render(), "run: python -m tests.clients.works_with"


def test_every_named_test_exists() -> None:
    for client in works_with.CLIENTS:
        for path in client.tests:
            assert (works_with.ROOT / path).is_file(), f"{client.name}: {path} is missing"


@pytest.mark.parametrize("lock", works_with.NPM_LOCKS, ids=lambda lock: lock.parent.name)
def test_npm_clients_are_pinned_exactly_as_locked(lock: Path) -> None:
    package = json.loads((lock.parent / "package.json").read_text(encoding="utf-8"))
    locked = works_with.npm_versions(json.loads(lock.read_text(encoding="utf-8")))
    assert {name: locked[name] for name in package["dependencies"]} == package["dependencies"]
