"""Chat Completions through the pipeline: the plan of a request, and how its answers read.

:func:`chat_plan` parses the model name, checks the variant, picks the credential order and
translates the request (fetching remote media first): a Gemini body, or in direct mode
(``-openai``) the body for Vertex's OpenAI-compatible endpoint. :class:`ChatAnswer` holds
what the answer needs (completion id, creation time, legacy shape) and gives the translators.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass
from typing import Any, cast

from ..gateway import Gateway
from ..request_log import current_record
from ..routing.capabilities import ModelCapabilities
from ..routing.catalog import check_variant
from ..routing.model_name import ModelRoute
from ..schemas.legacy import ChatRequest
from ..streaming.wire import DATA_WIRE, EventTranslator, SSEWire, data_frame
from ..translate.chunks import ChunkTranslator
from ..translate.direct import DirectChunkTranslator, direct_response, plan_direct_request
from ..translate.legacy_functions import LegacyChunks, legacy_completion
from ..translate.request import remote_media_urls, to_gemini_request
from ..translate.response import to_chat_completion
from ..translate.shapes import ChatCompletion
from .plan import ANY_KIND, GENERATE, OPENAI_CHAT, SERVICE_ACCOUNTS_ONLY, CallPlan, credential_order


def chat_plan(gateway: Gateway, body: ChatRequest) -> CallPlan:
    """The plan of a validated chat request (fetches its remote media; sends nothing)."""
    route = gateway.route_of(str(body["model"]))
    caps = gateway.capabilities.lookup(route.base)
    check_variant(route, caps, gateway.capabilities)
    kinds = credential_order(gateway, route, caps, allowed=SERVICE_ACCOUNTS_ONLY if route.direct else ANY_KIND)
    record = current_record()
    record.note_model(route)
    record.stream = bool(body.get("stream"))
    upstream_body, method, rewrites = _upstream_body(gateway, body, route, caps)
    record.rewrites = rewrites
    return CallPlan(
        route=route,
        caps=caps,
        kinds=kinds,
        body=upstream_body,
        method=method,
        record=record,
        rewrites=rewrites,
        stream=record.stream,
        legacy_functions=body.legacy_functions,
    )


def _upstream_body(gateway: Gateway, body: dict[str, Any], route: ModelRoute, caps: ModelCapabilities) -> tuple[dict[str, Any], str, tuple[str, ...]]:
    """(body, method, rewrites) for Vertex."""
    threshold = gateway.settings.safety_threshold
    if route.direct:
        direct_body, notes = plan_direct_request(body, route, caps, safety_threshold=threshold)
        return direct_body, OPENAI_CHAT, tuple(notes)
    media = gateway.media.fetch_all(remote_media_urls(body))
    translated = to_gemini_request(body, route, caps, safety_threshold=threshold, media=media)
    return cast(dict[str, Any], translated.body), GENERATE, tuple(translated.rewrites)


@dataclass(frozen=True)
class ChatAnswer:
    """What the answer to one chat request needs, and its translators (pure)."""

    model: str
    completion_id: str
    created: int
    include_usage: bool
    direct: bool
    legacy_functions: bool

    @classmethod
    def for_request(cls, body: dict[str, Any], plan: CallPlan) -> "ChatAnswer":
        """A fresh completion id (32 random hex digits, as ``uuid4().hex`` gave, at a third of
        its cost) and creation time for the request."""
        return cls(
            model=str(body["model"]),
            completion_id=f"chatcmpl-{secrets.token_hex(16)}",
            created=int(time.time()),
            include_usage=bool((body.get("stream_options") or {}).get("include_usage")),
            direct=plan.method == OPENAI_CHAT,
            legacy_functions=plan.legacy_functions,
        )

    def completion(self, answer: dict[str, Any]) -> ChatCompletion:
        """The chat completion for Vertex's whole answer."""
        if self.direct:
            completion = direct_response(answer, model=self.model)
        else:
            completion = to_chat_completion(answer, completion_id=self.completion_id, created=self.created, model=self.model)
        return legacy_completion(completion) if self.legacy_functions else completion

    def chunks(self) -> EventTranslator:
        """A translator for one stream of this answer."""
        translator: EventTranslator
        if self.direct:
            translator = DirectChunkTranslator(model=self.model, include_usage=self.include_usage)
        else:
            translator = ChunkTranslator(completion_id=self.completion_id, created=self.created, model=self.model, include_usage=self.include_usage)
        return LegacyChunks(translator) if self.legacy_functions else translator

    def wire(self) -> SSEWire:
        """``data:`` frames; a fake stream's keep-alive is an empty assistant chunk."""
        empty = {"role": "assistant", "content": ""}
        chunk = {"id": self.completion_id, "object": "chat.completion.chunk", "created": self.created, "model": self.model}
        keepalive = data_frame({**chunk, "choices": [{"index": 0, "delta": empty, "logprobs": None, "finish_reason": None}]})
        return SSEWire(frame=DATA_WIRE.frame, done=DATA_WIRE.done, keepalive=DATA_WIRE.keepalive, fake_keepalive=keepalive)
