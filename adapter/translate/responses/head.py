"""The fields of a ``Response`` that echo its request (pure).

OpenAI's ``Response`` repeats the request's settings (``instructions``, ``tools``,
``tool_choice``, ``temperature``, ``text``, ``reasoning``, ``store``, ``metadata``...). The
front door builds this head once per request, with the response id, the creation time and the
model name it chose, and both translators start from it, so the whole answer, the stream's
``response.created`` and its ``response.completed`` agree.
"""

from __future__ import annotations

from typing import Any, Mapping

from adapter.translate.candidates import usage_from

ResponseObject = dict[str, Any]
"""A ``Response`` (``object: "response"``)."""

_ECHOED_DEFAULTS: tuple[tuple[str, Any], ...] = (
    ("instructions", None),
    ("max_output_tokens", None),
    ("previous_response_id", None),
    ("temperature", None),
    ("top_p", None),
    ("top_logprobs", None),
    ("truncation", "disabled"),
    ("parallel_tool_calls", True),
    ("tool_choice", "auto"),
    ("store", True),
    ("prompt_cache_key", None),
    ("safety_identifier", None),
)
_FUNCTION_TOOL_FIELDS = ("description", "parameters", "strict")


def response_head(req: Mapping[str, Any], *, response_id: str, created_at: int, model: str) -> ResponseObject:
    """An ``in_progress`` Response with no output yet (what ``response.created`` carries)."""
    head: ResponseObject = {
        "id": response_id,
        "object": "response",
        "created_at": created_at,
        "status": "in_progress",
        "background": False,
        "error": None,
        "incomplete_details": None,
        "model": model,
        "output": [],
    }
    for name, default in _ECHOED_DEFAULTS:
        value = req.get(name)
        head[name] = default if value is None else value
    head["tools"] = [_tool(tool) for tool in req.get("tools") or ()]
    head["text"] = _text(req.get("text") or {})
    head["reasoning"] = _reasoning(req.get("reasoning"))
    head["metadata"] = dict(req.get("metadata") or {})
    head["service_tier"] = "default"
    if req.get("user") is not None:
        head["user"] = req["user"]
    return head


def _tool(tool: Mapping[str, Any]) -> dict[str, Any]:
    if tool["type"] != "function":
        return dict(tool)
    return {"type": "function", "name": tool["name"], **{key: tool.get(key) for key in _FUNCTION_TOOL_FIELDS}}


def _text(text: Mapping[str, Any]) -> dict[str, Any]:
    return {"format": dict(text.get("format") or {"type": "text"}), "verbosity": text.get("verbosity") or "medium"}


def _reasoning(reasoning: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if not reasoning:
        return None
    return {"effort": reasoning.get("effort"), "summary": reasoning.get("summary") or reasoning.get("generate_summary")}


def finished(head: ResponseObject, output: list[dict[str, Any]], usage: dict[str, Any], status: str,
             reason: str | None) -> ResponseObject:
    """The head completed with its output, usage and status (``incomplete`` with a reason)."""
    return {
        **head,
        "status": status,
        "incomplete_details": {"reason": reason} if reason else None,
        "output": output,
        "usage": usage,
    }


def failed(head: ResponseObject, output: list[dict[str, Any]], code: str, message: str) -> ResponseObject:
    """The head of a response that failed after its stream started."""
    return {**head, "status": "failed", "error": {"code": code, "message": message}, "output": output}


def usage_of(meta: Mapping[str, Any] | None) -> dict[str, Any]:
    """Responses ``usage`` from Vertex ``usageMetadata`` (chat's counting); every count present."""
    usage = usage_from(meta)
    return {
        "input_tokens": usage["prompt_tokens"],
        "input_tokens_details": {"cached_tokens": usage["prompt_tokens_details"]["cached_tokens"], "cache_write_tokens": 0},
        "output_tokens": usage["completion_tokens"],
        "output_tokens_details": {"reasoning_tokens": usage["completion_tokens_details"]["reasoning_tokens"]},
        "total_tokens": usage["total_tokens"],
    }
