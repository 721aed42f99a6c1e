"""The faster ``sendall`` that gunicorn's gevent workers use: same bytes, same errors."""

from __future__ import annotations

from typing import Iterator

import gevent
import pytest
from gevent import socket as gsocket

from adapter.gevent_sendall import install


@pytest.fixture
def pair() -> Iterator[tuple[gsocket.socket, gsocket.socket]]:
    install()
    left, right = gsocket.socketpair()
    yield left, right
    left.close()
    right.close()


def _read_all(sock: gsocket.socket, size: int, pause: float = 0.0) -> bytes:
    got = bytearray()
    while len(got) < size:
        piece = sock.recv(65536)
        if not piece:
            break
        got += piece
        if pause:
            gevent.sleep(pause)
    return bytes(got)


def test_install_is_idempotent() -> None:
    install()
    patched = gsocket.socket.sendall
    install()
    assert gsocket.socket.sendall is patched


def test_a_small_piece_arrives_whole(pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    left, right = pair
    left.sendall(b'data: {"n": 1}\n\n')
    assert right.recv(100) == b'data: {"n": 1}\n\n'


@pytest.mark.parametrize("kind", [bytes, bytearray, memoryview])
def test_a_piece_larger_than_the_socket_buffer_arrives_whole_to_a_slow_reader(pair: tuple[gsocket.socket, gsocket.socket], kind: type) -> None:
    left, right = pair
    payload = bytes(range(256)) * 32768  # 8 MiB: many times the buffer, so the first send is partial
    reader = gevent.spawn(_read_all, right, len(payload), 0.001)
    left.sendall(kind(payload))
    assert reader.get(timeout=30) == payload


def test_a_peer_that_hung_up_raises_as_gevent_does(pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    left, right = pair
    right.close()
    with pytest.raises((BrokenPipeError, ConnectionResetError)):
        for _ in range(3):
            left.sendall(b"x" * 1024)


def test_a_timeout_still_applies_when_the_reader_stalls(pair: tuple[gsocket.socket, gsocket.socket]) -> None:
    left, _ = pair
    left.settimeout(0.2)
    with pytest.raises(TimeoutError):
        left.sendall(b"x" * (16 * 1024 * 1024))
