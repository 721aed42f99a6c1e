"""What the recording server answers Codex CLI and Claude Code: one tool call, then (once the
agent sends the tool's result back) a final text. Any other endpoint gets a 404 in the API's
own error shape, so an unexpected request shows in the recording and in the agent's output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from werkzeug.wrappers import Response

from tests.support import canned_messages, canned_responses
from tests.support.recording_server import RecordedRequest, json_response, sse_response


def openai_not_found(request: RecordedRequest) -> Response:
    message = f"no route {request.method} {request.path} on the recording server"
    return json_response({"error": {"message": message, "type": "invalid_request_error", "param": None, "code": "not_found"}}, 404)


def anthropic_not_found(request: RecordedRequest) -> Response:
    message = f"no route {request.method} {request.path} on the recording server"
    return json_response({"type": "error", "error": {"type": "not_found_error", "message": message}}, 404)


def has_function_output(body: dict[str, Any]) -> bool:
    items = body.get("input")
    return isinstance(items, list) and any(item.get("type") in ("function_call_output", "custom_tool_call_output") for item in items)


@dataclass(frozen=True)
class CodexAnswers:
    """``POST /v1/responses``: ``call`` first, ``final_text`` once a call output comes back."""

    call: canned_responses.CannedCall
    final_text: str

    def __call__(self, request: RecordedRequest) -> Response:
        if (request.method, request.path) != ("POST", "/v1/responses") or not isinstance(request.body, dict):
            return openai_not_found(request)
        model = request.body.get("model", "unknown")
        if has_function_output(request.body):
            return sse_response(canned_responses.text_turn(self.final_text, model))
        return sse_response(canned_responses.tool_call_turn(self.call, model))


def last_turn_has_tool_result(body: dict[str, Any]) -> bool:
    messages = body.get("messages") or []
    content = messages[-1].get("content") if messages else None
    return isinstance(content, list) and any(block.get("type") == "tool_result" for block in content)


def offers_tool(body: dict[str, Any], name: str) -> bool:
    return any(tool.get("name") == name for tool in body.get("tools") or [])


@dataclass(frozen=True)
class ClaudeAnswers:
    """``POST /v1/messages``: ``call`` when its tool is offered and no result came back yet,
    otherwise ``final_text``; ``POST /v1/messages/count_tokens``: a fixed count."""

    call: canned_messages.CannedToolUse
    final_text: str

    def __call__(self, request: RecordedRequest) -> Response:
        body = request.body if isinstance(request.body, dict) else {}
        if (request.method, request.path) == ("POST", "/v1/messages/count_tokens"):
            return json_response({"input_tokens": canned_messages.INPUT_TOKENS})
        if (request.method, request.path) != ("POST", "/v1/messages") or not body:
            return anthropic_not_found(request)
        model = body.get("model", "unknown")
        if offers_tool(body, self.call.name) and not last_turn_has_tool_result(body):
            whole = canned_messages.tool_use_turn(self.call, model)
        else:
            whole = canned_messages.text_turn(self.final_text, model)
        if body.get("stream"):
            return sse_response(canned_messages.stream_events(whole))
        return json_response(whole)
