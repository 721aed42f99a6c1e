"""What the emulator remembers about each request and each streamed response."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

Credential = tuple[str, str]
"""``("service_account", client_email)``, ``("express", key)`` or ``("token", "")`` for an unknown token."""

StreamOutcome = Literal["open", "completed", "client_disconnected", "cut", "hung_up"]


@dataclass
class StreamRecord:
    """Lifecycle of one streamed response body.

    ``outcome`` is ``completed`` (read to the end), ``client_disconnected`` (the client went away
    early: GeneratorExit or a broken pipe), ``cut`` (a scripted connection cut) or ``hung_up``.
    """

    started_at: float = field(default_factory=time.monotonic)
    events_sent: int = 0
    ended_at: float | None = None
    outcome: StreamOutcome = "open"

    @property
    def is_open(self) -> bool:
        return self.outcome == "open"

    @property
    def client_went_away(self) -> bool:
        return self.outcome == "client_disconnected"

    @property
    def duration(self) -> float | None:
        return None if self.ended_at is None else self.ended_at - self.started_at


@dataclass
class CallRecord:
    """One request as the emulator saw it, and what it answered.

    ``rpc`` is ``generateContent``, ``streamGenerateContent``, ``countTokens``, ``predict``,
    ``chat.completions`` or ``token``. ``outcome`` is ``ok``, ``rejected`` (request validation),
    ``unauthenticated`` (auth layer), ``not_found``, ``scripted_error`` or ``fault``.
    """

    seq: int
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    rpc: str
    api_version: str | None = None
    model: str | None = None
    project: str | None = None
    location: str | None = None
    express: bool = False
    body: Any = None
    credential: Credential | None = None
    credential_label: str | None = None
    outcome: str = "pending"
    status: int | None = None
    error_message: str | None = None
    reply_label: str | None = None
    stream: StreamRecord | None = None
    received_at: float = field(default_factory=time.monotonic)

    @property
    def accepted(self) -> bool:
        """True when the request passed authentication and validation."""
        return self.outcome in ("ok", "scripted_error", "fault")

    @property
    def contents(self) -> list[Any]:
        """The request's ``contents`` (either spelling), or an empty list."""
        if not isinstance(self.body, dict):
            return []
        value = self.body.get("contents", [])
        return value if isinstance(value, list) else [value]
