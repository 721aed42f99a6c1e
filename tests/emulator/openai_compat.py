"""Vertex's OpenAI-compatible endpoint (``.../endpoints/openapi/chat/completions``, wire facts 29-31).

``model`` must be ``google/<id>``; thoughts come back inline, wrapped in ``<think>...</think>``
when ``google.thought_tag_marker`` is ``think``; Gemini 3 tool calls carry their signature in
``extra_content.google.thought_signature`` and must get it back; errors are wrapped in a JSON
array; streams use OpenAI framing and end with ``data: [DONE]``.
"""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any, Iterable, Mapping

from werkzeug.wrappers import Request

from . import errors, payloads
from .answers import new_response_id
from .errors import RpcError, invalid_argument
from .models import ModelFacts
from .respond import Responder, StartResponse, success_outcome
from .rules import BYPASS_SIGNATURES, SIGNATURE_INVALID
from .sample import sample_value
from .script import Faults, Reply
from .streaming import Connection

if TYPE_CHECKING:
    from .app import EmulatorApp

EFFORTS = ("minimal", "low", "medium", "high")
EFFORT_ERROR = "Expected 'reasoning_effort' to be one of: 'high','low','medium','minimal'"
RPC_METHOD = "google.cloud.aiplatform.{version}.PredictionService.ChatCompletions"


def google_options(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """``extra_body.google`` or top-level ``google`` (both seen in the wild)."""
    extra = body.get("extra_body")
    nested = extra.get("google") if isinstance(extra, Mapping) else None
    options = nested if isinstance(nested, Mapping) else body.get("google")
    return options if isinstance(options, Mapping) else {}


def message_text(message: Mapping[str, Any]) -> str:
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(part.get("text", "")) for part in content if isinstance(part, Mapping))
    return "" if content is None else str(content)


class ChatHandler:
    def __init__(self, app: "EmulatorApp") -> None:
        self.app = app

    def handle(self, request: Request, connection: Connection, start_response: StartResponse, version: str,
               project: str, location: str) -> Iterable[bytes]:
        record = self.app.new_record(request, "chat.completions", api_version=version, project=project, location=location)
        responder = Responder(start_response, connection, record, "openai")
        body = record.body if isinstance(record.body, dict) else {}
        try:
            identity = self.app.authenticate(request, False, RPC_METHOD.format(version=version))
            record.credential, record.credential_label = identity.credential, identity.label
            self.app.authorize(identity, project, f"projects/{project}/locations/{location}/endpoints/openapi")
            if not isinstance(record.body, dict):
                raise invalid_argument("Invalid JSON payload received. Unexpected token.")
            facts = self._model(body, project, location)
            record.model = facts.name
            self._validate(body, facts)
        except RpcError as err:
            record.outcome = {401: "unauthenticated", 403: "unauthenticated", 404: "not_found"}.get(err.status, "rejected")
            return responder.error(err)
        reply = self.app.state.take_reply(facts.name, identity, "chat.completions")
        return self._answer(responder, reply, body, facts)

    def _model(self, body: Mapping[str, Any], project: str, location: str) -> ModelFacts:
        model = body.get("model")
        if not isinstance(model, str) or not model.startswith("google/"):
            raise invalid_argument(f"Invalid model name {model!r}: expected the form 'google/<model-id>'.")
        facts = self.app.state.models.get(model[len("google/"):])
        if facts is None or facts.kind != "chat":
            raise errors.model_not_found(f"projects/{project}/locations/{location}/publishers/google/models/{model[7:]}")
        return facts

    def _validate(self, body: Mapping[str, Any], facts: ModelFacts) -> None:
        messages = body.get("messages")
        if not isinstance(messages, list) or not messages:
            raise invalid_argument("Request must include at least one message in 'messages'.")
        effort = body.get("reasoning_effort")
        if effort is not None and effort not in EFFORTS:
            raise invalid_argument(EFFORT_ERROR)
        if facts.gemini3:
            self._check_signatures(messages)

    def _check_signatures(self, messages: list[Any]) -> None:
        last_user = max((i for i, m in enumerate(messages) if isinstance(m, Mapping) and m.get("role") == "user"), default=-1)
        for position, message in enumerate(messages):
            calls = message.get("tool_calls") if isinstance(message, Mapping) else None
            if not isinstance(calls, list) or not calls or message.get("role") != "assistant":
                continue
            signatures = [self._signature(call) for call in calls]
            for signature in signatures:
                if signature and signature not in BYPASS_SIGNATURES and not self.app.state.is_issued(signature):
                    raise invalid_argument(SIGNATURE_INVALID)
            if position > last_user and not signatures[0]:
                name = calls[0].get("function", {}).get("name")
                raise invalid_argument(
                    "Function call is missing a thought_signature in functionCall parts. This is required for tools to "
                    "work correctly, and missing thought_signature may lead to degraded model performance. Additional "
                    f"data, function call `default_api:{name}` , position {position + 1}. Please refer to "
                    "https://ai.google.dev/gemini-api/docs/thought-signatures for more details.")

    @staticmethod
    def _signature(call: Any) -> str | None:
        extra = call.get("extra_content") if isinstance(call, Mapping) else None
        google = extra.get("google") if isinstance(extra, Mapping) else None
        value = google.get("thought_signature") if isinstance(google, Mapping) else None
        return value if isinstance(value, str) and value else None

    # -- answers --------------------------------------------------------------------------------------
    def _answer(self, responder: Responder, reply: Reply | None, body: Mapping[str, Any], facts: ModelFacts) -> Iterable[bytes]:
        record = responder.record
        record.reply_label = reply.label if reply is not None else "default"
        faults = reply.faults if reply is not None else Faults()
        if reply is not None and reply.kind == "error":
            record.outcome = "scripted_error"
            return responder.error(RpcError(reply.status, reply.body, headers=dict(reply.headers)), faults)
        record.outcome = success_outcome(faults)
        if body.get("stream") is True:
            chunks = self._chunks(reply, body, facts)
            self.app.remember(chunks)
            return responder.events(chunks, faults, self.app.state.track_stream)
        completion = self._completion(reply, body, facts)
        self.app.remember(completion)
        return responder.unary(completion, faults)

    def _chunks(self, reply: Reply | None, body: Mapping[str, Any], facts: ModelFacts) -> list[dict[str, Any]]:
        if reply is None:
            return completion_to_chunks(self.default_completion(body, facts))
        if reply.kind == "stream":
            return [dict(event) for event in reply.events]
        return completion_to_chunks(dict(reply.body))

    def _completion(self, reply: Reply | None, body: Mapping[str, Any], facts: ModelFacts) -> dict[str, Any]:
        if reply is None:
            return self.default_completion(body, facts)
        if reply.kind == "stream":
            return chunks_to_completion(list(reply.events))
        return dict(reply.body)

    def default_completion(self, body: Mapping[str, Any], facts: ModelFacts) -> dict[str, Any]:
        messages = [m for m in body.get("messages", []) if isinstance(m, Mapping)]
        echo = next((message_text(m) for m in reversed(messages) if m.get("role") in ("user", "tool")), "")
        options = google_options(body)
        configured = options.get("thinking_config")
        thinking: Mapping[str, Any] = configured if isinstance(configured, Mapping) else {}
        thinks = facts.thinks and thinking.get("thinking_budget") != 0 and facts.thinks_by_default
        thought = f"**Considering the request**\n\nThe user wrote: {echo[:80]}\n\n" if thinks and thinking.get("include_thoughts") else ""
        message: dict[str, Any] = {"role": "assistant"}
        tool_calls = self._tool_calls(body, facts)
        if tool_calls:
            message["tool_calls"] = tool_calls
        else:
            answer = f"Hello from {facts.name}! You said: {echo}"
            message["content"] = (f"<think>{thought}</think>" if thought and options.get("thought_tag_marker") == "think" else thought) + answer
        prompt = max(1, sum(payloads.count_tokens(message_text(m)) for m in messages))
        output = payloads.count_tokens(message.get("content") or "") + 8 * len(tool_calls)
        reasoning = payloads.count_tokens(thought or echo) * 3 + 20 if thinks else 0
        usage: dict[str, Any] = {"completion_tokens": output + reasoning, "prompt_tokens": prompt,
                                 "total_tokens": prompt + output + reasoning}
        if reasoning:
            usage["completion_tokens_details"] = {"reasoning_tokens": reasoning}
        choice = {"finish_reason": "tool_calls" if tool_calls else "stop", "index": 0, "logprobs": None, "message": message}
        return {"choices": [choice], "created": int(time.time()), "id": new_response_id(), "model": body.get("model"),
                "object": "chat.completion", "system_fingerprint": "", "usage": usage}

    def _tool_calls(self, body: Mapping[str, Any], facts: ModelFacts) -> list[dict[str, Any]]:
        """With ``tool_choice`` ``required`` (or a named function), call the first (or named) tool."""
        tools = [t.get("function", {}) for t in body.get("tools") or [] if isinstance(t, Mapping)]
        choice = body.get("tool_choice")
        named = choice.get("function", {}).get("name") if isinstance(choice, Mapping) else None
        if not tools or (choice != "required" and named is None):
            return []
        function = next((t for t in tools if t.get("name") == named), tools[0])
        arguments = sample_value(function.get("parameters") or {"type": "object"})
        call: dict[str, Any] = {"function": {"arguments": payloads_json(arguments), "name": function.get("name")},
                                "id": f"call_{new_response_id()[:6]}", "type": "function"}
        if facts.gemini3:
            call["extra_content"] = {"google": {"thought_signature": self.app.state.issue_signature()}}
        return [call]


def payloads_json(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def completion_to_chunks(completion: Mapping[str, Any]) -> list[dict[str, Any]]:
    """A chat.completion as stream chunks: content deltas (word by word), tool calls, a finish chunk with usage."""
    envelope = {key: completion.get(key) for key in ("created", "id", "model", "system_fingerprint")}
    envelope["object"] = "chat.completion.chunk"
    chunks = []
    for choice in completion.get("choices", []):
        message, index = choice.get("message", {}), choice.get("index", 0)
        content = message.get("content") or ""
        pieces = _split_think(content)
        for piece in pieces:
            chunks.append({**envelope, "choices": [{"delta": {"content": piece, "role": "assistant"}, "finish_reason": None, "index": index}]})
        for position, call in enumerate(message.get("tool_calls") or []):
            delta = {"role": "assistant", "tool_calls": [{**call, "index": position}]}
            chunks.append({**envelope, "choices": [{"delta": delta, "finish_reason": None, "index": index}]})
        final = {"delta": {"role": "assistant"}, "finish_reason": choice.get("finish_reason", "stop"), "index": index}
        chunks.append({**envelope, "choices": [final]})
    if chunks and "usage" in completion:
        chunks[-1]["usage"] = completion["usage"]
    return chunks


def _split_think(content: str) -> list[str]:
    """Word deltas; a ``</think>`` close tag starts the chunk after the thought, as captured."""
    thought, marker, answer = content.partition("</think>")
    if not marker:
        return payloads.split_words(content) if content else []
    return [thought] + [marker + word if i == 0 else word for i, word in enumerate(payloads.split_words(answer))]


def chunks_to_completion(chunks: list[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge OpenAI chunks into one chat.completion (content concatenated, tool calls collected)."""
    first = chunks[0] if chunks else {}
    content, finish, usage = "", "stop", None
    calls: list[dict[str, Any]] = []
    for chunk in chunks:
        usage = chunk.get("usage", usage)
        for choice in chunk.get("choices", []):
            delta = choice.get("delta", {})
            content += delta.get("content") or ""
            calls.extend({k: v for k, v in call.items() if k != "index"} for call in delta.get("tool_calls") or [])
            finish = choice.get("finish_reason") or finish
    message: dict[str, Any] = {"content": content or None, "role": "assistant"}
    if calls:
        message["tool_calls"] = calls
    completion = {key: first.get(key) for key in ("created", "id", "model", "system_fingerprint")}
    completion.update({"choices": [{"finish_reason": finish, "index": 0, "logprobs": None, "message": message}],
                       "object": "chat.completion"})
    if usage is not None:
        completion["usage"] = usage
    return completion
