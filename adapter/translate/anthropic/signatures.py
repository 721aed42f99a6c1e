"""Gemini thought signatures carried in Anthropic ``thinking`` blocks, with no server state.

Gemini puts a ``thoughtSignature`` on the part it belongs to; Gemini 3 refuses the next request
when a function call comes back without its signature. Anthropic clients (Claude Code, the SDKs)
send ``thinking`` blocks back exactly as they received them, so the signature rides in the
block's ``signature``, versioned so that it is told apart from Claude's own signatures::

    gemini.v1.<target>.<Gemini's signature>

``target`` says which Gemini part the signature came from, relative to the thinking block:

- ``call``: the ``functionCall`` of the ``tool_use`` block that follows;
- ``thought``: the thought text of this thinking block itself.

(The signature Gemini 3 puts on a final answer text is not carried: see
:mod:`adapter.translate.anthropic.assembly`.)

Anything else (Claude's signatures, an empty string) is foreign: :func:`decode` gives None and
the request side falls back to Google's placeholder where Gemini 3 needs a signature.
"""

from __future__ import annotations

from typing import Literal

Target = Literal["call", "thought"]
PREFIX = "gemini.v1."
TARGETS: tuple[Target, ...] = ("call", "thought")


def encode(target: Target, signature: str) -> str:
    """The ``signature`` value of a thinking block carrying Gemini's ``signature``."""
    return f"{PREFIX}{target}.{signature}"


def decode(value: object) -> tuple[Target, str] | None:
    """(target, Gemini signature) for a signature this gateway issued, else None."""
    if not isinstance(value, str) or not value.startswith(PREFIX):
        return None
    target, dot, signature = value[len(PREFIX):].partition(".")
    for known in TARGETS:
        if target == known and dot and signature:
            return known, signature
    return None
