"""OpenAI chat request → Vertex ``GenerateContentRequest`` (pure: dicts in, dicts out).

The view calls :func:`remote_media_urls` first (to fetch http(s) media at the edge), then
:func:`to_gemini_request`. Everything the model cannot honour is refused with
:class:`~adapter.errors.InvalidRequest` naming the parameter; parameters that are rewritten or
dropped without changing the answer are listed in ``TranslatedRequest.rewrites`` (never with
message content).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.generation import generation_config, labels, refuse_unsupported, safety_settings
from adapter.translate.messages import move_prefill, open_with_user_turn, to_contents
from adapter.translate.parts import Media, file_url_of, image_url_of
from adapter.vocabulary import REMOTE_SCHEMES, url_scheme
from adapter.translate.shapes import GeminiRequest, OpenAIChatRequest
from adapter.translate.tools import build_tools, refuse_json_with_tools

__all__ = ["Media", "TranslatedRequest", "remote_media_urls", "to_gemini_request"]

_NO_MEDIA: Mapping[str, Media] = {}


@dataclass(frozen=True, slots=True)
class TranslatedRequest:
    body: GeminiRequest
    rewrites: tuple[str, ...]


def remote_media_urls(req: OpenAIChatRequest) -> dict[str, str]:
    """URLs in image_url / file parts that the edge must handle before translation: http(s)
    URLs to fetch, and ``gs://`` URIs to check against the buckets the operator allows.

    Each URL (once, in order) maps to where it first appears, e.g.
    ``messages[1].content[0].image_url.url``, for error messages.
    """
    urls: dict[str, str] = {}
    for i, message in enumerate(req.get("messages") or ()):
        content = message.get("content") if isinstance(message, Mapping) else None
        if not isinstance(content, list):
            continue
        for j, part in enumerate(content):
            found = _remote_url(part)
            if found is not None and found[0] not in urls:
                urls[found[0]] = f"messages[{i}].content[{j}].{found[1]}"
    return urls


def _remote_url(part: Any) -> tuple[str, str] | None:
    if not isinstance(part, Mapping):
        return None
    kind = part.get("type")
    if kind == "image_url":
        url, place = image_url_of(part), "image_url.url"
    elif kind == "file":
        url, place = file_url_of(part), "file"
    else:
        return None
    return (url, place) if isinstance(url, str) and url_scheme(url) in REMOTE_SCHEMES else None


def to_gemini_request(
    req: OpenAIChatRequest,
    route: ModelRoute,
    caps: ModelCapabilities,
    *,
    safety_threshold: str = "OFF",
    media: Mapping[str, Media] | None = None,
) -> TranslatedRequest:
    """Raises adapter.errors.InvalidRequest(message, param=...) for what cannot be honoured."""
    refuse_unsupported(req)
    system, contents = to_contents(req.get("messages") or [], caps, media or _NO_MEDIA)
    contents, opening_notes = open_with_user_turn(contents)
    contents, prefill_notes = move_prefill(contents, caps)
    rewrites = [*opening_notes, *prefill_notes]
    body: dict[str, Any] = {"contents": contents}
    if system is not None:
        body["systemInstruction"] = system
    tools, tool_config, tool_notes = build_tools(req, route, caps)
    if tools:
        body["tools"] = tools
    if tool_config is not None:
        body["toolConfig"] = tool_config
    config, config_notes = generation_config(req, route, caps)
    refuse_json_with_tools(tools, tool_config, config, caps)
    if config:
        body["generationConfig"] = config
    body["safetySettings"] = safety_settings(safety_threshold)
    request_labels, label_notes = labels(req.get("metadata"))
    if request_labels:
        body["labels"] = request_labels
    rewrites.extend(tool_notes)
    rewrites.extend(config_notes)
    rewrites.extend(label_notes)
    return TranslatedRequest(body=body, rewrites=tuple(rewrites))
