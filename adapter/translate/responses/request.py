"""A validated ``POST /v1/responses`` body → Vertex ``GenerateContentRequest`` (pure).

The front door calls :func:`remote_media_urls` first (to fetch http(s) media at the edge),
resolves ``item_reference`` items and loads the stored conversation of ``previous_response_id``
(see :mod:`.history`), then :func:`to_gemini_request`. ``instructions`` are the first part of
``systemInstruction``, followed by the system/developer items of the conversation; they are never
inherited from an earlier response. What cannot be honoured is an InvalidRequest naming the
parameter; what is rewritten or ignored is listed in ``rewrites`` (for ``X-Gateway-Rewrites``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.generation import labels, safety_settings
from adapter.translate.messages import move_prefill, open_with_user_turn
from adapter.translate.parts import Media
from adapter.translate.shapes import GeminiRequest
from adapter.translate.tools import refuse_json_with_tools

from .content import remote_url_of_part
from .items import Conversation, to_contents
from .params import response_generation_config
from .tools import build_tools

__all__ = ["Media", "TranslatedResponseRequest", "input_items", "remote_media_urls", "to_gemini_request"]

JSON_WITH_TOOLS = (
    "model {model} cannot answer in JSON (text.format) in a request with tools that it may use; "
    "use a Gemini 3 model, set tool_choice to 'none', or leave out text.format"
)


@dataclass(frozen=True, slots=True)
class TranslatedResponseRequest:
    body: GeminiRequest
    rewrites: tuple[str, ...]
    conversation: Conversation
    """The conversation sent (system parts from items, contents), for the store."""
    custom_names: frozenset[str]
    """Custom tools, whose calls the answer gives as ``custom_tool_call`` items."""
    namespaces: Mapping[str, str]
    """Tools declared from a ``namespace`` → its name, given on their calls."""


def input_items(req: Mapping[str, Any]) -> list[dict[str, Any]]:
    """``input`` as a list of items (a string is one user message)."""
    value = req.get("input")
    if isinstance(value, str):
        return [{"type": "message", "role": "user", "content": value}]
    return list(value or [])


def remote_media_urls(req: Mapping[str, Any]) -> dict[str, str]:
    """URLs the edge must handle (http(s) to fetch, gs:// to check against the allowed buckets),
    each mapped to where it first appears, e.g. ``input[2].content[0].image_url`` (for errors)."""
    urls: dict[str, str] = {}
    for i, item in enumerate(input_items(req)):
        for key in ("content", "output"):
            parts = item.get(key) if isinstance(item, dict) else None
            for j, part in enumerate(parts if isinstance(parts, list) else ()):
                found = remote_url_of_part(part)
                if found is not None and found[0] not in urls:
                    urls[found[0]] = f"input[{i}].{key}[{j}].{found[1]}"
    return urls


def to_gemini_request(
    req: Mapping[str, Any],
    route: ModelRoute,
    caps: ModelCapabilities,
    *,
    safety_threshold: str = "OFF",
    media: Mapping[str, Media] | None = None,
    history: Conversation = Conversation(),
    references: Mapping[str, Mapping[str, Any]] | None = None,
) -> TranslatedResponseRequest:
    """Raises adapter.errors.InvalidRequest(message, param=...) for what cannot be honoured."""
    items = input_items(req)
    conversation = to_contents(items, caps, media or {}, history=history, references=references)
    contents, opening_notes = open_with_user_turn(list(conversation.contents))
    contents, prefill_notes = move_prefill(contents, caps)
    body: dict[str, Any] = {"contents": contents}
    system = _system_instruction(req.get("instructions"), conversation)
    if system is not None:
        body["systemInstruction"] = system
    tools = build_tools(req, route, caps)
    if tools.tools:
        body["tools"] = list(tools.tools)
    if tools.config is not None:
        body["toolConfig"] = tools.config
    config, config_notes = response_generation_config(req, route, caps, items)
    _refuse_json_with_tools(list(tools.tools), tools.config, config, caps)
    if config:
        body["generationConfig"] = config
    body["safetySettings"] = safety_settings(safety_threshold)
    request_labels, label_notes = labels(req.get("metadata"))
    if request_labels:
        body["labels"] = request_labels
    rewrites = (*opening_notes, *prefill_notes, *tools.notes, *config_notes, *label_notes)
    return TranslatedResponseRequest(
        body=body, rewrites=rewrites, conversation=conversation, custom_names=tools.custom_names,
        namespaces=tools.namespaces,
    )


def _system_instruction(instructions: Any, conversation: Conversation) -> dict[str, Any] | None:
    parts = [{"text": instructions}] if isinstance(instructions, str) and instructions.strip() else []
    parts.extend(conversation.system)
    return {"parts": parts} if parts else None


def _refuse_json_with_tools(
    tools: list[dict[str, Any]], config: Mapping[str, Any] | None, generation: Mapping[str, Any], caps: ModelCapabilities
) -> None:
    try:
        refuse_json_with_tools(tools, config, generation, caps)
    except InvalidRequest:
        raise InvalidRequest(JSON_WITH_TOOLS.format(model=caps.name), param="text.format") from None
