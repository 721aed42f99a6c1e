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
        lines = (self._buffer + chunk if self._buffer else chunk).split(b"\n")
        self._buffer = lines.pop()  # the line not ended yet
        events: list[bytes] = []
        data = self._data
        for line in lines:
            if line[-1:] == b"\r":
                line = line[:-1]
            if not line:
                self._dispatch(events)
            elif line[:5] == b"data:":  # the common line, handled here rather than in _line
                data.append(line[6:] if line[5:6] == b" " else line[5:])
            else:
                self._line(line, events)
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
        data = self._data
        if data:
            events.append(data[0] if len(data) == 1 else b"\n".join(data))
            data.clear()  # in place: feed() holds the list
        if self._bare:
            events.append(b"\n".join(self._bare))
            self._bare = []
