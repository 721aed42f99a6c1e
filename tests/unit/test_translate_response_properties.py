"""Property tests: any schema-valid Vertex answer gives schema-valid OpenAI output, and its
stream, cut into events anywhere, accumulates to exactly the whole translation."""

from __future__ import annotations

import base64
import copy
import json
from functools import lru_cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapter.translate.candidates import FUNCTION_CALL_FAILURES, ModelFunctionCallError
from adapter.translate.chunks import ChunkTranslator
from adapter.translate.response import to_chat_completion
from tests.support.openai_schema import assert_chat_completion
from tests.support.streams import FIXTURES, accumulate, check_stream, comparable

COMPLETION_ID = "chatcmpl-9f0e1d2c3b4a59687766554433221100"
FINISH_REASONS = [
    "STOP", "MAX_TOKENS", "SAFETY", "RECITATION", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "SPII", "MODEL_ARMOR",
    "IMAGE_SAFETY", "IMAGE_PROHIBITED_CONTENT", "IMAGE_RECITATION", "IMAGE_OTHER", "NO_IMAGE", "MALFORMED_RESPONSE",
    "FINISH_REASON_UNSPECIFIED", "TOO_MANY_TOOL_CALLS", "CONTINUATION",
]
BLOCK_REASONS = ["BLOCKED_REASON_UNSPECIFIED", "SAFETY", "OTHER", "BLOCKLIST", "PROHIBITED_CONTENT", "MODEL_ARMOR", "IMAGE_SAFETY", "JAILBREAK"]
SCALARS = {"string": str, "boolean": bool, "number": (int, float), "integer": int}

texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=24)
signatures = st.binary(min_size=1, max_size=24).map(lambda b: base64.b64encode(b).decode())
json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-1000, 1000) | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)


@st.composite
def parts(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["text", "text", "text", "thought", "call", "image"]))
    part: dict[str, Any]
    if kind in ("text", "thought"):
        part = {"text": draw(texts)}
        if kind == "thought":
            part["thought"] = True
    elif kind == "call":
        call: dict[str, Any] = {"name": draw(st.from_regex(r"[a-z_][a-z0-9_]{0,12}", fullmatch=True))}
        if draw(st.booleans()):
            call["args"] = draw(st.dictionaries(texts, json_values, max_size=3))
        if draw(st.booleans()):
            call["id"] = f"call_{draw(st.integers(0, 999999))}"
        part = {"functionCall": call}
    else:
        part = {"inlineData": {"mimeType": draw(st.sampled_from(["image/png", "image/jpeg", "audio/wav"])), "data": draw(signatures)}}
    if draw(st.integers(0, 3)) == 0:
        part["thoughtSignature"] = draw(signatures)
    return part


def answer_text(candidate_parts: list[dict[str, Any]]) -> str:
    return "".join(p.get("text", "") for p in candidate_parts if not p.get("thought"))


@st.composite
def grounding(draw: st.DrawFn, text: str) -> dict[str, Any]:
    sources = draw(st.lists(st.builds(lambda n, t: {"web": {"uri": f"https://s{n}.example/", "title": t, "domain": f"s{n}.example"}}, st.integers(0, 9), texts), max_size=3))
    supports = []
    for _ in range(draw(st.integers(0, 3))):
        if len(text) < 1 or not sources:
            break
        start = draw(st.integers(0, len(text) - 1))
        end = draw(st.integers(start + 1, len(text)))
        segment = {"startIndex": len(text[:start].encode()), "endIndex": len(text[:end].encode()), "text": text[start:end]}
        indices = draw(st.lists(st.integers(0, len(sources) - 1), min_size=1, max_size=2))
        supports.append({"segment": segment, "groundingChunkIndices": indices})
    metadata: dict[str, Any] = {"groundingChunks": sources, "groundingSupports": supports}
    if draw(st.booleans()):
        metadata["webSearchQueries"] = draw(st.lists(texts, max_size=2))
        metadata["searchEntryPoint"] = {"renderedContent": "<div>chips</div>"}
    return metadata


@st.composite
def logprobs_results(draw: st.DrawFn) -> dict[str, Any]:
    token = st.builds(lambda t, lp: {"token": t, "logProbability": lp}, texts, st.floats(-50, 0, allow_nan=False))
    chosen = draw(st.lists(token, max_size=4))
    return {"chosenCandidates": chosen, "topCandidates": [{"candidates": draw(st.lists(token, max_size=2))} for _ in chosen]}


@st.composite
def candidates(draw: st.DrawFn, index: int | None, failures: bool) -> dict[str, Any]:
    candidate: dict[str, Any] = {} if index is None else {"index": index}
    candidate_parts = draw(st.lists(parts(), max_size=5))
    if candidate_parts or draw(st.booleans()):
        candidate["content"] = {"role": "model", "parts": candidate_parts}
    reasons = FINISH_REASONS + (list(FUNCTION_CALL_FAILURES) if failures else [])
    reason = draw(st.sampled_from(reasons) | st.none())
    if reason is not None:
        candidate["finishReason"] = reason
        if draw(st.booleans()):
            candidate["finishMessage"] = draw(texts)
    if draw(st.integers(0, 2)) == 0:
        candidate["groundingMetadata"] = draw(grounding(answer_text(candidate_parts)))
    if draw(st.integers(0, 3)) == 0:
        candidate["logprobsResult"] = draw(logprobs_results())
    return candidate


counts = st.integers(0, 10_000)
usage_metadata = st.fixed_dictionaries(
    {},
    optional={
        "promptTokenCount": counts, "candidatesTokenCount": counts, "totalTokenCount": counts, "thoughtsTokenCount": counts,
        "toolUsePromptTokenCount": counts, "cachedContentTokenCount": counts, "trafficType": st.just("ON_DEMAND"),
    },
)


@st.composite
def responses(draw: st.DrawFn, failures: bool = False) -> dict[str, Any]:
    resp: dict[str, Any] = {}
    if draw(st.integers(0, 9)) == 0:
        feedback = {"blockReason": draw(st.sampled_from(BLOCK_REASONS))}
        if draw(st.booleans()):
            feedback["blockReasonMessage"] = draw(texts)
        resp["promptFeedback"] = feedback
    else:
        n = draw(st.integers(1, 3))
        resp["candidates"] = [draw(candidates(None if n == 1 and draw(st.booleans()) else i, failures)) for i in range(n)]
    resp["usageMetadata"] = draw(usage_metadata)
    resp["modelVersion"] = "gemini-2.5-flash"
    return resp


@st.composite
def split(draw: st.DrawFn, resp: dict[str, Any]) -> list[dict[str, Any]]:
    """``resp`` as a stream: text parts cut anywhere, parts grouped into events at random."""
    streams = [draw(candidate_events(candidate)) for candidate in resp.get("candidates", ())]
    rounds = max([len(s) for s in streams] + [1])
    events = []
    for step in range(rounds):
        event: dict[str, Any] = {"usageMetadata": resp["usageMetadata"] if step == rounds - 1 else {"trafficType": "ON_DEMAND"}}
        present = [s[step] for s in streams if step < len(s)]
        if present:
            event["candidates"] = present
        if step == 0 and "promptFeedback" in resp:
            event["promptFeedback"] = resp["promptFeedback"]
        events.append(event)
    return events


@st.composite
def candidate_events(draw: st.DrawFn, candidate: dict[str, Any]) -> list[dict[str, Any]]:
    pieces: list[dict[str, Any]] = []
    for part in (candidate.get("content") or {}).get("parts", ()):
        text = part.get("text")
        cuts = sorted(draw(st.sets(st.integers(1, len(text) - 1), max_size=2))) if text and len(text) > 1 else []
        bounds = [0, *cuts, len(text)] if cuts else None
        pieces += [{**part, "text": text[a:b]} for a, b in zip(bounds, bounds[1:])] if bounds else [part]
    groups: list[list[dict[str, Any]]] = [[]]
    for piece in pieces:
        if groups[-1] and draw(st.booleans()):
            groups.append([])
        groups[-1].append(piece)
    head = {"index": candidate["index"]} if "index" in candidate else {}
    events = [{**head, "content": {"role": "model", "parts": group}} for group in groups]
    logprobs = candidate.get("logprobsResult")
    if logprobs is not None:
        cut = draw(st.integers(0, len(logprobs["chosenCandidates"])))
        events[0]["logprobsResult"] = {k: v[:cut] for k, v in logprobs.items()}
        if len(events) > 1:
            events[-1]["logprobsResult"] = {k: v[cut:] for k, v in logprobs.items()}
        else:
            events[0]["logprobsResult"] = logprobs
    for key, value in candidate.items():
        if key not in ("index", "content", "logprobsResult"):
            events[-1][key] = value
    return events


@lru_cache(maxsize=1)
def vertex_schemas() -> dict[str, Any]:
    return json.loads((FIXTURES / "vertex" / "schemas.v1.json").read_text(encoding="utf-8"))["schemas"]


def assert_vertex_valid(value: Any, spec: dict[str, Any], path: str = "$") -> None:
    """A minimal discovery-schema check: known fields, JSON types and enum values."""
    if "$ref" in spec:
        spec = vertex_schemas()[spec["$ref"]]
    kind = spec.get("type")
    if kind == "any":
        return
    if kind == "object":
        assert isinstance(value, dict), path
        for key, item in value.items():
            properties = spec.get("properties")
            sub = properties.get(key) if properties is not None else spec.get("additionalProperties")
            assert sub is not None, f"{path}.{key} is not in the Vertex schema"
            assert_vertex_valid(item, sub, f"{path}.{key}")
    elif kind == "array":
        assert isinstance(value, list), path
        for i, item in enumerate(value):
            assert_vertex_valid(item, spec["items"], f"{path}[{i}]")
    else:
        assert isinstance(value, SCALARS[kind]) and not (kind != "boolean" and isinstance(value, bool)), path
        assert "enum" not in spec or value in spec["enum"], f"{path}: {value!r}"


def translate_stream(events: list[dict[str, Any]], include_usage: bool) -> list[dict[str, Any]]:
    translator = ChunkTranslator(completion_id=COMPLETION_ID, created=1, model="m", include_usage=include_usage)
    return [chunk for event in events for chunk in translator.feed(event)] + translator.finish()


FAST = settings(max_examples=150, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(data=st.data(), include_usage=st.booleans())
def test_any_valid_answer_translates_validly_and_its_stream_agrees(data: st.DataObject, include_usage: bool):
    resp = data.draw(responses())
    assert_vertex_valid(resp, {"$ref": "GoogleCloudAiplatformV1GenerateContentResponse"})
    events = data.draw(split(resp))
    before = copy.deepcopy((resp, events))
    out = to_chat_completion(resp, completion_id=COMPLETION_ID, created=1, model="m")
    assert_chat_completion(out)
    chunks = translate_stream(events, include_usage)
    check_stream(chunks, include_usage=include_usage)
    expected = comparable(out)
    if not include_usage:
        expected["usage"] = None
    assert accumulate(chunks) == expected
    assert (resp, events) == before


@FAST
@given(data=st.data())
def test_unusable_function_calls_fail_both_ways_alike(data: st.DataObject):
    resp = data.draw(responses(failures=True))
    events = data.draw(split(resp))
    try:
        to_chat_completion(resp, completion_id=COMPLETION_ID, created=1, model="m")
    except ModelFunctionCallError as whole_error:
        try:
            translate_stream(events, True)
        except ModelFunctionCallError as stream_error:
            assert stream_error.code == whole_error.code or len(resp["candidates"]) > 1
        else:
            raise AssertionError("the stream did not fail")
    else:
        check_stream(translate_stream(events, True), include_usage=True)
