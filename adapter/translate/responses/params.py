"""Responses generation parameters → ``generationConfig`` (pure).

The generation fragments are chat's (:func:`adapter.translate.generation.generation_config`):
this module only names the Responses parameters the way those fragments read them
(``max_output_tokens`` is the answer's length limit, ``reasoning.effort`` the reasoning effort,
``text.format`` the response format, ``include: ["message.output_text.logprobs"]`` with
``top_logprobs`` the logprobs) and adds what only Responses has: ``reasoning.summary`` asks for
thought summaries (``includeThoughts``; without it none are returned, as OpenAI does) and the
``detail`` of ``input_image`` parts sets the media resolution. Accepted parameters that cannot
change Gemini's answer are listed as rewrite notes.
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.generation import generation_config
from adapter.vocabulary import MEDIA_RESOLUTIONS

LOGPROBS_INCLUDE = "message.output_text.logprobs"
ENCRYPTED_REASONING_INCLUDE = "reasoning.encrypted_content"
IGNORED_NOTES: dict[str, str] = {
    "truncation": "truncation=auto not applied: Vertex refuses input longer than the model's context",
    "max_tool_calls": "max_tool_calls not enforced: Gemini has no such limit",
    "verbosity": "text.verbosity ignored: Gemini has no verbosity setting",
    "service_tier": "service_tier ignored: Vertex has no service tiers",
}
# Chat parameter names in errors and notes of the shared fragments → the Responses names.
RESPONSES_NAMES: tuple[tuple[str, str], ...] = (
    ("response_format.json_schema.schema", "text.format.schema"),
    ("response_format", "text.format"),
    ("max_completion_tokens", "max_output_tokens"),
    ("reasoning_effort", "reasoning.effort"),
    ("thinking_config.include_thoughts", "reasoning.summary"),
    ("logprobs", "include"),
)


def response_generation_config(
    req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, items: Iterable[Mapping[str, Any]]
) -> tuple[dict[str, Any], list[str]]:
    """(generationConfig, rewrite notes). Raises InvalidRequest naming the Responses parameter."""
    try:
        config, chat_notes = generation_config(_chat_parameters(req), route, caps)
    except InvalidRequest as err:
        raise InvalidRequest(err.message, param=responses_name(err.param), code=err.code) from None
    notes = [_renamed(note) for note in chat_notes]
    config = {**config, **_media_resolution(items, caps, notes)}
    notes.extend(_ignored(req))
    return config, notes


def responses_name(param: str | None) -> str | None:
    """The Responses name of a chat parameter path (``response_format.type`` → ``text.format.type``)."""
    for chat, responses in RESPONSES_NAMES:
        if param is not None and (param == chat or param.startswith(chat + ".")):
            return responses + param[len(chat):]
    return param


def _renamed(note: str) -> str:
    for chat, responses in RESPONSES_NAMES:
        if note.startswith(chat):
            return responses + note[len(chat):]
    return note


def _chat_parameters(req: Mapping[str, Any]) -> dict[str, Any]:
    reasoning = req.get("reasoning") or {}
    params: dict[str, Any] = {"modalities": ["text"]}
    for name in ("temperature", "top_p", "top_k"):
        if req.get(name) is not None:
            params[name] = req[name]
    if req.get("max_output_tokens") is not None:
        params["max_completion_tokens"] = req["max_output_tokens"]
    if reasoning.get("effort") is not None:
        params["reasoning_effort"] = reasoning["effort"]
    params["thinking_config"] = {"include_thoughts": (reasoning.get("summary") or reasoning.get("generate_summary")) is not None}
    response_format = _response_format((req.get("text") or {}).get("format"))
    if response_format is not None:
        params["response_format"] = response_format
    if LOGPROBS_INCLUDE in (req.get("include") or ()):
        params["logprobs"] = True
        if req.get("top_logprobs"):
            params["top_logprobs"] = req["top_logprobs"]
    return params


def _response_format(text_format: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """Chat's ``response_format`` for a Responses ``text.format`` (flat ``json_schema``)."""
    if not text_format or text_format.get("type") == "text":
        return None
    if text_format["type"] == "json_object":
        return {"type": "json_object"}
    spec = {key: text_format[key] for key in ("name", "schema", "strict", "description") if key in text_format}
    return {"type": "json_schema", "json_schema": spec}


def image_details(items: Iterable[Mapping[str, Any]]) -> list[str]:
    details: list[str] = []
    for item in items:
        content = item.get("content") if isinstance(item, dict) else None
        for part in content if isinstance(content, list) else ():
            if isinstance(part, dict) and part.get("type") == "input_image" and isinstance(part.get("detail"), str):
                details.append(part["detail"])
    return details


def _media_resolution(items: Iterable[Mapping[str, Any]], caps: ModelCapabilities, notes: list[str]) -> dict[str, Any]:
    wanted = max((MEDIA_RESOLUTIONS[d] for d in image_details(items) if d in MEDIA_RESOLUTIONS), default=None)
    if wanted is None:
        return {}
    if not caps.media_resolution:
        notes.append("image detail ignored: the model has no media resolution setting")
        return {}
    return {"mediaResolution": wanted[1]}


def _ignored(req: Mapping[str, Any]) -> list[str]:
    present = {
        "truncation": req.get("truncation") == "auto",
        "max_tool_calls": req.get("max_tool_calls") is not None,
        "verbosity": (req.get("text") or {}).get("verbosity") not in (None, "medium"),
        "service_tier": req.get("service_tier") not in (None, "auto", "default"),
    }
    return [IGNORED_NOTES[name] for name, found in present.items() if found]
