"""The worker's start-up reads the installed packages' entry points once while gevent patches
(adapter/entry_points_once.py); gevent's plugins and everyone else's entry points stay the same."""

from __future__ import annotations

import inspect
from importlib import metadata

import gevent
import pytest
from gevent import events

from adapter.entry_points_once import entry_points_read_once

GROUPS = ["gevent.plugins.monkey.will_patch_all", "gevent.plugins.monkey.did_patch_all", "console_scripts", "pytest11", "no.such.group"]


def test_each_group_selects_the_same_entry_points_as_a_fresh_reading() -> None:
    before = {group: sorted(metadata.entry_points(group=group)) for group in GROUPS}
    with entry_points_read_once():
        inside = {group: sorted(metadata.entry_points(group=group)) for group in GROUPS}
    assert inside == before
    assert before["gevent.plugins.monkey.will_patch_all"]  # gevent's own plugin is found


def test_the_distributions_are_read_once_within_the_block(monkeypatch: pytest.MonkeyPatch) -> None:
    reads: list[int] = []
    original = metadata.distributions

    def counted(**params: object) -> object:
        reads.append(1)
        return original(**params)

    monkeypatch.setattr(metadata, "distributions", counted)
    with entry_points_read_once():
        for group in GROUPS * 5:
            metadata.entry_points(group=group)
    assert len(reads) == 1


def test_the_block_puts_the_library_function_back_even_after_an_error() -> None:
    original = metadata.entry_points
    with pytest.raises(RuntimeError), entry_points_read_once():
        assert metadata.entry_points is not original
        raise RuntimeError("boom")
    assert metadata.entry_points is original


def test_gevent_still_finds_its_plugins_through_importlib_metadata_entry_points() -> None:
    source = inspect.getsource(events.notify_and_call_entry_points)
    assert "metadata.entry_points(group=" in source, f"gevent {gevent.__version__} finds plugins differently: re-check adapter/entry_points_once.py"
