"""Stream helpers for tests: read Vertex SSE fixtures, split and merge Vertex answers, and
accumulate OpenAI chunks into the ``chat.completion`` they stand for.

``accumulate`` follows the OpenAI SDK's rules (strings concatenate, ``tool_calls`` merge by
``index``, lists extend, the first value of other fields wins) on plain dicts, so a test can
compare a stream with the whole answer using ``==``.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any, Iterable

from tests.support.openai_schema import assert_chunk

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
VERTEX_EXAMPLES = FIXTURES / "vertex" / "examples"


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def parse_sse(text: str) -> list[Any]:
    """The JSON payloads of ``data:`` lines (CRLF or LF framing); ``[DONE]`` is skipped."""
    events = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.startswith("data:"):
            payload = line[5:].strip()
            if payload != "[DONE]":
                events.append(json.loads(payload))
    return events


def read_sse(path: Path) -> list[Any]:
    return parse_sse(path.read_bytes().decode("utf-8"))


def merge_events(events: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The whole ``GenerateContentResponse`` a stream of events stands for."""
    candidates: dict[int, dict[str, Any]] = {}
    merged: dict[str, Any] = {}
    for event in events:
        for key in ("promptFeedback", "usageMetadata", "modelVersion", "responseId"):
            if key in event and (key != "promptFeedback" or key not in merged):
                merged[key] = event[key]
        for candidate in event.get("candidates", ()):
            whole = candidates.setdefault(candidate.get("index", 0), {"content": {"role": "model", "parts": []}})
            whole["content"]["parts"].extend((candidate.get("content") or {}).get("parts", ()))
            for key, value in candidate.items():
                if key == "logprobsResult":
                    _extend_logprobs(whole, value)
                elif key != "content":
                    whole[key] = value
    if candidates:
        merged["candidates"] = [candidates[index] for index in sorted(candidates)]
    return merged


def _extend_logprobs(whole: dict[str, Any], result: dict[str, Any]) -> None:
    target = whole.setdefault("logprobsResult", {"chosenCandidates": [], "topCandidates": []})
    target["chosenCandidates"].extend(result.get("chosenCandidates", ()))
    target["topCandidates"].extend(result.get("topCandidates", ()))


def split_response(resp: dict[str, Any]) -> list[dict[str, Any]]:
    """A stream for a whole answer: one part per event, every text part cut in two.

    The finish reason and metadata ride on each candidate's last event; usage counts on the
    stream's last event (earlier events carry only ``trafficType``, as Vertex does).
    """
    per_candidate = [_candidate_events(candidate) for candidate in resp.get("candidates", ())]
    rounds = max((len(events) for events in per_candidate), default=1)
    events = []
    for step in range(rounds):
        candidates = [evs[step] for evs in per_candidate if step < len(evs)]
        event: dict[str, Any] = {"candidates": candidates} if candidates else {}
        if step == 0 and "promptFeedback" in resp:
            event["promptFeedback"] = resp["promptFeedback"]
        event["usageMetadata"] = resp.get("usageMetadata", {}) if step == rounds - 1 else {"trafficType": "ON_DEMAND"}
        events.append(event)
    return events


def _candidate_events(candidate: dict[str, Any]) -> list[dict[str, Any]]:
    index = {"index": candidate["index"]} if "index" in candidate else {}
    parts: list[dict[str, Any]] = []
    for part in (candidate.get("content") or {}).get("parts", ()):
        text = part.get("text")
        if text and len(text) > 1:
            half = len(text) // 2
            parts.append({**part, "text": text[:half]})
            parts.append({**part, "text": text[half:]})
        else:
            parts.append(part)
    events = [{**index, "content": {"role": "model", "parts": [part]}} for part in parts] or [dict(index)]
    logprobs = candidate.get("logprobsResult")
    if logprobs is not None:
        chosen, top = logprobs.get("chosenCandidates", []), logprobs.get("topCandidates", [])
        half = len(chosen) // 2
        events[0]["logprobsResult"] = {"chosenCandidates": chosen[:half], "topCandidates": top[:half]}
        rest = {"chosenCandidates": chosen[half:], "topCandidates": top[half:]}
        if len(events) == 1:
            _extend_logprobs(events[0], rest)
        else:
            events[-1]["logprobsResult"] = rest
    for key, value in candidate.items():
        if key not in ("content", "index", "logprobsResult"):
            events[-1][key] = value
    return events


def accumulate(chunks: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """The completion a client builds from chunks: ``{"choices": [...], "usage": ...}``."""
    choices: dict[int, dict[str, Any]] = {}
    usage = None
    for chunk in chunks:
        if chunk.get("usage"):
            usage = chunk["usage"]
        for choice in chunk["choices"]:
            acc = choices.setdefault(choice["index"], {"index": choice["index"], "message": {}, "logprobs": None, "finish_reason": None})
            _merge_delta(acc["message"], choice["delta"])
            if choice.get("logprobs") is not None:
                if acc["logprobs"] is None:
                    acc["logprobs"] = {"content": [], "refusal": None}
                acc["logprobs"]["content"].extend(choice["logprobs"]["content"] or ())
            if choice.get("finish_reason") is not None:
                acc["finish_reason"] = choice["finish_reason"]
    for acc in choices.values():
        message = acc["message"]
        acc["message"] = {"role": message.pop("role", None), "content": message.pop("content", None), "refusal": message.pop("refusal", None), **message}
    return {"choices": [choices[index] for index in sorted(choices)], "usage": usage}


def _merge_delta(message: dict[str, Any], delta: dict[str, Any]) -> None:
    for key, value in delta.items():
        if key == "tool_calls":
            calls = message.setdefault("tool_calls", [])
            for call in value:
                _merge_call(calls, call)
        elif isinstance(value, str) and isinstance(message.get(key), str) and key != "role":
            message[key] += value
        elif isinstance(value, list) and isinstance(message.get(key), list):
            message[key].extend(value)
        elif message.get(key) is None:
            message[key] = copy.deepcopy(value)


def _merge_call(calls: list[dict[str, Any]], call: dict[str, Any]) -> None:
    position = call["index"]
    fields = {key: value for key, value in call.items() if key != "index"}
    if position == len(calls):
        calls.append(copy.deepcopy(fields))
        return
    existing = calls[position]
    existing["function"]["arguments"] += call.get("function", {}).get("arguments", "")


def comparable(completion: dict[str, Any]) -> dict[str, Any]:
    """What a whole ``chat.completion`` and an accumulated stream must agree on."""
    return {"choices": completion["choices"], "usage": completion["usage"]}


def check_stream(chunks: list[dict[str, Any]], *, include_usage: bool) -> None:
    """Assert what every gateway stream must satisfy, chunk by chunk and as a whole.

    Each chunk is schema-valid, one id/created/model throughout, ``object`` right, never empty;
    at least one choice; per choice: the role exactly once and first, ``logprobs`` present,
    nothing after the finish chunk, and a finish chunk for every choice; the usage chunk (``choices: []``) last, and only
    when asked for.
    """
    roles: dict[int, int] = {}
    finished: set[int] = set()
    for chunk in chunks:
        assert_chunk(chunk)
        assert chunk["object"] == "chat.completion.chunk"
        assert (chunk["id"], chunk["created"], chunk["model"]) == (chunks[0]["id"], chunks[0]["created"], chunks[0]["model"])
        assert chunk["choices"] or chunk.get("usage"), "an empty chunk was emitted"
        for choice in chunk["choices"]:
            index = choice["index"]
            assert index not in finished, "a chunk came after the choice's finish chunk"
            assert "logprobs" in choice
            delta = choice["delta"]
            if index not in roles:
                assert delta.get("role") == "assistant", "the first chunk of a choice must carry the role"
            roles[index] = roles.get(index, 0) + ("role" in delta)
            if choice["finish_reason"] is not None:
                assert delta in ({}, {"role": "assistant"})
                finished.add(index)
            else:
                assert delta or choice["logprobs"], "an empty delta was emitted"
    assert roles, "the stream carried no choice at all"
    assert all(count == 1 for count in roles.values()), "the role must be sent once per choice"
    assert finished == set(roles), "every choice needs its own finish chunk"
    usage_chunks = [chunk for chunk in chunks if chunk.get("usage") is not None]
    if include_usage:
        assert usage_chunks == [chunks[-1]] and chunks[-1]["choices"] == []
    else:
        assert usage_chunks == []
