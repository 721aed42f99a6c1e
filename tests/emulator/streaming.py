"""Response bodies sent piece by piece, with faults, and connection-level helpers.

:class:`BodyWriter` is returned to werkzeug as the WSGI iterable. werkzeug always calls its
``close()``, so a client that goes away early (a broken pipe on write, or a closed socket noticed
while waiting between events) is recorded as ``client_disconnected`` at once.
"""

from __future__ import annotations

import select
import socket
import threading
import time
from typing import Any, Generator, Iterator, Sequence

from .records import StreamOutcome, StreamRecord
from .script import Faults

_SLICE = 0.02


class Connection:
    """The client socket of one request (``environ["werkzeug.socket"]``) and the server's stop flag."""

    def __init__(self, environ: dict[str, Any], stopping: threading.Event) -> None:
        self.sock: socket.socket | None = environ.get("werkzeug.socket")
        self.stopping = stopping

    def client_gone(self) -> bool:
        if self.sock is None:
            return False
        try:
            readable, _, _ = select.select([self.sock], [], [], 0)
            return bool(readable) and self.sock.recv(1, socket.MSG_PEEK) == b""
        except (OSError, ValueError):
            return True

    def wait(self, seconds: float) -> bool:
        """Sleep up to ``seconds``; False as soon as the client goes away or the server stops."""
        deadline = time.monotonic() + seconds
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return True
            if self.stopping.is_set() or self.client_gone():
                return False
            time.sleep(min(_SLICE, remaining))

    def cut(self) -> None:
        """Close the connection abruptly (no terminating chunk, no remaining bytes)."""
        if self.sock is None:
            return
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass


def split_bytes(data: bytes, size: int) -> list[bytes]:
    if size <= 0:
        return [data]
    return [data[start:start + size] for start in range(0, len(data), size)] or [data]


class BodyWriter:
    """A WSGI body made of ``pieces`` (events), sent with ``faults``; updates ``record`` as it goes."""

    def __init__(self, pieces: Sequence[bytes], faults: Faults, connection: Connection,
                 record: StreamRecord | None, error_piece: bytes | None = None) -> None:
        self.pieces = list(pieces)
        self.faults = faults
        self.connection = connection
        self.record = record if record is not None else StreamRecord()
        self.error_piece = error_piece
        self._generator: Generator[bytes, None, None] | None = None

    def __iter__(self) -> Iterator[bytes]:
        self._generator = self._generate()
        return self._generator

    def _finish(self, outcome: StreamOutcome) -> None:
        if self.record.outcome == "open":
            self.record.outcome = outcome
            self.record.ended_at = time.monotonic()

    def _generate(self) -> Generator[bytes, None, None]:
        faults = self.faults
        for position, piece in enumerate(self.pieces):
            if faults.cut_after == position:
                self._finish("cut")
                self.connection.cut()
                return
            if position and faults.between and not self.connection.wait(faults.between):
                self._finish("client_disconnected")
                return
            if faults.error_after == position and self.error_piece is not None:
                yield self.error_piece
                self.record.events_sent += 1
                break
            for chunk_index, chunk in enumerate(split_bytes(piece, faults.slow_chunk)):
                if chunk_index and faults.slow_interval and not self.connection.wait(faults.slow_interval):
                    self._finish("client_disconnected")
                    return
                yield chunk
            self.record.events_sent += 1
        else:
            if faults.error_after is not None and faults.error_after >= len(self.pieces) and self.error_piece is not None:
                yield self.error_piece
                self.record.events_sent += 1
        if faults.cut_after is not None and faults.cut_after >= len(self.pieces):
            self._finish("cut")
            self.connection.cut()
            return
        self._finish("completed")

    def close(self) -> None:
        if self._generator is not None:
            self._generator.close()
        self._finish("client_disconnected")
