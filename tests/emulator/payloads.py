"""Builders for realistic Vertex AI responses, in Vertex's key order (wire facts 3, 4, 8, 14, 15).

Every builder is deterministic (ids, timestamps and signatures derive from the arguments), so
tests can compare exact dicts. Signatures look like Vertex's (``AY89a1...``); the emulator
remembers every signature it sends, so a signature from these payloads is accepted in later
requests once the emulator has served it (or after ``emulator.remember_signature(sig)``).
"""

from __future__ import annotations

import base64
import hashlib
from typing import Any, Iterable, Mapping, Sequence

from .chunking import merge_stream_events, split_words, to_stream_events

__all__ = [
    "TINY_PNG_BASE64", "blocked_prompt_response", "candidate", "count_tokens", "function_call_response",
    "grounded_response", "image_response", "logprobs_fields", "logprobs_response", "malformed_function_call_response",
    "max_tokens_response", "merge_stream_events", "response", "safety_blocked_response", "signature",
    "split_words", "text_response", "thought_response", "to_stream_events", "usage",
]

DEFAULT_CREATE_TIME = "2026-10-06T19:23:17.651275Z"
TINY_PNG_BASE64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
SAFETY_CATEGORIES = (
    "HARM_CATEGORY_HATE_SPEECH", "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT", "HARM_CATEGORY_SEXUALLY_EXPLICIT",
)


def count_tokens(text: str) -> int:
    """The emulator's token estimate: one token per 4 characters, at least 1 for non-empty text."""
    return (len(text) + 3) // 4


def _digest(seed: str) -> bytes:
    return hashlib.sha256(seed.encode("utf-8")).digest()


def signature(seed: str) -> str:
    """A Vertex-looking thought signature (standard base64, starts with ``AY89a1``)."""
    return "AY89a1" + base64.b64encode(_digest(seed) + _digest(seed + "#")[:16]).decode("ascii")[6:]


def response_id(seed: str) -> str:
    return base64.urlsafe_b64encode(_digest(seed)).decode("ascii")[:23]


def is_gemini3(model: str) -> bool:
    return model.startswith("gemini-3")


def usage(prompt: int, candidates: int = 0, thoughts: int = 0, *, details: bool = True) -> dict[str, Any]:
    """usageMetadata in Vertex order; zero counts are omitted (wire facts 3, 4, 8)."""
    result: dict[str, Any] = {}
    if prompt:
        result["promptTokenCount"] = prompt
    if candidates:
        result["candidatesTokenCount"] = candidates
    result["totalTokenCount"] = prompt + candidates + thoughts
    result["trafficType"] = "ON_DEMAND"
    if details and prompt:
        result["promptTokensDetails"] = [{"modality": "TEXT", "tokenCount": prompt}]
    if details and candidates:
        result["candidatesTokensDetails"] = [{"modality": "TEXT", "tokenCount": candidates}]
    if thoughts:
        result["thoughtsTokenCount"] = thoughts
    return result


def candidate(parts: Sequence[Mapping[str, Any]] | None, finish: str | None = "STOP", *, index: int = 0,
              **extra: Any) -> dict[str, Any]:
    """A candidate: ``content`` (None: no content at all; []: role only), ``finishReason``, extras in order."""
    result: dict[str, Any] = {}
    if parts is not None:
        result["content"] = {"role": "model", "parts": [dict(p) for p in parts]} if parts else {"role": "model"}
    if finish:
        result["finishReason"] = finish
    result.update({key: value for key, value in extra.items() if value is not None})
    if index:
        result["index"] = index
    return result


def response(candidates: Iterable[Mapping[str, Any]], usage_metadata: Mapping[str, Any], model: str, *,
             prompt_feedback: Mapping[str, Any] | None = None, seed: str = "", create_time: str = DEFAULT_CREATE_TIME) -> dict[str, Any]:
    """The GenerateContentResponse envelope in Vertex order."""
    result: dict[str, Any] = {}
    listed = [dict(c) for c in candidates]
    if listed:
        result["candidates"] = listed
    if prompt_feedback is not None:
        result["promptFeedback"] = dict(prompt_feedback)
    result["usageMetadata"] = dict(usage_metadata)
    result["modelVersion"] = model
    result["createTime"] = create_time
    result["responseId"] = response_id(f"{model}|{seed}")
    return result


def text_response(text: str, model: str = "gemini-2.5-flash", *, thought: str | None = None, finish: str = "STOP",
                  prompt_tokens: int = 8, signed: bool | None = None) -> dict[str, Any]:
    """A text answer (optionally after a thought summary); Gemini 3 signs the text part."""
    parts: list[dict[str, Any]] = []
    if thought is not None:
        parts.append({"text": thought, "thought": True})
    part: dict[str, Any] = {"text": text}
    if is_gemini3(model) if signed is None else signed:
        part["thoughtSignature"] = signature(f"text|{model}|{text}")
    parts.append(part)
    thoughts = count_tokens(thought) * 3 if thought else 0
    return response([candidate(parts, finish)], usage(prompt_tokens, count_tokens(text), thoughts), model, seed=text)


def thought_response(thought: str, text: str, model: str = "gemini-2.5-flash") -> dict[str, Any]:
    return text_response(text, model, thought=thought)


def call_id(model: str, name: str, position: int) -> str:
    return f"call_{int.from_bytes(_digest(f'{model}|{name}|{position}')[:3], 'big') % 900000 + 100000}"


def function_call_response(calls: Sequence[tuple[str, Mapping[str, Any]]], model: str = "gemini-2.5-flash", *,
                           thought: str | None = None) -> dict[str, Any]:
    """Function calls: Gemini 3 style (ids, a signature on the first call) or 2.5 style (neither)."""
    parts: list[dict[str, Any]] = []
    if thought is not None:
        parts.append({"text": thought, "thought": True})
    for position, (name, args) in enumerate(calls):
        call: dict[str, Any] = {"name": name, "args": dict(args)}
        part: dict[str, Any] = {"functionCall": call}
        if is_gemini3(model):
            call["id"] = call_id(model, name, position)
            if position == 0:
                part["thoughtSignature"] = signature(f"call|{model}|{name}|{sorted(args.items())!r}")
        parts.append(part)
    out_tokens = 8 * len(calls)
    thoughts = 24 if is_gemini3(model) or thought else 0
    return response([candidate(parts)], usage(19, out_tokens, thoughts), model, seed=repr(calls))


def grounded_response(segments: Sequence[tuple[str, Sequence[int]]], sources: Sequence[tuple[str, str]],
                      queries: Sequence[str] = ("query",), model: str = "gemini-2.5-flash") -> dict[str, Any]:
    """Grounded text: ``segments`` are (text, chunk indices); supports use UTF-8 byte offsets (wire fact 12)."""
    text = "".join(segment for segment, _ in segments)
    supports, offset = [], 0
    for segment, indices in segments:
        size = len(segment.encode("utf-8"))
        if indices:
            span: dict[str, Any] = {"startIndex": offset} if offset else {}
            span.update({"endIndex": offset + size, "text": segment})
            supports.append({"segment": span, "groundingChunkIndices": list(indices),
                             "confidenceScores": [0.9] * len(indices)})
        offset += size
    chunks = [{"web": {"uri": uri, "title": title, "domain": title}} for uri, title in sources]
    metadata = {
        "webSearchQueries": list(queries),
        "searchEntryPoint": {"renderedContent": "<style>.container{}</style><div class=\"container\">search</div>"},
        "groundingChunks": chunks,
        "groundingSupports": supports,
        "retrievalMetadata": {},
    }
    cand = candidate([{"text": text}], groundingMetadata=metadata)
    return response([cand], usage(10, count_tokens(text)), model, seed=text)


def logprobs_fields(text: str, top: int = 2) -> tuple[float, dict[str, Any]]:
    """(``avgLogprobs``, ``logprobsResult``) for ``text``, one entry per word token, ``top`` alternatives each."""
    tokens = split_words(text)
    chosen: list[dict[str, Any]] = [{"token": token, "logProbability": round(-0.1 * (i + 1), 4)} for i, token in enumerate(tokens)]
    top_candidates = [
        {"candidates": [chosen[i]] + [{"token": f"{token.strip()}_{k}", "logProbability": -2.0 - k} for k in range(1, top)]}
        for i, token in enumerate(tokens)
    ]
    average = sum(float(item["logProbability"]) for item in chosen) / len(chosen)
    return average, {"topCandidates": top_candidates, "chosenCandidates": chosen}


def logprobs_response(text: str, model: str = "gemini-2.5-flash", top: int = 2) -> dict[str, Any]:
    """Text with ``avgLogprobs`` and ``logprobsResult``."""
    average, result = logprobs_fields(text, top)
    cand = candidate([{"text": text}], avgLogprobs=average, logprobsResult=result)
    return response([cand], usage(8, len(split_words(text))), model, seed=text)


def safety_ratings(blocked: str | None = None) -> list[dict[str, Any]]:
    ratings = []
    for category in SAFETY_CATEGORIES:
        rating: dict[str, Any] = {"category": category, "probability": "NEGLIGIBLE", "probabilityScore": 0.05,
                                  "severity": "HARM_SEVERITY_NEGLIGIBLE", "severityScore": 0.04}
        if category == blocked:
            rating = {"category": category, "probability": "HIGH", "blocked": True, "probabilityScore": 0.94,
                      "severity": "HARM_SEVERITY_HIGH", "severityScore": 0.88}
        ratings.append(rating)
    return ratings


def blocked_prompt_response(reason: str = "SAFETY", message: str | None = None, model: str = "gemini-2.5-flash") -> dict[str, Any]:
    """HTTP 200 without candidates, ``promptFeedback.blockReason`` (wire fact 11)."""
    feedback: dict[str, Any] = {"blockReason": reason}
    if reason == "SAFETY":
        feedback["safetyRatings"] = safety_ratings("HARM_CATEGORY_DANGEROUS_CONTENT")
    feedback["blockReasonMessage"] = message or "The prompt could not be submitted. This prompt contains sensitive words that violate Google's Responsible AI practices. Try rephrasing the prompt. If you think this was an error, send feedback."
    return response([], usage(9, 0), model, prompt_feedback=feedback, seed=reason)


def safety_blocked_response(partial_text: str | None = None, model: str = "gemini-2.5-flash") -> dict[str, Any]:
    """A candidate stopped with ``finishReason: SAFETY`` (content role-only, or the partial text)."""
    parts = [{"text": partial_text}] if partial_text else []
    cand = candidate(parts, "SAFETY", safetyRatings=safety_ratings("HARM_CATEGORY_DANGEROUS_CONTENT"))
    return response([cand], usage(38, count_tokens(partial_text or "")), model, seed="safety")


def max_tokens_response(text: str = "The fog rolled in off the Atlantic", model: str = "gemini-2.5-flash", *,
                        thinking_exhausted: bool = False) -> dict[str, Any]:
    """``MAX_TOKENS``; with ``thinking_exhausted`` the content has no parts (wire fact 10)."""
    if thinking_exhausted:
        return response([candidate([], "MAX_TOKENS")], usage(10, 0, 63), model, seed="exhausted")
    return response([candidate([{"text": text}], "MAX_TOKENS")], usage(10, count_tokens(text)), model, seed=text)


def malformed_function_call_response(message: str | None = None, model: str = "gemini-2.5-flash") -> dict[str, Any]:
    """``MALFORMED_FUNCTION_CALL``: no content at all, or role-only content with a ``finishMessage``."""
    if message is None:
        return response([candidate(None, "MALFORMED_FUNCTION_CALL")], usage(27, 0, 34), model, seed="malformed")
    cand = candidate([], "MALFORMED_FUNCTION_CALL", finishMessage=message)
    return response([cand], usage(27, 0, 34), model, seed=message)


def image_response(text: str = "Here is your image.", model: str = "gemini-2.5-flash-image",
                   mime_type: str = "image/png", data: str = TINY_PNG_BASE64) -> dict[str, Any]:
    """Text plus an ``inlineData`` image part (a 1x1 PNG by default)."""
    first: dict[str, Any] = {"text": text}
    if is_gemini3(model):
        first["thoughtSignature"] = signature(f"image|{model}|{text}")
    parts = [first, {"inlineData": {"mimeType": mime_type, "data": data}}]
    return response([candidate(parts)], usage(8, count_tokens(text) + 1290), model, seed=text)
