"""The Responses API through the pipeline: a request's plan, its stored history, its answer.

:func:`responses_plan` parses the model name (``-openai`` direct models are Chat Completions
only: a 400 naming ``model``), loads the conversation of ``previous_response_id`` and the items
``item_reference`` names from the store (an unknown, expired or deleted id is a 404 naming
``previous_response_id`` before anything is sent to Vertex), fetches remote media and
translates the request. :class:`ResponsesTurn` holds what the answer needs (response id,
creation time, the echoed head, output options), gives its translators, and
:meth:`ResponsesTurn.store` writes the
turn's document synchronously (``store`` defaults to true), so the next request finds it on any
worker or instance. The store lives on the state layer; when it cannot be reached the request
is a 503 ``state_unavailable``. A stored response belongs to the client key that created it
(``owner``: the key's name, never the key): for any other key it does not exist (404), whether
read, deleted, listed, continued with ``previous_response_id`` or named by ``item_reference``.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any, Callable, Mapping, cast

from ..errors import InvalidRequest, NotFound
from ..gateway import Gateway
from ..keys.definitions import ADMIN_NAME
from ..request_log import current_record
from ..routing.catalog import check_variant
from ..streaming.wire import TYPED_WIRE, EventTranslator, SSEWire
from ..translate.responses.events import EventTranslator as ResponseEvents
from ..translate.responses.head import ResponseObject, response_head
from ..translate.responses.history import conversation_of, input_item_resources, item_page, stored_document
from ..translate.responses.items import Conversation, item_type
from ..translate.responses.items_out import response_id_of_item
from ..translate.responses.output import OutputOptions
from ..translate.responses.params import ENCRYPTED_REASONING_INCLUDE
from ..translate.responses.request import input_items, remote_media_urls, to_gemini_request
from ..translate.responses.response import translate_whole
from ..translate.shapes import GeminiPart
from .plan import ANY_KIND, COUNT_TOKENS, GENERATE, CallPlan, credential_order

COUNT_FIELDS = ("contents", "systemInstruction", "tools")
"""What Vertex's ``countTokens`` takes of a ``generateContent`` body."""
DIRECT_MODELS = (
    "the -openai variant serves Chat Completions only; use the model name without -openai "
    "for the Responses API"
)


@dataclass(frozen=True)
class ResponsesTurn:
    """What the answer to one Responses request needs (and what the store keeps of it)."""

    head: ResponseObject
    options: OutputOptions
    system: tuple[GeminiPart, ...]
    sent_contents: tuple[dict[str, Any], ...]
    input_items: tuple[dict[str, Any], ...]
    store_it: bool
    owner: str

    @property
    def response_id(self) -> str:
        return str(self.head["id"])

    def response(self, answer: dict[str, Any]) -> tuple[ResponseObject, list[GeminiPart]]:
        """The Response for Vertex's whole answer, and the answer's parts for the store."""
        return translate_whole(answer, self.head, self.options)

    def events(self) -> EventTranslator:
        """A translator for one stream of this answer."""
        return ResponseEvents(self.head, self.options)

    @staticmethod
    def wire() -> SSEWire:
        """Named events (``event: <type>``), nothing after the last one."""
        return TYPED_WIRE

    def store_stream(self, gateway: Gateway) -> Callable[[EventTranslator], None]:
        """The stream's ``on_finish``: store the turn once its translator has finished."""

        def on_finish(translator: EventTranslator) -> None:
            events = cast(ResponseEvents, translator)
            self.store(gateway, cast(ResponseObject, events.response), events.answer_parts)

        return on_finish

    def store(self, gateway: Gateway, response: ResponseObject, answer_parts: list[GeminiPart]) -> None:
        """Write this turn's document (if ``store`` is on), before the client sees the answer."""
        if not self.store_it:
            return
        document = stored_document(
            response=response, input_items=self.input_items, system=self.system,
            sent_contents=self.sent_contents, answer_parts=answer_parts, owner=self.owner,
        )
        gateway.state.put_response(self.response_id, document, gateway.settings.responses_ttl)


def responses_plan(gateway: Gateway, body: dict[str, Any], *, method: str = GENERATE) -> tuple[CallPlan, ResponsesTurn]:
    """The plan of a validated Responses request, and its turn (reads the store; sends nothing)."""
    route = gateway.route_of(str(body["model"]))
    if route.direct:
        raise InvalidRequest(DIRECT_MODELS, param="model", code="model_variant_not_supported")
    caps = gateway.capabilities.lookup(route.base)
    check_variant(route, caps, gateway.capabilities)
    kinds = credential_order(gateway, route, caps, allowed=ANY_KIND)
    record = current_record()
    record.note_model(route)
    record.stream = method == GENERATE and bool(body.get("stream"))
    history = previous_conversation(gateway, body.get("previous_response_id"))
    references = referenced_items(gateway, input_items(body))
    media = gateway.media.fetch_all(remote_media_urls(body))
    translated = to_gemini_request(
        body, route, caps, safety_threshold=gateway.settings.safety_threshold, media=media,
        history=history, references=references,
    )
    record.rewrites = translated.rewrites
    upstream_body = translated.body if method == GENERATE else {k: translated.body[k] for k in COUNT_FIELDS if k in translated.body}
    plan = CallPlan(route=route, caps=caps, kinds=kinds, body=upstream_body, method=method, record=record,
                    rewrites=translated.rewrites, stream=record.stream)
    response_id = f"resp_{uuid.uuid4().hex}"
    turn = ResponsesTurn(
        head=response_head(body, response_id=response_id, created_at=int(time.time()), model=str(body["model"])),
        options=OutputOptions(
            custom_names=translated.custom_names,
            namespaces=translated.namespaces,
            encrypted_reasoning=ENCRYPTED_REASONING_INCLUDE in (body.get("include") or ()),
        ),
        system=translated.conversation.system,
        sent_contents=tuple(translated.body["contents"]),
        input_items=tuple(input_item_resources(input_items(body), response_id, references)),
        store_it=body.get("store", True) is not False,
        owner=request_owner(),
    )
    return plan, turn


def request_owner() -> str:
    """The name of the key the request came with: the owner of what it stores."""
    return current_record().key_name or ADMIN_NAME


def owned_document(gateway: Gateway, response_id: str) -> dict[str, Any] | None:
    """The stored document of ``response_id`` if the request's key owns it, else None."""
    document = gateway.state.get_response(response_id)
    return document if document is not None and document.get("owner") == request_owner() else None


def stored_response(gateway: Gateway, response_id: str, *, param: str | None = None) -> dict[str, Any]:
    """The stored document of ``response_id``, or a 404 (naming ``param`` when given) when it is
    unknown, expired, deleted or another key's."""
    document = owned_document(gateway, response_id)
    if document is None:
        raise NotFound(f"Response with id '{response_id}' not found.", param=param)
    return document


def input_items_page(gateway: Gateway, response_id: str, *, order: str, after: str | None, limit: int) -> dict[str, Any]:
    """A ``ResponseItemList`` page of a stored response's input items (404 when unknown)."""
    return item_page(stored_response(gateway, response_id)["input_items"], order=order, after=after, limit=limit)


def previous_conversation(gateway: Gateway, previous_id: str | None) -> Conversation:
    if previous_id is None:
        return Conversation()
    return conversation_of(stored_response(gateway, previous_id, param="previous_response_id"))


def referenced_items(gateway: Gateway, items: list[dict[str, Any]]) -> dict[str, Mapping[str, Any]]:
    """The stored items that ``item_reference`` items name (unknown ones are left out)."""
    found: dict[str, Mapping[str, Any]] = {}
    for item in items:
        item_id = str(item.get("id"))
        response_id = response_id_of_item(item_id) if item_type(item) == "item_reference" else None
        document = owned_document(gateway, response_id) if response_id else None
        if document is None:
            continue
        for stored in (*document["response"]["output"], *document["input_items"]):
            if stored.get("id") == item_id:
                found[item_id] = stored
    return found
