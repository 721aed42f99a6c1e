"""Anthropic Messages through the pipeline: the plan of a request, and how its answers read.

:func:`messages_plan` resolves ``MODEL_ALIASES``, parses the model name, checks the variant
(``-openai`` calls Vertex's OpenAI endpoint, which has no Messages form), picks the credential
order and translates the request, remote media fetched first; for ``count_tokens`` the same
contents, system instruction and tools go to ``countTokens``. :class:`MessagesAnswer` holds what
the answer needs (the message id, the model name as asked, the answer options) and gives the
translators and the wire (named events, ``ping`` keep-alives).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from ..errors import InvalidRequest
from ..gateway import Gateway
from ..request_log import current_record
from ..routing.catalog import check_variant
from ..routing.model_name import DIRECT_SUFFIX, ModelRoute
from ..streaming.wire import TYPED_WIRE, EventTranslator, SSEWire, typed_frame
from ..translate.anthropic.assembly import AnswerOptions
from ..translate.anthropic.blocks import remote_media_urls
from ..translate.anthropic.events import EventTranslator as MessagesEventTranslator
from ..translate.anthropic.request import to_count_tokens_request, to_gemini_request
from ..translate.anthropic.response import AnthropicMessage, to_message
from .plan import COUNT_TOKENS, GENERATE, CallPlan, credential_order

PING = typed_frame({"type": "ping"})
MESSAGES_WIRE = SSEWire(frame=TYPED_WIRE.frame, done=TYPED_WIRE.done, keepalive=PING)
"""Named events; a quiet stream gets ``ping`` events, as Anthropic sends them."""


@dataclass(frozen=True)
class MessagesPlan:
    plan: CallPlan
    answer: AnswerOptions


def messages_plan(gateway: Gateway, body: dict[str, Any], *, count_tokens: bool = False) -> MessagesPlan:
    """The plan of a validated Messages (or count_tokens) request; fetches its remote media, sends nothing."""
    route = _route(gateway, str(body["model"]))
    caps = gateway.capabilities.lookup(route.base)
    check_variant(route, caps, gateway.capabilities)
    kinds = credential_order(gateway, route, caps)
    record = current_record()
    record.note_model(route)
    record.stream = bool(body.get("stream")) and not count_tokens
    media = gateway.media.fetch_all(remote_media_urls(body))
    if count_tokens:
        upstream = to_count_tokens_request(body, route, caps, media=media)
        plan = CallPlan(route=route, caps=caps, kinds=kinds, body=upstream, method=COUNT_TOKENS, record=record)
        return MessagesPlan(plan=plan, answer=AnswerOptions())
    translated = to_gemini_request(body, route, caps, safety_threshold=gateway.settings.safety_threshold, media=media)
    record.rewrites = translated.rewrites
    plan = CallPlan(
        route=route, caps=caps, kinds=kinds, body=translated.body, method=GENERATE, record=record,
        rewrites=translated.rewrites, stream=record.stream,
    )
    return MessagesPlan(plan=plan, answer=translated.answer)


def _route(gateway: Gateway, model: str) -> ModelRoute:
    route = gateway.route_of(model)
    if route.direct:
        raise InvalidRequest(
            f"The variant {DIRECT_SUFFIX} answers in OpenAI's format only; use the model without it on /v1/messages.",
            param="model",
        )
    return route


@dataclass(frozen=True)
class MessagesAnswer:
    """What the answer to one Messages request needs, and its translators (pure)."""

    message_id: str
    model: str
    options: AnswerOptions

    @classmethod
    def for_request(cls, body: dict[str, Any], planned: MessagesPlan) -> "MessagesAnswer":
        """A fresh message id for the request."""
        return cls(message_id=f"msg_{uuid.uuid4().hex[:24]}", model=str(body["model"]), options=planned.answer)

    def message(self, answer: dict[str, Any]) -> AnthropicMessage:
        return to_message(answer, message_id=self.message_id, model=self.model, options=self.options)

    def events(self) -> EventTranslator:
        return MessagesEventTranslator(message_id=self.message_id, model=self.model, options=self.options)
