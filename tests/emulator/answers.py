"""Default answers (no script queued): deterministic text that echoes the last user text.

``generateContent`` answers ``"Hello from <model>! You said: <last user text>"`` (valid JSON
matching the schema in JSON mode), with a thought summary first when thoughts are requested,
Gemini 3 signatures, one candidate per ``candidateCount``, logprobs and an image part when asked.
"""

from __future__ import annotations

import base64
import datetime
import json
import os
import random
import hashlib
from typing import Any, Callable, Mapping

from . import access as a
from . import payloads
from .errors import DOCS, invalid_argument
from .models import ModelFacts
from .sample import sample_value

Signer = Callable[[], str]
"""Issues (and remembers) a new thought signature."""


def now_iso() -> str:
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def new_response_id() -> str:
    return base64.urlsafe_b64encode(os.urandom(18)).decode("ascii")[:23]


def last_user_text(contents: list[Any]) -> str:
    """The text the model would answer: the last user turn's text, or the function results it got."""
    for content in reversed(contents):
        if a.role(content) != "user":
            continue
        texts = [str(a.get(part, "text")) for part in a.parts(content) if a.has(part, "text")]
        if texts:
            return " ".join(texts)
        names = [str(a.get(a.get(part, "functionResponse"), "name")) for part in a.function_responses(content)]
        if names:
            return "function results for " + ", ".join(names)
    return ""


def prompt_tokens(body: Mapping[str, Any]) -> int:
    texts = [json.dumps(part) if not a.has(part, "text") else str(a.get(part, "text"))
             for content in a.as_list(a.get(body, "contents")) + a.as_list(a.get(body, "systemInstruction"))
             for part in a.parts(content)]
    return max(1, sum(payloads.count_tokens(text) for text in texts))


def thinking_plan(config: Mapping[str, Any], facts: ModelFacts) -> tuple[bool, bool]:
    """(the model thinks, thought summaries are returned) for this request."""
    thinking = a.get(config, "thinkingConfig") or {}
    include = a.get(thinking, "includeThoughts") is True
    if not facts.thinks:
        return False, False
    budget = a.get(thinking, "thinkingBudget")
    if facts.thinking == "budget" and budget is not None:
        thinks = a.as_int(budget) != 0
    elif a.get(thinking, "thinkingLevel") == "MINIMAL":
        thinks = False
    else:
        thinks = facts.thinks_by_default
    return thinks, thinks and include


def answer_text(body: Mapping[str, Any], model: str) -> str:
    config = a.get(body, "generationConfig") or {}
    echo = last_user_text(a.as_list(a.get(body, "contents")))
    mime = a.get(config, "responseMimeType")
    schema = a.get(config, "responseJsonSchema") or a.get(config, "responseSchema")
    if mime == "application/json":
        value = sample_value(schema) if schema is not None else {"answer": f"Hello from {model}! You said: {echo}"}
        return json.dumps(value, ensure_ascii=False)
    if mime == "text/x.enum" and isinstance(schema, Mapping) and schema.get("enum"):
        return str(schema["enum"][0])
    return f"Hello from {model}! You said: {echo}"


def _candidate(text: str, index: int, config: Mapping[str, Any], facts: ModelFacts, thought: str | None,
               sign: Signer) -> dict[str, Any]:
    parts: list[dict[str, Any]] = [{"text": thought, "thought": True}] if thought else []
    part: dict[str, Any] = {"text": text}
    if facts.gemini3:
        part["thoughtSignature"] = sign()
    parts.append(part)
    if "IMAGE" in [str(m).upper() for m in a.as_list(a.get(config, "responseModalities"))]:
        parts.append({"inlineData": {"mimeType": "image/png", "data": payloads.TINY_PNG_BASE64}})
    extra: dict[str, Any] = {}
    if a.get(config, "responseLogprobs") is True:
        average, result = payloads.logprobs_fields(text, max(1, a.as_int(a.get(config, "logprobs"), 1)))
        extra = {"avgLogprobs": average, "logprobsResult": result}
    return payloads.candidate(parts, "STOP", index=index, **extra)


def generate(body: Mapping[str, Any], facts: ModelFacts, sign: Signer) -> dict[str, Any]:
    """The default GenerateContentResponse for a valid request."""
    config = a.get(body, "generationConfig") or {}
    thinks, include = thinking_plan(config, facts)
    text = answer_text(body, facts.name)
    echo = last_user_text(a.as_list(a.get(body, "contents")))
    thought = f"**Considering the request**\n\nThe user wrote: {echo[:80]}\n\n" if include else None
    count = max(1, a.as_int(a.get(config, "candidateCount"), 1))
    texts = [text if i == 0 else f"{text} (candidate {i + 1})" for i in range(count)]
    candidates = [_candidate(t, i, config, facts, thought, sign) for i, t in enumerate(texts)]
    output = sum(payloads.count_tokens(t) for t in texts)
    thoughts = (payloads.count_tokens(thought or echo) * 3 + 20) if thinks else 0
    usage = payloads.usage(prompt_tokens(body), output, thoughts)
    return {"candidates": candidates, "usageMetadata": usage, "modelVersion": facts.name,
            "createTime": now_iso(), "responseId": new_response_id()}


def count_tokens(body: Mapping[str, Any]) -> dict[str, Any]:
    tokens = prompt_tokens(body)
    characters = sum(len(str(a.get(part, "text", ""))) for content in a.as_list(a.get(body, "contents"))
                     for part in a.parts(content))
    return {"totalTokens": tokens, "totalBillableCharacters": characters,
            "promptTokensDetails": [{"modality": "TEXT", "tokenCount": tokens}]}


def _vector(text: str, dimensions: int) -> list[float]:
    rng = random.Random(hashlib.sha256(text.encode("utf-8")).digest())
    return [round(rng.uniform(-0.08, 0.08), 6) for _ in range(dimensions)]


def check_predict(body: Mapping[str, Any], facts: ModelFacts) -> None:
    """Embedding requests: one ``content`` string per instance, the model's instance and dimension limits."""
    instances = a.as_list(a.get(body, "instances"))
    if not instances or not all(isinstance(i, Mapping) and isinstance(i.get("content"), str) for i in instances):
        raise invalid_argument(f"Unable to submit request because every instance must have a `content` string. Learn more: {DOCS}")
    if len(instances) > facts.max_instances:
        raise invalid_argument(f"Unable to submit request because {facts.name} supports at most {facts.max_instances} "
                               f"instance(s) per request, got {len(instances)}. Learn more: {DOCS}")
    dimensions = a.as_int(a.get(a.get(body, "parameters") or {}, "outputDimensionality"), facts.dimensions)
    if not 1 <= dimensions <= facts.dimensions:
        raise invalid_argument(f"Unable to submit request because outputDimensionality must be between 1 and "
                               f"{facts.dimensions} for {facts.name}. Learn more: {DOCS}")


def predict(body: Mapping[str, Any], facts: ModelFacts) -> dict[str, Any]:
    """Embeddings ``:predict`` (wire fact 32): snake_case inside predictions, float token counts."""
    instances = a.as_list(a.get(body, "instances"))
    dimensions = a.as_int(a.get(a.get(body, "parameters") or {}, "outputDimensionality"), facts.dimensions)
    predictions = [
        {"embeddings": {"statistics": {"truncated": False, "token_count": float(payloads.count_tokens(i["content"]))},
                        "values": _vector(f"{i.get('task_type', '')}|{i['content']}", dimensions)}}
        for i in instances
    ]
    characters = sum(len(i["content"].replace(" ", "")) for i in instances)
    return {"predictions": predictions, "metadata": {"billableCharacterCount": characters}}
