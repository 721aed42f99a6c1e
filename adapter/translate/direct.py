"""OpenAI direct mode (the ``-openai`` variant): Vertex's own OpenAI-compatible endpoint (pure).

Request (:func:`plan_direct_request`): the client's body nearly as is, ``model: google/<base>``,
Gemini options under ``extra_body.google`` (wire fact 29): our safety settings unless the client
sent some, ``thought_tag_marker: "think"``, a ``thinking_config`` from ``-nothinking``/``-max``;
client options from top-level ``google``, ``extra_body.google`` or ``extra_body.thinking_config``
merged in. ``reasoning_effort: "none"`` (refused there, wire fact 30) becomes ``thinking_budget: 0``
where the model can turn thinking off, else is dropped; ``xhigh`` and ``max`` (refused too) become
the ``thinking_budget`` or ``thinking_level`` native mode gives them. ``store``, ``metadata`` and
``service_tier`` are dropped. Signed history tool-call ids (``__thought__``) are split back into
Vertex's id plus ``extra_content``; assistant ``reasoning_content`` is not sent back.

Response (:func:`direct_response`, :class:`DirectChunkTranslator`): Vertex's answer with the
requested model name echoed, the text inside ``<think>...</think>`` moved to ``reasoning_content``
(:class:`ThoughtTagSplitter`), tool-call ids carrying their signature as in native mode, and the
fields OpenAI's schema requires filled in. Vertex's completion ids are kept.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from ..errors import AdapterError, InvalidRequest
from ..routing.capabilities import ModelCapabilities, ThinkingControl
from ..routing.model_name import MAX_SUFFIX, NOTHINKING_SUFFIX, ModelRoute
from .shapes import ChatCompletion, ChatCompletionChunk, OpenAIChatRequest
from .signatures import extra_content_for, join_tool_call_id, signature_of_tool_call, split_tool_call_id
from .thinking import ThinkingSetting, effort_setting, variant_setting
from .thought_tags import THOUGHT_TAG, ThoughtTagSplitter

HARM_CATEGORIES: tuple[str, ...] = (
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
)
_FOLDED_KEYS = frozenset({"google", "extra_body"})
_DROPPED_KEYS = frozenset({"store", "metadata", "service_tier"})
_THINKING_AMOUNT_KEYS = frozenset({"thinking_budget", "thinking_level"})
# The reasoning_effort values Vertex's endpoint accepts (wire fact 30).
VERTEX_EFFORTS = frozenset({"minimal", "low", "medium", "high"})


def plan_direct_request(
    req: OpenAIChatRequest, route: ModelRoute, caps: ModelCapabilities, *, safety_threshold: str
) -> tuple[dict[str, Any], list[str]]:
    """The body for ``.../endpoints/openapi/chat/completions``, and notes on what was rewritten
    or dropped (for ``X-Gateway-Rewrites`` and dry runs). Raises ``InvalidRequest``."""
    notes = [f"{key} dropped (not supported by Vertex AI)" for key in sorted(req.keys() & _DROPPED_KEYS)]
    body = {key: value for key, value in req.items() if key not in _FOLDED_KEYS and key not in _DROPPED_KEYS}
    body["model"] = f"google/{route.base}"
    if "messages" in body:
        body["messages"] = [_direct_message(message) for message in body["messages"]]
    google = _client_google_options(req)
    google.setdefault("safety_settings", [{"category": c, "threshold": safety_threshold} for c in HARM_CATEGORIES])
    if google.get("thought_tag_marker", THOUGHT_TAG) != THOUGHT_TAG:
        notes.append(f"thought_tag_marker replaced by {THOUGHT_TAG!r}")
    google["thought_tag_marker"] = THOUGHT_TAG
    thinking, keep_effort = _thinking_config(req.get("reasoning_effort"), google.get("thinking_config"), route, caps, notes)
    if not keep_effort:
        body.pop("reasoning_effort", None)
    if thinking:
        google["thinking_config"] = thinking
    body["extra_body"] = {"google": google}
    return body, notes


def _client_google_options(req: OpenAIChatRequest) -> dict[str, Any]:
    raw_extra = req.get("extra_body")
    extra: Mapping[str, Any] = raw_extra if isinstance(raw_extra, Mapping) else {}
    options: dict[str, Any] = {}
    if isinstance(extra.get("thinking_config"), Mapping):
        options["thinking_config"] = extra["thinking_config"]
    for source in (req.get("google"), extra.get("google")):
        if isinstance(source, Mapping):
            options.update(source)
    return options


def _thinking_config(
    effort: Any, client: Any, route: ModelRoute, caps: ModelCapabilities, notes: list[str]
) -> tuple[dict[str, Any], bool]:
    """(merged thinking_config, whether ``reasoning_effort`` may be sent as is)."""
    config = dict(client) if isinstance(client, Mapping) else {}
    amount: dict[str, Any] | None = None
    keep_effort = True
    if route.thinking is not None:
        amount = _variant_amount(route.thinking, route, caps.thinking)
        keep_effort = False
        if effort is not None:
            variant = NOTHINKING_SUFFIX if route.thinking == "off" else MAX_SUFFIX
            notes.append(f"reasoning_effort dropped: the {variant} variant sets the thinking")
    elif effort == "none":
        keep_effort = False
        if caps.thinking is not None and caps.thinking.can_turn_off:
            amount = {"thinking_budget": 0}
            notes.append("reasoning_effort 'none' sent as thinking_budget 0")
        else:
            notes.append(f"reasoning_effort 'none' dropped: {route.base} cannot turn thinking off")
    elif effort is not None and effort not in VERTEX_EFFORTS:
        keep_effort = False
        amount = _effort_amount(str(effort), config, route, caps, notes)
    if amount is not None:
        config = {key: value for key, value in config.items() if key not in _THINKING_AMOUNT_KEYS}
        config.update(amount)
    if caps.thought_summaries and config.get("thinking_budget") != 0:
        config.setdefault("include_thoughts", True)
    return config, keep_effort


def _variant_amount(variant: str, route: ModelRoute, thinking: ThinkingControl | None) -> dict[str, Any]:
    if thinking is None:
        raise InvalidRequest(f"model {route.base} has no thinking control for the {route.suffix} variant", param="model")
    return dict([_direct_setting(variant_setting(variant, thinking, []))])


def _effort_amount(
    effort: str, config: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]
) -> dict[str, Any] | None:
    """The thinking amount for an effort Vertex's endpoint refuses (``xhigh``, ``max``), as native mode reads it."""
    if caps.thinking is None:
        notes.append(f"reasoning_effort {effort!r} dropped: {route.base} has no thinking control")
        return None
    if _THINKING_AMOUNT_KEYS & config.keys():
        notes.append(f"reasoning_effort {effort!r} dropped: thinking_config is given")
        return None
    key, value = _direct_setting(effort_setting(effort, caps.thinking, []))
    notes.append(f"reasoning_effort {effort!r} sent as {key} {value}")
    return {key: value}


def _direct_setting(setting: ThinkingSetting) -> tuple[str, Any]:
    """A native ``thinkingConfig`` setting in the endpoint's snake_case (levels in lower case)."""
    key, value = setting
    if key == "thinkingLevel":
        return "thinking_level", value.lower()
    return "thinking_budget", value


def _direct_message(message: Any) -> Any:
    if not isinstance(message, Mapping):
        return message
    role = message.get("role")
    if role == "tool" and isinstance(message.get("tool_call_id"), str):
        return {**message, "tool_call_id": split_tool_call_id(message["tool_call_id"])[0]}
    if role != "assistant":
        return message
    out = {key: value for key, value in message.items() if key != "reasoning_content"}
    if isinstance(message.get("tool_calls"), list):
        out["tool_calls"] = [_direct_tool_call(call) for call in message["tool_calls"]]
    return out


def _direct_tool_call(call: Any) -> Any:
    if not isinstance(call, Mapping) or not isinstance(call.get("id"), str):
        return call
    signature = signature_of_tool_call(call)
    out = {**call, "id": split_tool_call_id(call["id"])[0]}
    extra = extra_content_for(signature)
    if extra is not None:
        out["extra_content"] = extra
    return out


_FINISH_REASONS: dict[str, str] = {
    **{reason: reason for reason in ("stop", "length", "tool_calls", "content_filter", "function_call")},
    "max_tokens": "length",
    **{reason: "content_filter" for reason in ("safety", "recitation", "blocklist", "prohibited_content", "spii")},
}


def _finish_reason(reason: Any, has_calls: bool) -> str:
    if has_calls:
        return "tool_calls"
    return _FINISH_REASONS.get(str(reason).lower(), "stop")


def _signed_tool_calls(calls: list[Any]) -> list[Any]:
    """Tool calls whose id also carries the ``extra_content`` signature (as in native mode)."""
    return [
        {**call, "id": join_tool_call_id(call["id"], signature_of_tool_call(call))}
        if isinstance(call, Mapping) and isinstance(call.get("id"), str)
        else call
        for call in calls
    ]


def _split_fields(splitter: ThoughtTagSplitter, source: Mapping[str, Any], *, final: bool) -> dict[str, str]:
    """``reasoning_content``/``content`` (each only when non-empty) of a message or delta, with
    its ``content`` through ``splitter`` (after any ``reasoning_content`` Vertex sent itself)."""
    text = source.get("content")
    reasoning, content = splitter.feed(text) if isinstance(text, str) and text else ("", "")
    before = source.get("reasoning_content")
    if isinstance(before, str):
        reasoning = before + reasoning
    if final:
        tail_reasoning, tail = splitter.flush()
        reasoning, content = reasoning + tail_reasoning, content + tail
    fields = {"reasoning_content": reasoning} if reasoning else {}
    if content:
        fields["content"] = content
    return fields


def direct_response(resp: Mapping[str, Any], *, model: str) -> ChatCompletion:
    """Vertex's non-streaming answer, completed to OpenAI's schema, model echoed."""
    return {**resp, "object": "chat.completion", "model": model, "choices": [_whole_choice(c) for c in resp.get("choices") or ()]}


def _whole_choice(choice: Mapping[str, Any]) -> dict[str, Any]:
    original = choice.get("message") or {}
    calls = original.get("tool_calls") or []
    message = {"role": "assistant", "refusal": None, **original, "content": None if calls else ""}
    message.update(_split_fields(ThoughtTagSplitter(), original, final=True))
    if calls:
        message["tool_calls"] = _signed_tool_calls(calls)
    return {
        **choice,
        "index": choice.get("index", 0),
        "message": message,
        "logprobs": choice.get("logprobs"),
        "finish_reason": _finish_reason(choice.get("finish_reason"), bool(calls)),
    }


@dataclass(slots=True)
class _DirectChoice:
    splitter: ThoughtTagSplitter = field(default_factory=ThoughtTagSplitter)
    role_sent: bool = False
    finished: bool = False
    calls: bool = False


class DirectChunkTranslator:
    """Vertex's OpenAI-format stream → our chunks, shaped like the native stream's.

    Thoughts split out of ``content``, model echoed, Vertex's ids kept, the role sent once per
    choice, text and finish in separate chunks, no empty chunk; Vertex's ``usage`` (which rides
    on its last chunk) becomes one final ``choices: []`` chunk from :meth:`finish` when
    ``include_usage``.
    """

    __slots__ = ("_model", "_include_usage", "_choices", "_head", "_usage")

    def __init__(self, *, model: str, include_usage: bool = False) -> None:
        self._model = model
        self._include_usage = include_usage
        self._choices: dict[int, _DirectChoice] = {}
        self._head: dict[str, Any] = {"id": "", "object": "chat.completion.chunk", "created": 0, "model": model}
        self._usage: Any = None

    def feed(self, chunk: Mapping[str, Any]) -> list[ChatCompletionChunk]:
        self._head = {"id": chunk.get("id", ""), "object": "chat.completion.chunk", "created": chunk.get("created", 0), "model": self._model}
        if chunk.get("usage") is not None:
            self._usage = chunk["usage"]
        entries: list[dict[str, Any]] = []
        finishes: list[dict[str, Any]] = []
        for choice in chunk.get("choices") or ():
            self._choice(choice, entries, finishes)
        return [{**self._head, "choices": group} for group in (entries, finishes) if group]

    def finish(self) -> list[ChatCompletionChunk]:
        """Text still held for choices Vertex never finished, then the usage chunk if asked for."""
        entries: list[dict[str, Any]] = []
        for index, state in self._choices.items():
            delta = {} if state.finished else _split_fields(state.splitter, {}, final=True)
            if delta:
                entries.append({"index": index, "delta": delta, "logprobs": None, "finish_reason": None})
        chunks = [{**self._head, "choices": entries}] if entries else []
        if self._include_usage and self._usage is not None:
            chunks.append({**self._head, "choices": [], "usage": self._usage})
        return chunks

    def fail(self, error: AdapterError) -> list[dict[str, Any]]:
        """The error frame that ends a stream failing after its first byte."""
        return [error.to_body()]

    def _choice(self, choice: Mapping[str, Any], entries: list[dict[str, Any]], finishes: list[dict[str, Any]]) -> None:
        index = choice.get("index", 0)
        state = self._choices.get(index)
        if state is None:
            state = self._choices[index] = _DirectChoice()
        if state.finished:
            return
        upstream = choice.get("delta") or {}
        finish = choice.get("finish_reason")
        delta = {key: value for key, value in upstream.items() if key not in ("role", "content", "reasoning_content")}
        delta.update(_split_fields(state.splitter, upstream, final=bool(finish)))
        if delta.get("tool_calls"):
            delta["tool_calls"] = _signed_tool_calls(delta["tool_calls"])
            state.calls = True
        logprobs = choice.get("logprobs")
        if delta or logprobs is not None or (finish and not state.role_sent):
            entries.append(self._entry(state, index, delta, logprobs, None))
        if finish:
            state.finished = True
            finishes.append(self._entry(state, index, {}, None, _finish_reason(finish, state.calls)))

    @staticmethod
    def _entry(state: _DirectChoice, index: int, delta: dict[str, Any], logprobs: Any, finish: str | None) -> dict[str, Any]:
        if not state.role_sent:
            delta = {"role": "assistant", **delta}
            state.role_sent = True
        return {"index": index, "delta": delta, "logprobs": logprobs, "finish_reason": finish}
