"""Scripted answers: :class:`Reply` (what to send, with faults) and the matching queue.

A reply is immutable; the fault methods return a new one::

    Reply.from_sse_fixture("stream/text.gemini-2.5.sse").between(0.05).cut_after(2)
    Reply.error(429, retry_after=3)
    Reply.unary(payloads.text_response("hi")).delay(0.5)

A unary reply consumed by a streaming call is split into events (:func:`payloads.to_stream_events`),
and a stream reply consumed by a unary call is merged (:func:`payloads.merge_stream_events`).
"""

from __future__ import annotations

import copy
import dataclasses
from dataclasses import dataclass, field
from typing import Any, Iterable, Literal, Mapping

from . import payloads
from .errors import status_body
from .fixtures import load_json, load_sse_events
from .records import Credential

ReplyKind = Literal["unary", "stream", "error"]


@dataclass(frozen=True, slots=True)
class Faults:
    delay: float = 0.0
    hang: float | None = None
    between: float = 0.0
    error_after: int | None = None
    error_body: Mapping[str, Any] | None = None
    cut_after: int | None = None
    slow_chunk: int = 0
    slow_interval: float = 0.0


@dataclass(frozen=True, slots=True)
class Reply:
    kind: ReplyKind
    body: Any = None
    events: tuple[Any, ...] = ()
    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    faults: Faults = field(default_factory=Faults)
    label: str = ""

    # -- constructors -------------------------------------------------------------------------
    @classmethod
    def unary(cls, body: Mapping[str, Any], label: str = "unary") -> "Reply":
        """A whole response dict, sent as is (pretty JSON)."""
        return cls("unary", body=copy.deepcopy(dict(body)), label=label)

    @classmethod
    def stream(cls, events: Iterable[Mapping[str, Any]], label: str = "stream") -> "Reply":
        """Stream events (dicts), each sent as one SSE event."""
        return cls("stream", events=tuple(copy.deepcopy(dict(event)) for event in events), label=label)

    @classmethod
    def error(cls, status: int, message: str | None = None, retry_after: float | None = None,
              body: Mapping[str, Any] | None = None) -> "Reply":
        """An error answer: the example body for ``status`` unless ``message``/``body`` is given."""
        headers = (("Retry-After", _retry_after(retry_after)),) if retry_after is not None else ()
        error_body = copy.deepcopy(dict(body)) if body is not None else status_body(status, message)
        return cls("error", body=error_body, status=status, headers=headers, label=f"error {status}")

    @classmethod
    def from_fixture(cls, relative: str) -> "Reply":
        """A unary (or error) reply from ``tests/fixtures/vertex/examples/<relative>``."""
        body = load_json(relative)
        if isinstance(body, list) and len(body) == 1:
            body = body[0]
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            return cls.error(int(body["error"].get("code", 500)), body=body)
        return cls.unary(body, label=relative)

    @classmethod
    def from_sse_fixture(cls, relative: str) -> "Reply":
        """A stream reply from an ``.sse`` example (events in order)."""
        return cls.stream(load_sse_events(relative), label=relative)

    # -- faults ---------------------------------------------------------------------------------
    def _with(self, **changes: Any) -> "Reply":
        return dataclasses.replace(self, faults=dataclasses.replace(self.faults, **changes))

    def delay(self, seconds: float) -> "Reply":
        """Wait ``seconds`` before sending the status line and headers."""
        return self._with(delay=seconds)

    def hang(self, seconds: float) -> "Reply":
        """Send nothing for ``seconds`` (or until the client goes away), then drop the connection."""
        return self._with(hang=seconds)

    def between(self, seconds: float) -> "Reply":
        """Wait ``seconds`` between stream events."""
        return self._with(between=seconds)

    def error_after(self, events: int, status: int = 429, body: Mapping[str, Any] | None = None) -> "Reply":
        """After ``events`` events, send an ``{"error": ...}`` event (HTTP 200 already sent) and end."""
        error = dict(body) if body is not None else status_body(status)
        return self._with(error_after=events, error_body=error)

    def cut_after(self, events: int) -> "Reply":
        """After ``events`` events, close the socket without finishing the chunked body.

        On a unary call the headers and half of the body are sent, then the socket is closed.
        """
        return self._with(cut_after=events)

    def slow(self, chunk: int = 8, interval: float = 0.01) -> "Reply":
        """Send the body ``chunk`` bytes at a time, ``interval`` seconds apart."""
        return self._with(slow_chunk=chunk, slow_interval=interval)

    # -- rendering helpers ------------------------------------------------------------------------
    def unary_body(self) -> Any:
        if self.kind == "stream":
            return payloads.merge_stream_events(list(self.events))
        return copy.deepcopy(self.body)

    def stream_events(self) -> list[Any]:
        if self.kind == "unary":
            return payloads.to_stream_events(self.body)
        return copy.deepcopy(list(self.events))


def _retry_after(seconds: float) -> str:
    return str(int(seconds)) if float(seconds).is_integer() else str(seconds)


CredentialFilter = str | Credential | None


@dataclass(slots=True)
class QueuedReply:
    """A reply waiting for a call that matches its filters."""

    seq: int
    reply: Reply
    model: str | None = None
    credential: CredentialFilter = None
    method: tuple[str, ...] | None = None
    remaining: int | None = 1

    def matches(self, model: str | None, credential: Credential | None, label: str | None, rpc: str) -> bool:
        if self.model is not None and self.model != model:
            return False
        if self.method is not None and rpc not in self.method:
            return False
        return self.credential is None or _credential_matches(self.credential, credential, label)

    def describe(self) -> dict[str, Any]:
        return {
            "label": self.reply.label, "kind": self.reply.kind, "model": self.model,
            "credential": self.credential, "method": self.method, "remaining": self.remaining,
        }


def _credential_matches(wanted: CredentialFilter, credential: Credential | None, label: str | None) -> bool:
    if credential is None:
        return False
    if isinstance(wanted, tuple):
        return wanted == credential
    return wanted in (label, credential[1])


def normalize_credential(credential: Any) -> CredentialFilter:
    """Accept a label (``sa#0``), an email, an express key, a ServiceAccountKey or an identity tuple."""
    if credential is None or isinstance(credential, (str, tuple)):
        return credential
    email = getattr(credential, "client_email", None)
    if isinstance(email, str):
        return ("service_account", email)
    raise TypeError(f"cannot match on credential {credential!r}")


def normalize_method(method: str | Iterable[str] | None) -> tuple[str, ...] | None:
    if method is None:
        return None
    return (method,) if isinstance(method, str) else tuple(method)
