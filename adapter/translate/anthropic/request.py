"""Anthropic Messages request → Vertex ``GenerateContentRequest`` / ``CountTokensRequest`` (pure).

The view loads the body with :data:`adapter.schemas.anthropic.MESSAGES_REQUEST_SCHEMA`, calls
:func:`~.blocks.remote_media_urls` to fetch http(s) media at the edge, then
:func:`to_gemini_request`. What cannot be honoured is an
:class:`~adapter.errors.InvalidRequest` naming the field; what is rewritten is listed in
``rewrites`` (never with message content); what the answer must do that Gemini does not
(``stop_sequences``, ``disable_parallel_tool_use``) is in ``answer``, for the response and
stream translators. ``metadata.user_id`` becomes a Vertex label where Vertex accepts it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.anthropic.assembly import AnswerOptions
from adapter.translate.anthropic.config import generation_config
from adapter.translate.anthropic.contents import system_instruction, to_contents
from adapter.translate.anthropic.tools import ToolsTranslation, build_tools
from adapter.translate.generation import LABEL_RULE, labels, safety_settings
from adapter.translate.messages import move_prefill, open_with_user_turn
from adapter.translate.parts import Media
from adapter.translate.shapes import GeminiContent, GeminiRequest

_NO_MEDIA: Mapping[str, Media] = {}


@dataclass(frozen=True, slots=True)
class MessagesTranslation:
    body: GeminiRequest
    rewrites: tuple[str, ...]
    answer: AnswerOptions


def to_gemini_request(
    body: Mapping[str, Any],
    route: ModelRoute,
    caps: ModelCapabilities,
    *,
    safety_threshold: str = "OFF",
    media: Mapping[str, Media] | None = None,
) -> MessagesTranslation:
    """The ``generateContent`` body. Raises InvalidRequest naming the field."""
    gemini, rewrites, tools = _prompt(body, caps, media or _NO_MEDIA)
    if tools.config is not None:
        gemini["toolConfig"] = tools.config
    config, config_notes = generation_config(body, route, caps)
    if config:
        gemini["generationConfig"] = config
    gemini["safetySettings"] = safety_settings(safety_threshold)
    request_labels, label_notes = _user_label(body)
    if request_labels:
        gemini["labels"] = request_labels
    stops = tuple(sequence for sequence in body.get("stop_sequences") or () if sequence)
    return MessagesTranslation(
        body=gemini,
        rewrites=(*rewrites, *tools.notes, *config_notes, *label_notes),
        answer=AnswerOptions(stop_sequences=stops, single_tool_use=tools.single_tool_use),
    )


def _user_label(body: Mapping[str, Any]) -> tuple[dict[str, str], list[str]]:
    user_id = (body.get("metadata") or {}).get("user_id")
    request_labels, dropped = labels({"user_id": user_id} if user_id else None)
    return request_labels, [f"metadata.user_id not sent as a Vertex label ({LABEL_RULE})"] if dropped else []


def to_count_tokens_request(
    body: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, *, media: Mapping[str, Media] | None = None
) -> GeminiRequest:
    """The ``countTokens`` body: the same contents, system instruction and tools."""
    return _prompt(body, caps, media or _NO_MEDIA)[0]


def _prompt(body: Mapping[str, Any], caps: ModelCapabilities, media: Mapping[str, Media]) -> tuple[dict[str, Any], list[str], ToolsTranslation]:
    """What ``generateContent`` and ``countTokens`` share: contents, system instruction and tools
    (with the rewrites of the contents, and the built tools for the tool config)."""
    contents, rewrites = _contents(body, caps, media)
    gemini: dict[str, Any] = {"contents": contents}
    system = system_instruction(body)
    if system is not None:
        gemini["systemInstruction"] = system
    tools = build_tools(body, caps)
    if tools.tools:
        gemini["tools"] = tools.tools
    return gemini, rewrites, tools


def _contents(body: Mapping[str, Any], caps: ModelCapabilities, media: Mapping[str, Media]) -> tuple[list[GeminiContent], list[str]]:
    contents = to_contents(body["messages"], caps, media)
    if contents[-1]["role"] == "model":
        # A prefill: only its text and calls are the client's; thoughts belong to earlier answers.
        contents[-1] = {"role": "model", "parts": [p for p in contents[-1]["parts"] if not p.get("thought")]}
        contents = [content for content in contents if content["parts"]]
    contents, opening_notes = open_with_user_turn(contents)
    contents, prefill_notes = move_prefill(contents, caps)
    return contents, [*opening_notes, *prefill_notes]
