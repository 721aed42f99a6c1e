"""Waiting for the upstream's answer lets the other ready greenlets run first, even when the answer is already there."""

from __future__ import annotations

import socket

import gevent
import pytest
from gevent import socket as gsocket

from adapter.upstream.fair_wait import wait_for_answer


def test_an_answer_already_waiting_is_read_only_after_the_other_ready_greenlets_ran(gevent_pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    upstream, gateway = gevent_pair
    upstream.sendall(b"HTTP/1.1 200 OK\r\n\r\n")
    order: list[str] = []

    def request_with_its_answer_waiting() -> None:
        wait_for_answer(gateway, 5.0)
        order.append("answer read")

    def another_connection() -> None:
        order.append("other request served")

    first = gevent.spawn(request_with_its_answer_waiting)
    second = gevent.spawn(another_connection)
    gevent.joinall([first, second], timeout=5, raise_error=True)
    assert order == ["other request served", "answer read"]
    assert gateway.recv(100) == b"HTTP/1.1 200 OK\r\n\r\n"


def test_a_silent_upstream_times_out_as_a_read_would(gevent_pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    _, gateway = gevent_pair
    with pytest.raises(socket.timeout):
        wait_for_answer(gateway, 0.05)


def test_a_closed_upstream_wakes_the_wait_at_once(gevent_pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    upstream, gateway = gevent_pair
    gevent.spawn_later(0.01, upstream.shutdown, socket.SHUT_RDWR)
    with gevent.Timeout(2):
        wait_for_answer(gateway, 30.0)
    assert gateway.recv(100) == b""


def test_a_plain_socket_reads_as_before() -> None:
    left, right = socket.socketpair()
    with left, right:
        wait_for_answer(right, 0.01)  # returns at once: no answer, no hub, no timeout
