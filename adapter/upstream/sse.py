"""A pure, incremental parser of Vertex AI's server-sent events.

Vertex frames each event as ``data: <json>`` followed by a blank line, with CRLF or LF line
endings (wire facts 16-17). Bytes arrive in arbitrary pieces; :meth:`SSEDecoder.feed` returns
the payloads completed so far. Comment lines and other fields are ignored. A JSON body written
without ``data:`` (an error some proxies send bare) is returned as a payload too.
"""

from __future__ import annotations


class SSEDecoder:
    __slots__ = ("_buffer", "_data", "_bare")

    def __init__(self) -> None:
        self._buffer = b""
        self._data: list[bytes] = []
        self._bare: list[bytes] = []

    def feed(self, chunk: bytes) -> list[bytes]:
        """Add bytes; return the payloads of the events they complete."""
        buffer = self._buffer + chunk if self._buffer else chunk
        events: list[bytes] = []
        start = 0
        while True:
            end = buffer.find(b"\n", start)
            if end < 0:
                break
            line = buffer[start:end]
            start = end + 1
            if line.endswith(b"\r"):
                line = line[:-1]
            self._line(line, events)
        self._buffer = buffer[start:]
        return events

    def close(self) -> list[bytes]:
        """End of stream: return what the last, unterminated event held."""
        events: list[bytes] = []
        if self._buffer:
            self._line(self._buffer.rstrip(b"\r"), events)
            self._buffer = b""
        self._dispatch(events)
        return events

    def _line(self, line: bytes, events: list[bytes]) -> None:
        if not line:
            self._dispatch(events)
        elif line.startswith(b"data:"):
            value = line[5:]
            self._data.append(value[1:] if value.startswith(b" ") else value)
        elif line.startswith((b":", b"event:", b"id:", b"retry:")):
            return
        else:
            self._bare.append(line)

    def _dispatch(self, events: list[bytes]) -> None:
        if self._data:
            events.append(self._data[0] if len(self._data) == 1 else b"\n".join(self._data))
            self._data = []
        if self._bare:
            events.append(b"\n".join(self._bare))
            self._bare = []
