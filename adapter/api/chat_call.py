"""What is decided about one chat request before Vertex is called, shared by every mode.

Side effects live here and in :mod:`adapter.upstream`; translation is pure.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from flask import Response, request

from ..gateway import Gateway
from ..routing.capabilities import ModelCapabilities
from ..routing.catalog import check_variant, requested_route
from ..routing.model_name import ModelRoute
from ..schemas.legacy import LEGACY_MARKER
from ..translate.direct import plan_direct_request
from ..translate.request import TranslatedRequest, remote_media_urls, to_gemini_request
from ..translate.legacy_functions import legacy_completion
from ..translate.shapes import ChatCompletion, GeminiRequest
from ..upstream.credentials import Credential, CredentialKind
from ..upstream.dispatch import Outcome
from .disconnect import HANGUPS, ClientWatch, cancellable
from .dry_run import DryRun, PlannedRequest
from ..http import json_response
from ..request_log import RequestRecord, current_record


@dataclass
class ChatCall:
    """Everything decided about one chat request before Vertex is called."""

    body: dict[str, Any]
    route: ModelRoute
    caps: ModelCapabilities
    kinds: tuple[CredentialKind, ...]
    completion_id: str
    created: int
    record: RequestRecord
    legacy_functions: bool = False

    @property
    def model(self) -> str:
        return str(self.body["model"])

    @property
    def include_usage(self) -> bool:
        """Whether a stream ends with a usage chunk (``stream_options.include_usage``)."""
        return bool((self.body.get("stream_options") or {}).get("include_usage"))


def prepare_call(gateway: Gateway, body: dict[str, Any]) -> ChatCall:
    """Parse the model name, check the variant and pick the credential kinds (no I/O)."""
    route = requested_route(str(body["model"]))
    caps = gateway.capabilities.lookup(route.base)
    check_variant(route, caps, gateway.capabilities)
    kinds = gateway.dispatcher.plan(
        route.credential,
        prefer_express=_prefers_express(gateway, caps),
        allowed=("service_account",) if route.direct else ("express", "service_account"),
    )
    record = current_record()
    record.note_model(route)
    record.stream = bool(body.get("stream"))
    legacy_functions = bool(body.pop(LEGACY_MARKER, False))
    return ChatCall(
        legacy_functions=legacy_functions,
        body=body,
        route=route,
        caps=caps,
        kinds=kinds,
        completion_id=f"chatcmpl-{uuid.uuid4().hex}",
        created=int(time.time()),
        record=record,
    )


def _prefers_express(gateway: Gateway, caps: ModelCapabilities) -> bool:
    """Whether a plain model name goes to Express keys first: when the model is offered in
    Express mode (by the remote model list when one is configured, else by the capability
    table), or when no service account is configured."""
    if not gateway.pools["service_account"]:
        return True
    remote = gateway.remote_lists()
    return caps.name in remote.express if remote is not None else caps.express


def translate(gateway: Gateway, call: ChatCall) -> TranslatedRequest:
    media = gateway.media.fetch_all(remote_media_urls(call.body))
    translated = to_gemini_request(
        call.body, call.route, call.caps, safety_threshold=gateway.settings.safety_threshold, media=media
    )
    call.record.rewrites = translated.rewrites
    return translated


def translate_direct(gateway: Gateway, call: ChatCall) -> dict[str, Any]:
    """The body for Vertex's OpenAI-compatible endpoint (``-openai``); notes its rewrites."""
    body, notes = plan_direct_request(call.body, call.route, call.caps, safety_threshold=gateway.settings.safety_threshold)
    call.record.rewrites = tuple(notes)
    return body


def gemini_url(gateway: Gateway, call: ChatCall, *, stream: bool) -> Callable[[Credential], str]:
    """The URL of the call's Gemini method for a credential: ``streamGenerateContent`` as SSE
    when ``stream``, else ``generateContent``."""
    method, query = ("streamGenerateContent", "?alt=sse") if stream else ("generateContent", "")

    def url(cred: Credential) -> str:
        return gateway.client.model_url(cred, call.route.base, method) + query

    return url


def generate_caller(gateway: Gateway, call: ChatCall, body: GeminiRequest) -> Callable[[Credential], Any]:
    """A function that sends the translated request to ``generateContent`` with a credential."""
    url = gemini_url(gateway, call, stream=False)

    def send(cred: Credential) -> Any:
        return gateway.client.post_json(cred, url(cred), body)

    return send


def run(gateway: Gateway, call: ChatCall, send: Callable[[Credential], Any]) -> Outcome[Any]:
    try:
        return gateway.dispatcher.run(call.kinds, send, attempts=call.record.attempts)
    finally:
        call.record.note_attempts()


def run_whole(gateway: Gateway, call: ChatCall, send: Callable[[Credential], Any]) -> Outcome[Any]:
    """:func:`run` for a whole answer: a client that hangs up while Vertex thinks gets its
    upstream request cut within a second, and no further attempt starts (499 in the log)."""
    with HANGUPS.watching(ClientWatch.from_environ(request.environ)) as tracker:
        return run(gateway, call, cancellable(lambda: tracker.aborted, send))


def explain_headers(call: ChatCall, outcome: Outcome[Any] | None) -> dict[str, str]:
    """Headers saying what the gateway did: upstream model, credential, attempts, rewrites."""
    headers = {"X-Gateway-Upstream-Model": call.route.base, "X-Gateway-Attempts": str(len(call.record.attempts))}
    if outcome is not None:
        headers["X-Gateway-Credential"] = outcome.credential.label
    if call.record.rewrites:
        headers["X-Gateway-Rewrites"] = "; ".join(call.record.rewrites).encode("ascii", "replace").decode("ascii")
    return headers


def completion_response(call: ChatCall, completion: ChatCompletion, outcome: Outcome[Any]) -> Response:
    """A whole answer: its usage noted for the log line, in the legacy shape when the client
    asked with ``functions``, with the explain headers."""
    call.record.usage = completion.get("usage")
    if call.legacy_functions:
        completion = legacy_completion(completion)
    return json_response(completion, headers=explain_headers(call, outcome))


def dry_run_plan(gateway: Gateway, call: ChatCall) -> DryRun:
    """The Vertex request this chat call would send (``X-Dry-Run``); translates, never sends."""
    if call.route.direct:
        planned = PlannedRequest(url=gateway.client.openai_url, body=translate_direct(gateway, call))
    else:
        streams = bool(call.body.get("stream")) and not gateway.settings.fake_streaming
        planned = PlannedRequest(url=gemini_url(gateway, call, stream=streams), body=translate(gateway, call).body)
    return DryRun(
        endpoint="chat.completions",
        model=call.model,
        upstream_model=call.route.base,
        kinds=call.kinds,
        rewrites=call.record.rewrites,
        requests=(planned,),
    )
