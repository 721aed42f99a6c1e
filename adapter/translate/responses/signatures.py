"""Gemini thought signatures carried statelessly inside what a Responses client replays.

Gemini puts a ``thoughtSignature`` on the part that holds a function call (Gemini 3 refuses the
next step if it comes back without it) and sometimes on thought or text parts. A client that
keeps no server state (Codex with ``store: false``) replays only ``type``/``call_id``/``name``/
``arguments`` of each call and the ``reasoning`` items with their ``encrypted_content``, so:

- a call's signature rides in its ``call_id``, exactly as chat carries it in tool-call ids
  (``<call id>__thought__<URL-safe base64>``, see :mod:`adapter.translate.signatures`), so a
  call started on one front door can be answered through the other;
- a signed thought part (the item's whole thought text with its signature) rides in the
  reasoning item's ``encrypted_content``, a versioned opaque string: ``gemini-thought.v1:``
  followed by URL-safe base64 (no padding) of ``{"text": ..., "signature": ...}``, and comes back
  as that exact thought part. Anything else there (an OpenAI blob, a later version) is ignored.

History without signatures (another model's, or a client's own) gets Google's documented
placeholder on the first call of each step, as chat does (see :mod:`.items`).
"""

from __future__ import annotations

import base64
import json
from typing import Any

from adapter.translate.shapes import GeminiPart
from adapter.translate.signatures import BYPASS_SIGNATURE, join_tool_call_id, split_tool_call_id

__all__ = [
    "BYPASS_SIGNATURE",
    "ENCRYPTED_PREFIX",
    "encrypted_content",
    "join_tool_call_id",
    "split_tool_call_id",
    "thought_part_of",
]

ENCRYPTED_PREFIX = "gemini-thought.v1:"


def encrypted_content(text: str, signature: str) -> str:
    """The ``encrypted_content`` of a reasoning item whose thought ``text`` carried ``signature``."""
    payload = json.dumps({"text": text, "signature": signature}, separators=(",", ":"), ensure_ascii=False)
    return ENCRYPTED_PREFIX + base64.urlsafe_b64encode(payload.encode("utf-8")).decode("ascii").rstrip("=")


def thought_part_of(value: Any) -> GeminiPart | None:
    """The signed thought part inside an ``encrypted_content`` we produced, or None for anything else."""
    if not isinstance(value, str) or not value.startswith(ENCRYPTED_PREFIX):
        return None
    encoded = value[len(ENCRYPTED_PREFIX):]
    try:
        payload = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except ValueError:
        return None
    if not isinstance(payload, dict):
        return None
    text, signature = payload.get("text"), payload.get("signature")
    if not isinstance(text, str) or not isinstance(signature, str) or not signature:
        return None
    return {"text": text or ".", "thought": True, "thoughtSignature": signature}
