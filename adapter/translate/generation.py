"""Request parameters → ``generationConfig``, ``safetySettings`` and ``labels`` (pure).

``generation_config`` merges small fragments, one function per concern (sampling, length,
stop sequences, candidates, penalties, logprobs, modalities, structured output, media
resolution, thinking). Each fragment function reads only the request and the model's
capabilities and appends human-readable notes for parameters it rewrote or dropped.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from adapter.errors import InvalidRequest
from adapter.routing.capabilities import ModelCapabilities
from adapter.routing.model_name import ModelRoute
from adapter.translate.schema_cleanup import to_gemini_schema
from adapter.translate.thinking import thinking_config
from adapter.vocabulary import MEDIA_RESOLUTIONS

Fragment = Mapping[str, Any]
FragmentBuilder = Callable[[Mapping[str, Any], ModelRoute, ModelCapabilities, list[str]], Fragment]

HARM_CATEGORIES: tuple[str, ...] = (
    "HARM_CATEGORY_HATE_SPEECH",
    "HARM_CATEGORY_DANGEROUS_CONTENT",
    "HARM_CATEGORY_HARASSMENT",
    "HARM_CATEGORY_SEXUALLY_EXPLICIT",
    "HARM_CATEGORY_CIVIC_INTEGRITY",
)
SAMPLING_FIELDS: tuple[tuple[str, str], ...] = (
    ("temperature", "temperature"),
    ("top_p", "topP"),
    ("top_k", "topK"),
)
PENALTY_FIELDS: tuple[tuple[str, str], ...] = (
    ("presence_penalty", "presencePenalty"),
    ("frequency_penalty", "frequencyPenalty"),
)
UNSUPPORTED_FIELDS: dict[str, str] = {
    "logit_bias": "logit_bias is not supported by Gemini",
    "audio": "audio output is not supported",
    "prediction": "predicted outputs are not supported by Gemini",
}
MODALITIES: dict[str, str] = {"text": "TEXT", "image": "IMAGE"}
DEFAULT_IMAGE_MODALITIES: tuple[str, ...] = ("TEXT", "IMAGE")
JSON_MIME = "application/json"
_EMPTY: Fragment = {}
_LABEL_KEY = re.compile(r"[a-z][a-z0-9_-]{0,62}")
_LABEL_VALUE = re.compile(r"[a-z0-9_-]{0,63}")
MAX_LABELS = 64
INT32_SPAN = 2**32
LABEL_RULE = (
    "Vertex labels take lowercase letters, digits, '_' and '-', up to 63 characters, keys starting with a letter"
)


def refuse_unsupported(req: Mapping[str, Any]) -> None:
    """400 for parameters Gemini cannot honour at all (an empty ``logit_bias`` is fine)."""
    for name, message in UNSUPPORTED_FIELDS.items():
        value = req.get(name)
        if value is not None and value != {}:
            raise InvalidRequest(message, param=name)


def safety_settings(threshold: str) -> list[dict[str, str]]:
    return [{"category": category, "threshold": threshold} for category in HARM_CATEGORIES]


def labels(metadata: Any) -> tuple[dict[str, str], list[str]]:
    """Vertex ``labels`` from OpenAI ``metadata``: entries Vertex would refuse are dropped."""
    if not isinstance(metadata, Mapping) or not metadata:
        return {}, []
    kept = {
        key: value
        for key, value in metadata.items()
        if isinstance(key, str) and isinstance(value, str)
        and _LABEL_KEY.fullmatch(key) and _LABEL_VALUE.fullmatch(value)
    }
    kept = dict(list(kept.items())[:MAX_LABELS])
    dropped = len(metadata) - len(kept)
    if not dropped:
        return kept, []
    return kept, [f"metadata: {dropped} entries dropped ({LABEL_RULE})"]


def generation_config(
    req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities
) -> tuple[dict[str, Any], list[str]]:
    """(generationConfig, rewrite notes). Raises InvalidRequest naming the parameter."""
    config: dict[str, Any] = {}
    notes: list[str] = []
    for build in FRAGMENTS:
        config.update(build(req, route, caps, notes))
    return config, notes


def _sampling(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    return {target: req[source] for source, target in SAMPLING_FIELDS if req.get(source) is not None}


def _seed(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    """OpenAI seeds are 64-bit, Vertex's 32-bit: larger ones wrap around (the same seed, the same value)."""
    seed = req.get("seed")
    if seed is None:
        return _EMPTY
    wrapped = (seed + INT32_SPAN // 2) % INT32_SPAN - INT32_SPAN // 2
    if wrapped != seed:
        notes.append(f"seed={seed} -> {wrapped} (Vertex takes 32-bit seeds)")
    return {"seed": wrapped}


def _max_tokens(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    param = "max_completion_tokens" if req.get("max_completion_tokens") is not None else "max_tokens"
    value = req.get(param)
    if value is None:
        return _EMPTY
    if caps.max_output_tokens and value > caps.max_output_tokens:
        notes.append(f"{param}={value} -> maxOutputTokens={caps.max_output_tokens} (the model's maximum)")
        value = caps.max_output_tokens
    return {"maxOutputTokens": value}


def _stop(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    stop = req.get("stop")
    sequences = [stop] if isinstance(stop, str) else stop if isinstance(stop, list) else []
    sequences = [s for s in sequences if isinstance(s, str) and s]
    return {"stopSequences": sequences} if sequences else _EMPTY


def _candidates(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    n = req.get("n")
    if n is None or n == 1:
        return _EMPTY
    if n > caps.max_candidates:
        raise InvalidRequest(f"model {caps.name} returns at most {caps.max_candidates} choices", param="n")
    return {"candidateCount": n}


def _penalties(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    fragment: dict[str, Any] = {}
    for source, target in PENALTY_FIELDS:
        value = req.get(source)
        if value is None:
            continue
        if caps.penalties:
            fragment[target] = value
        elif value:
            raise InvalidRequest(f"model {caps.name} does not support {source}", param=source)
        else:
            notes.append(f"{source}=0 dropped: the model does not support it")
    return fragment


def _logprobs(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    if not req.get("logprobs"):
        if req.get("top_logprobs"):
            notes.append("top_logprobs ignored: logprobs is not true")
        return _EMPTY
    if not caps.logprobs:
        raise InvalidRequest(f"model {caps.name} does not return logprobs", param="logprobs")
    top = req.get("top_logprobs")
    return {"responseLogprobs": True, "logprobs": top} if top else {"responseLogprobs": True}


def _modalities(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    requested = req.get("modalities")
    if not isinstance(requested, list) or not requested:
        return {"responseModalities": list(DEFAULT_IMAGE_MODALITIES)} if caps.image_output else _EMPTY
    modalities = [MODALITIES.get(m) for m in requested]
    if None in modalities:
        raise InvalidRequest("modalities may only hold 'text' and 'image'", param="modalities")
    if caps.image_output:
        return {"responseModalities": list(dict.fromkeys(modalities))}
    if "IMAGE" in modalities:
        raise InvalidRequest(f"model {caps.name} does not generate images", param="modalities")
    return _EMPTY


def _response_format(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    response_format = req.get("response_format")
    if not isinstance(response_format, Mapping):
        return _EMPTY
    kind = response_format.get("type")
    if kind is None or kind == "text":
        return _EMPTY
    if kind == "json_object":
        return {"responseMimeType": JSON_MIME}
    if kind != "json_schema":
        raise InvalidRequest(f"unknown response_format type {kind!r}", param="response_format.type")
    spec = response_format.get("json_schema")
    schema = spec.get("schema") if isinstance(spec, Mapping) else None
    if not isinstance(schema, Mapping):
        return {"responseMimeType": JSON_MIME}
    if caps.response_json_schema:
        return {"responseMimeType": JSON_MIME, "responseJsonSchema": schema}
    return {"responseMimeType": JSON_MIME, "responseSchema": to_gemini_schema(schema, param="response_format.json_schema.schema")}


def _media_resolution(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    details = _image_details(req.get("messages"))
    wanted = max((MEDIA_RESOLUTIONS[d] for d in details if d in MEDIA_RESOLUTIONS), default=None)
    if wanted is None:
        return _EMPTY
    if not caps.media_resolution:
        notes.append("image detail ignored: the model has no media resolution setting")
        return _EMPTY
    return {"mediaResolution": wanted[1]}


def _image_details(messages: Any) -> list[str]:
    details: list[str] = []
    for message in messages if isinstance(messages, list) else ():
        content = message.get("content") if isinstance(message, Mapping) else None
        if not isinstance(content, list):
            continue
        for part in content:
            image = part.get("image_url") if isinstance(part, Mapping) and part.get("type") == "image_url" else None
            if isinstance(image, Mapping) and isinstance(image.get("detail"), str):
                details.append(image["detail"])
    return details


def _thinking(req: Mapping[str, Any], route: ModelRoute, caps: ModelCapabilities, notes: list[str]) -> Fragment:
    config, thinking_notes = thinking_config(req, route, caps)
    notes.extend(thinking_notes)
    return {"thinkingConfig": config} if config else _EMPTY


FRAGMENTS: tuple[FragmentBuilder, ...] = (
    _sampling,
    _seed,
    _max_tokens,
    _stop,
    _candidates,
    _penalties,
    _logprobs,
    _modalities,
    _response_format,
    _media_resolution,
    _thinking,
)
