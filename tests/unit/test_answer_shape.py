"""Which side is wrong when translating an answer fails: every documented answer keeps Google's
(or, in direct mode, OpenAI's) shapes, and answers that break them are named at the field."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from adapter.upstream.answer_shape import GEMINI_ANSWER, OPENAI_ANSWER, OPENAI_CHUNK, answer_problem

EXAMPLES = Path(__file__).resolve().parents[1] / "fixtures" / "vertex" / "examples"
TEXT = {"role": "model", "parts": [{"text": "x"}]}


def _sse_events(path: Path) -> list[Any]:
    lines = path.read_text(encoding="utf-8").splitlines()
    payloads = [line[len("data:"):].strip() for line in lines if line.startswith("data:")]
    return [json.loads(payload) for payload in payloads if payload != "[DONE]"]


def _documented() -> list[tuple[str, Any, Any]]:
    rows = [(p.name, json.loads(p.read_text(encoding="utf-8")), GEMINI_ANSWER) for p in sorted((EXAMPLES / "generate").glob("*.response.json"))]
    for path in sorted((EXAMPLES / "stream").glob("*.sse")):
        rows += [(f"{path.name}#{i}", event, GEMINI_ANSWER) for i, event in enumerate(_sse_events(path)) if "error" not in event]
    rows += [(p.name, json.loads(p.read_text(encoding="utf-8")), OPENAI_ANSWER) for p in sorted((EXAMPLES / "openai-compat").glob("*.response.json"))]
    rows += [(f"chat.stream.sse#{i}", event, OPENAI_CHUNK) for i, event in enumerate(_sse_events(EXAMPLES / "openai-compat" / "chat.stream.sse"))]
    return rows


DOCUMENTED = _documented()


@pytest.mark.parametrize(("name", "answer", "shape"), DOCUMENTED, ids=[row[0] for row in DOCUMENTED])
def test_documented_answers_keep_their_shape(name: str, answer: Any, shape: Any) -> None:
    assert answer_problem(answer, shape) is None


def test_every_kind_of_documented_answer_is_checked() -> None:
    assert len(DOCUMENTED) > 40


BROKEN = [
    ("text that is a number", {"candidates": [{"content": {"role": "model", "parts": [{"text": 5}]}}]}, GEMINI_ANSWER,
     "answer.candidates[0].content.parts[0].text"),
    ("content that is a string", {"candidates": [{"content": "hi"}]}, GEMINI_ANSWER, "answer.candidates[0].content"),
    ("candidates that are an object", {"candidates": {"0": {"content": TEXT}}}, GEMINI_ANSWER, "answer.candidates"),
    ("counts that are strings", {"candidates": [{"content": TEXT}], "usageMetadata": {"totalTokenCount": "4"}}, GEMINI_ANSWER,
     "answer.usageMetadata.totalTokenCount"),
    ("call arguments that are a list", {"candidates": [{"content": {"parts": [{"functionCall": {"name": "f", "args": []}}]}}]},
     GEMINI_ANSWER, "answer.candidates[0].content.parts[0].functionCall.args"),
    ("a null finish reason (Gemini never sends null)", {"candidates": [{"finishReason": None}]}, GEMINI_ANSWER,
     "answer.candidates[0].finishReason"),
    ("direct choices that are a string", {"id": "x", "choices": "none"}, OPENAI_ANSWER, "answer.choices"),
    ("direct arguments that are an object", {"choices": [{"delta": {"tool_calls": [{"function": {"arguments": {}}}]}}]}, OPENAI_CHUNK,
     "answer.choices[0].delta.tool_calls[0].function.arguments"),
]


@pytest.mark.parametrize(("answer", "shape", "where"), [row[1:] for row in BROKEN], ids=[row[0] for row in BROKEN])
def test_broken_answers_are_named_at_the_field(answer: Any, shape: Any, where: str) -> None:
    assert answer_problem(answer, shape) == where


def test_null_is_allowed_where_openai_sends_it() -> None:
    answer = {"choices": [{"message": {"role": "assistant", "content": None, "tool_calls": None}, "finish_reason": None, "logprobs": None}], "usage": None}
    assert answer_problem(answer, OPENAI_ANSWER) is None
