"""Bounded socket reads: data as it comes, None after the wait, other timeouts left alone."""

from __future__ import annotations

import socket
import time
from typing import Iterator

import gevent
import pytest
from gevent import socket as gsocket

from adapter.upstream.timed_recv import GeventTimedRecv, SocketTimedRecv, TimedRecv, timed_recv


@pytest.fixture(params=["gevent", "plain"])
def pair(request: pytest.FixtureRequest) -> Iterator[tuple[object, object]]:
    module = gsocket if request.param == "gevent" else socket
    left, right = module.socketpair()
    yield left, right
    left.close()
    right.close()


def test_the_kind_of_read_follows_the_socket(pair: tuple[object, object]) -> None:
    reader, _ = pair
    expected = GeventTimedRecv if isinstance(reader, gsocket.socket) else SocketTimedRecv
    assert type(timed_recv(reader)) is expected


def test_data_already_there_and_data_arriving_during_the_wait_are_read(pair: tuple[object, object]) -> None:
    reader, writer = pair
    bounded: TimedRecv = timed_recv(reader)
    writer.sendall(b"first")  # type: ignore[attr-defined]
    assert bounded.recv(100, 1.0) == b"first"
    if isinstance(reader, gsocket.socket):
        gevent.spawn_later(0.05, writer.sendall, b"later")  # type: ignore[attr-defined]
    else:
        writer.sendall(b"later")  # type: ignore[attr-defined]
    assert bounded.recv(100, 1.0) == b"later"
    bounded.close()


def test_a_silent_socket_comes_back_empty_after_each_wait_and_then_reads_again(pair: tuple[object, object]) -> None:
    reader, writer = pair
    bounded = timed_recv(reader)
    for wait in (0.05, 0.05, 0.1, 0.05):  # the same wait again, a new one, and back
        started = time.monotonic()
        assert bounded.recv(100, wait) is None
        assert wait * 0.8 <= time.monotonic() - started < wait + 0.5
    writer.sendall(b"at last")  # type: ignore[attr-defined]
    assert bounded.recv(100, 0.05) == b"at last"
    writer.close()  # type: ignore[attr-defined]
    assert bounded.recv(100, 0.05) == b""
    bounded.close()


def test_under_gevent_an_outer_timeout_still_reaches_its_owner(gevent_pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    reader, writer = gevent_pair
    bounded = timed_recv(reader)
    outer = gevent.Timeout(0.05)
    with pytest.raises(gevent.Timeout) as caught:
        with outer:
            bounded.recv(100, 0.1)
    assert caught.value is outer
    gevent.sleep(0.2)  # a read timer left armed would throw into this greenlet here
    writer.sendall(b"after")
    assert bounded.recv(100, 1.0) == b"after"
    bounded.close()


def test_under_gevent_other_greenlets_run_while_a_read_waits(gevent_pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    reader, _ = gevent_pair
    bounded = timed_recv(reader)
    ticks: list[float] = []

    def ticker() -> None:
        for _ in range(5):
            ticks.append(time.monotonic())
            gevent.sleep(0.01)

    other = gevent.spawn(ticker)
    assert bounded.recv(100, 0.2) is None
    other.join()
    assert len(ticks) == 5
    bounded.close()


def test_under_gevent_a_read_answered_early_leaves_the_next_wait_its_whole_length(gevent_pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    reader, writer = gevent_pair
    bounded = timed_recv(reader)
    gevent.spawn_later(0.07, writer.sendall, b"early")
    assert bounded.recv(100, 0.1) == b"early"
    started = time.monotonic()
    assert bounded.recv(100, 0.1) is None
    assert time.monotonic() - started >= 0.09
    bounded.close()
