"""Vertex ``logprobsResult`` → OpenAI ``choices[].logprobs``.

``chosenCandidates[i]`` is the token chosen at step ``i`` and ``topCandidates[i].candidates`` the
alternatives at that step (each ``{token, logProbability, tokenId}``). OpenAI wants
``{"content": [{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}], "refusal": None}``
with ``bytes`` the token's UTF-8 bytes. In a stream each event carries the logprobs of its own
tokens, so the chunks' lists concatenate to the whole answer's.
"""

from __future__ import annotations

from typing import Any, Mapping


def to_openai_logprobs(result: Mapping[str, Any] | None) -> dict[str, Any] | None:
    """The OpenAI logprobs object, or None when Vertex sent no ``logprobsResult``."""
    if result is None:
        return None
    top = result.get("topCandidates") or ()
    content = []
    for step, chosen in enumerate(result.get("chosenCandidates") or ()):
        alternatives = (top[step].get("candidates") or ()) if step < len(top) else ()
        entry = _token(chosen)
        entry["top_logprobs"] = [_token(alternative) for alternative in alternatives]
        content.append(entry)
    return {"content": content, "refusal": None}


def _token(candidate: Mapping[str, Any]) -> dict[str, Any]:
    token = candidate.get("token", "")
    return {"token": token, "logprob": candidate.get("logProbability", 0.0), "bytes": list(token.encode("utf-8"))}
