"""Thought signatures carried through OpenAI tool-call ids, with no server state.

Gemini puts a ``thoughtSignature`` (base64) on the part that holds a function call, and Gemini 3
refuses the next request if the call comes back without it. We hand the signature to the client
twice: as ``tool_calls[].extra_content.google.thought_signature`` (Google's own convention) and
inside the tool-call id, for clients that drop unknown fields::

    <call id>__thought__<signature in URL-safe base64 without padding>

Both forms are restored by :func:`split_tool_call_id` and :func:`signature_of_tool_call`.
"""

from __future__ import annotations

from typing import Any, Mapping

SIGNATURE_MARKER = "__thought__"
# Google's documented value for history the model did not produce (another model, a client).
BYPASS_SIGNATURE = "skip_thought_signature_validator"


def _to_urlsafe(signature: str) -> str:
    return signature.replace("+", "-").replace("/", "_").rstrip("=")


def _from_urlsafe(encoded: str) -> str:
    standard = encoded.replace("-", "+").replace("_", "/")
    return standard + "=" * (-len(standard) % 4)


def join_tool_call_id(call_id: str, signature: str | None) -> str:
    """The client-facing tool-call id for ``call_id`` carrying ``signature`` (if any)."""
    if not signature:
        return call_id
    return f"{call_id}{SIGNATURE_MARKER}{_to_urlsafe(signature)}"


def split_tool_call_id(tool_call_id: str) -> tuple[str, str | None]:
    """Split a client-facing tool-call id into (call id, signature or None)."""
    call_id, marker, encoded = tool_call_id.partition(SIGNATURE_MARKER)
    if not marker or not encoded:
        return tool_call_id, None
    return call_id, _from_urlsafe(encoded)


def extra_content_for(signature: str | None) -> dict[str, Any] | None:
    """The ``extra_content`` object of a tool call (Google's convention), or None."""
    if not signature:
        return None
    return {"google": {"thought_signature": signature}}


def signature_of_tool_call(tool_call: Mapping[str, Any]) -> str | None:
    """The signature a client sent back on a tool call: ``extra_content`` first, then the id."""
    extra = tool_call.get("extra_content")
    if isinstance(extra, Mapping):
        google = extra.get("google")
        if isinstance(google, Mapping):
            signature = google.get("thought_signature")
            if isinstance(signature, str) and signature:
                return signature
    tool_call_id = tool_call.get("id")
    if isinstance(tool_call_id, str):
        return split_tool_call_id(tool_call_id)[1]
    return None
