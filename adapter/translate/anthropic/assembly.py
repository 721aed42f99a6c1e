"""Gemini parts → Anthropic content-block operations, shared by whole answers and streams (pure).

Both :func:`~adapter.translate.anthropic.response.to_message` and
:class:`~adapter.translate.anthropic.events.EventTranslator` feed the candidate's parts through
one :class:`BlockAssembler`, which returns operations in the order Anthropic streams them:

- ``("start", index, block)``: a block opens (``text``, ``thinking`` or ``tool_use``, empty);
- ``("delta", index, delta)``: ``text_delta``, ``thinking_delta``, ``signature_delta`` or
  ``input_json_delta`` (a call's whole arguments: Gemini sends them whole);
- ``("stop", index)``: the block is complete.

So a stream accumulates to exactly the message the whole answer gives, however Gemini cut it.
The mapping:

- thought parts → one ``thinking`` block per run; a signature on a thought part is that block's;
- a ``functionCall`` part → a ``tool_use`` block; its signature goes into the ``thinking`` block
  just before it (the open thought block, or a new empty one);
- text parts → one ``text`` block per run. A text's own signature is not carried: Gemini
  reveals it only once the text is complete (on a stream's last, empty part), too late for a
  thinking block before the text, and a thinking block after the answer's text makes clients
  print nothing (Claude Code's ``-p`` does); Vertex checks only the signatures of calls;
- ``stop_sequences`` cut the text at the first match (see :mod:`.stops`), and nothing after it
  is kept; with ``single_tool_use`` (``disable_parallel_tool_use``) calls after the first are
  left out. Other part kinds (images, code execution) have no Anthropic block and are skipped.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Iterable, Literal, Mapping

from adapter.translate.anthropic.signatures import encode
from adapter.translate.anthropic.stops import StopScanner

BlockKind = Literal["text", "thinking", "tool_use"]
Op = tuple[Any, ...]
TOOL_ID_PREFIX = "toolu_"


@dataclass(frozen=True, slots=True)
class AnswerOptions:
    """What the request asked of the answer that Gemini does not do itself."""

    stop_sequences: tuple[str, ...] = ()
    single_tool_use: bool = False


@dataclass(slots=True)
class _OpenBlock:
    kind: BlockKind
    index: int


def tool_id_prefix(message_id: str) -> str:
    """Derived tool-use ids are ``toolu_<last 24 characters of the message id>_<n>``."""
    return f"{TOOL_ID_PREFIX}{message_id[-24:]}_"


class BlockAssembler:
    """Assembles one candidate's blocks. Not thread-safe (one per answer)."""

    __slots__ = ("_id_prefix", "_single", "_scanner", "_open", "_blocks", "tool_uses")

    def __init__(self, *, id_prefix: str, options: AnswerOptions) -> None:
        self._id_prefix = id_prefix
        self._single = options.single_tool_use
        self._scanner = StopScanner(options.stop_sequences)
        self._open: _OpenBlock | None = None
        self._blocks = 0
        self.tool_uses = 0

    @property
    def stop_sequence(self) -> str | None:
        """The stop sequence that ended the answer, if one did."""
        return self._scanner.matched

    def parts(self, parts: Iterable[Mapping[str, Any]]) -> list[Op]:
        ops: list[Op] = []
        for part in parts:
            if self._scanner.matched is not None:
                break
            if "functionCall" in part:
                self._call(part, ops)
            elif "text" in part and part.get("thought"):
                self._thought(part, ops)
            elif "text" in part:
                self._text(part, ops)
        return ops

    def close(self) -> list[Op]:
        """The operations that end the answer: held-back text, then the open block's stop."""
        ops: list[Op] = []
        self._append_text(self._scanner.flush(), ops)
        self._close(ops)
        return ops

    def _text(self, part: Mapping[str, Any], ops: list[Op]) -> None:
        self._append_text(self._scanner.feed(part["text"] or ""), ops)
        if self._scanner.matched is not None:
            self._close(ops)
            return

    def _thought(self, part: Mapping[str, Any], ops: list[Op]) -> None:
        self._append_text(self._scanner.flush(), ops)
        text, signature = part["text"], part.get("thoughtSignature")
        if not text and not signature:
            return
        if self._open is None or self._open.kind != "thinking":
            self._start({"type": "thinking", "thinking": "", "signature": ""}, ops)
        index = self._blocks - 1
        if text:
            ops.append(("delta", index, {"type": "thinking_delta", "thinking": text}))
        if signature:
            ops.append(("delta", index, {"type": "signature_delta", "signature": encode("thought", signature)}))
            self._close(ops)

    def _call(self, part: Mapping[str, Any], ops: list[Op]) -> None:
        if self._single and self.tool_uses:
            return
        self._append_text(self._scanner.flush(), ops)
        signature = part.get("thoughtSignature")
        if signature and self._open is not None and self._open.kind == "thinking":
            ops.append(("delta", self._open.index, {"type": "signature_delta", "signature": encode("call", signature)}))
            self._close(ops)
        elif signature:
            self._signature_block(signature, ops)
        call = part["functionCall"]
        index = self._start({"type": "tool_use", "id": self._tool_id(call), "name": call.get("name", ""), "input": {}}, ops)
        arguments = json.dumps(call.get("args") or {}, separators=(",", ":"), ensure_ascii=False)
        ops.append(("delta", index, {"type": "input_json_delta", "partial_json": arguments}))
        self._close(ops)
        self.tool_uses += 1

    def _tool_id(self, call: Mapping[str, Any]) -> str:
        gemini_id = call.get("id")
        if not gemini_id:
            return f"{self._id_prefix}{self.tool_uses}"
        return gemini_id if gemini_id.startswith(TOOL_ID_PREFIX) else f"{TOOL_ID_PREFIX}{gemini_id}"

    def _append_text(self, text: str, ops: list[Op]) -> None:
        if not text:
            return
        if self._open is None or self._open.kind != "text":
            self._start({"type": "text", "text": ""}, ops)
        ops.append(("delta", self._blocks - 1, {"type": "text_delta", "text": text}))

    def _signature_block(self, signature: str, ops: list[Op]) -> None:
        index = self._start({"type": "thinking", "thinking": "", "signature": ""}, ops)
        ops.append(("delta", index, {"type": "signature_delta", "signature": encode("call", signature)}))
        self._close(ops)

    def _start(self, block: dict[str, Any], ops: list[Op]) -> int:
        self._close(ops)
        index = self._blocks
        self._blocks += 1
        self._open = _OpenBlock(kind=block["type"], index=index)
        ops.append(("start", index, block))
        return index

    def _close(self, ops: list[Op]) -> None:
        if self._open is not None:
            ops.append(("stop", self._open.index))
            self._open = None
