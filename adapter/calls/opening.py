"""How a plan's stream is opened inside the pump: failover covers everything up to its first
events (a real ``streamGenerateContent`` stream), or the whole answer (fake streaming)."""

from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import request

from ..errors import UpstreamError
from ..gateway import Gateway
from ..streaming.disconnect import HANGUPS, ClientWatch, cancellable
from ..streaming.pump import NoMoreEvents, Opened, UpstreamPump
from ..upstream.credentials import Credential
from ..upstream.dispatch import Outcome
from ..upstream.stream import UpstreamStream
from .plan import CallPlan
from .urls import upstream_url

T = TypeVar("T")


def dispatch(gateway: Gateway, plan: CallPlan, attempt: Callable[[Credential], T]) -> Outcome[T]:
    """``attempt`` with failover over the plan's credential kinds; attempts noted on its record."""
    try:
        return gateway.dispatcher.run(plan.kinds, attempt, attempts=plan.record.attempts)
    finally:
        plan.record.note_attempts()


def poster(gateway: Gateway, plan: CallPlan) -> Callable[[Credential], dict[str, Any]]:
    """A function that POSTs the plan's body with a credential and returns the JSON answer."""
    url, body, post_json = upstream_url(gateway, plan), plan.body, gateway.client.post_json
    return lambda cred: post_json(cred, url(cred), body)


def dispatch_whole(gateway: Gateway, plan: CallPlan) -> Outcome[dict[str, Any]]:
    """:func:`dispatch` for a whole answer: a client that hangs up while Vertex thinks gets its
    upstream request cut within a second, and no further attempt starts (499 in the log)."""
    with HANGUPS.watching(ClientWatch.from_environ(request.environ)) as tracker:
        return dispatch(gateway, plan, cancellable(lambda: tracker.aborted, poster(gateway, plan)))


def stream_opener(gateway: Gateway, plan: CallPlan) -> Callable[[UpstreamPump], Outcome[Opened]]:
    """An opener that opens the plan's SSE stream and reads its first events."""
    url, body, open_stream = upstream_url(gateway, plan), plan.body, gateway.client.open_stream

    def opener(pump: UpstreamPump) -> Outcome[Opened]:
        def open_and_peek(cred: Credential) -> Opened:
            stream = open_stream(cred, url(cred), body)
            pump.track(stream)
            try:
                return Opened(_first_events(stream), stream)
            except BaseException:
                stream.close()
                raise

        return dispatch(gateway, plan, cancellable(lambda: pump.cancelled, open_and_peek))

    return opener


def fake_opener(gateway: Gateway, plan: CallPlan) -> Callable[[UpstreamPump], Outcome[Opened]]:
    """An opener that asks for the whole answer and hands it over as the stream's one event."""
    send = poster(gateway, plan)

    def opener(pump: UpstreamPump) -> Outcome[Opened]:
        outcome = dispatch(gateway, plan, cancellable(lambda: pump.cancelled, send))
        return Outcome(Opened([outcome.value], NoMoreEvents()), outcome.credential, outcome.attempts)

    return opener


def _first_events(stream: UpstreamStream) -> list[Any]:
    while True:
        events = stream.read()
        if events is None:
            raise UpstreamError("Vertex AI closed the stream without an answer.", upstream_status=502)
        if events:
            return events
