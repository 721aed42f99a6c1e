"""Anthropic ``system`` and ``messages`` → Gemini ``systemInstruction`` and ``contents`` (pure).

- ``system`` (a string or text blocks), then the ``system`` messages (Claude Code sends one
  inside ``messages``) in order → the text parts of ``systemInstruction``, as chat does.
- ``user`` → a ``user`` turn: its ``tool_result`` blocks become ``functionResponse`` parts first,
  in the order of the calls they answer (``is_error`` results as ``{"error": text}``, Gemini's
  key for failures; other results as chat sends them), then the images and documents of the results, then the user's
  own blocks (see :mod:`.blocks`).
- ``assistant`` → a ``model`` turn: text parts, one ``functionCall`` per ``tool_use`` (its id
  kept), and the thought signatures of the ``thinking`` blocks put back on the parts they came
  from (see :mod:`.signatures`): a ``call`` signature on the next call, a ``thought``
  signature on the thought text sent back as a thought part. Other thinking (Claude's) and ``redacted_thinking`` are dropped;
  on models that require signatures, the first call of a turn without one gets Google's
  placeholder, so history from another model is never a 400.
- Consecutive turns of one role are merged (parts kept as they are); a conversation ending with
  calls that have no results is refused; one ending with an assistant turn is a prefill.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.translate.anthropic.blocks import USER_BLOCKS
from adapter.translate.anthropic.signatures import decode
from adapter.translate.messages import tool_response
from adapter.translate.parts import MediaMap, text_part
from adapter.translate.shapes import GeminiContent, GeminiPart
from adapter.translate.signatures import BYPASS_SIGNATURE
from adapter.translate.turns import append_turn

UNANSWERED_CALLS = (
    "the conversation ends with tool_use blocks that have no tool_result; send a user message "
    "with a tool_result for each of them"
)


@dataclass(slots=True)
class _Walk:
    """What one translation accumulates while walking the messages (local to one call)."""

    caps: ModelCapabilities
    media: MediaMap
    contents: list[GeminiContent] = field(default_factory=list)
    call_names: dict[str, str] = field(default_factory=dict)
    call_order: dict[str, int] = field(default_factory=dict)
    last_calls: str = ""

    def append(self, role: str, parts: list[GeminiPart]) -> None:
        append_turn(self.contents, role, parts)


def system_instruction(body: Mapping[str, Any]) -> GeminiContent | None:
    """``systemInstruction`` from ``system`` and the ``system`` messages, or None when blank."""
    sources = [body.get("system"), *(m["content"] for m in body["messages"] if m["role"] == "system")]
    parts = [part for source in sources for part in _system_parts(source)]
    return {"parts": parts} if parts else None


def _system_parts(source: Any) -> list[GeminiPart]:
    texts = [source] if isinstance(source, str) else [block["text"] for block in source or ()]
    return [part for text in texts for part in text_part(text)]


def to_contents(messages: Sequence[Mapping[str, Any]], caps: ModelCapabilities, media: MediaMap) -> list[GeminiContent]:
    """The Gemini ``contents``. Raises InvalidRequest naming the field at fault."""
    walk = _Walk(caps=caps, media=media)
    for i, message in enumerate(messages):
        blocks = message["content"]
        if isinstance(blocks, str):
            blocks = [{"type": "text", "text": blocks}]
        if message["role"] == "user":
            walk.append("user", _user_parts(walk, blocks, f"messages.{i}.content"))
        elif message["role"] == "assistant":
            walk.append("model", _model_parts(walk, blocks, f"messages.{i}.content"))
    if not walk.contents:
        raise InvalidRequest("messages hold no content to send", param="messages")
    last = walk.contents[-1]
    if last["role"] == "model" and any("functionCall" in part for part in last["parts"]):
        raise InvalidRequest(UNANSWERED_CALLS, param=walk.last_calls)
    return walk.contents


def _user_parts(walk: _Walk, blocks: list[Mapping[str, Any]], path: str) -> list[GeminiPart]:
    responses: list[tuple[int, GeminiPart]] = []
    extras: list[GeminiPart] = []
    own: list[GeminiPart] = []
    for j, block in enumerate(blocks):
        if block["type"] == "tool_result":
            response, media_parts = _tool_result(walk, block, f"{path}.{j}")
            position = walk.call_order.get(block["tool_use_id"], len(walk.call_order) + len(responses))
            responses.append((position, response))
            extras.extend(media_parts)
        else:
            own.extend(USER_BLOCKS[block["type"]](block, f"{path}.{j}", walk.media))
    ordered = [part for _, part in sorted(responses, key=lambda item: item[0])]
    return ordered + extras + own


def _tool_result(walk: _Walk, block: Mapping[str, Any], path: str) -> tuple[GeminiPart, list[GeminiPart]]:
    call_id = block["tool_use_id"]
    name = walk.call_names.get(call_id)
    if name is None:
        # Vertex refuses a function response that answers no function call of the history.
        raise InvalidRequest("no earlier tool_use block has this id", param=f"{path}.tool_use_id")
    content = block.get("content")
    texts: list[str] = [content] if isinstance(content, str) else []
    media_parts: list[GeminiPart] = []
    for k, item in enumerate(content if isinstance(content, list) else ()):
        if item["type"] == "text":
            texts.append(item["text"])
        else:
            media_parts.extend(USER_BLOCKS[item["type"]](item, f"{path}.content.{k}", walk.media))
    text = "\n".join(texts)
    response = {"error": text} if block.get("is_error") else tool_response(text)
    return {"functionResponse": {"id": call_id, "name": name, "response": response}}, media_parts


@dataclass(slots=True)
class _ModelTurn:
    """One assistant message being translated."""

    parts: list[GeminiPart] = field(default_factory=list)
    call_signature: str | None = None
    calls: int = 0


def _model_parts(walk: _Walk, blocks: list[Mapping[str, Any]], path: str) -> list[GeminiPart]:
    if not walk.contents or walk.contents[-1]["role"] != "model":
        walk.call_order = {}
    turn = _ModelTurn()
    for j, block in enumerate(blocks):
        kind = block["type"]
        if kind == "text":
            turn.parts.extend(text_part(block["text"]))
        elif kind == "thinking":
            _thinking(turn, block)
        elif kind == "tool_use":
            _tool_use(walk, turn, block)
            walk.last_calls = f"{path}.{j}"
    return turn.parts


def _thinking(turn: _ModelTurn, block: Mapping[str, Any]) -> None:
    carried = decode(block.get("signature"))
    if carried is None:
        return
    target, signature = carried
    if target == "call":
        turn.call_signature = signature
    else:
        turn.parts.append({"text": block["thinking"], "thought": True, "thoughtSignature": signature})


def _tool_use(walk: _Walk, turn: _ModelTurn, block: Mapping[str, Any]) -> None:
    call_id, name = block["id"], block["name"]
    part: GeminiPart = {"functionCall": {"id": call_id, "name": name, "args": dict(block["input"])}}
    signature, turn.call_signature = turn.call_signature, None
    if signature is None and turn.calls == 0 and walk.caps.thought_signatures_required:
        signature = BYPASS_SIGNATURE
    if signature:
        part["thoughtSignature"] = signature
    turn.parts.append(part)
    turn.calls += 1
    walk.call_names[call_id] = name
    walk.call_order.setdefault(call_id, len(walk.call_order))
