"""A whole Vertex ``GenerateContentResponse`` → a Responses ``Response`` object (pure).

The output items come from :class:`~.output.OutputBuilder` (the stream translator's builder), so
the whole answer equals what a stream of the same answer accumulates to. Only candidate 0 is
read (the request never asks for more). A blocked prompt gives one message with a refusal and
``status: "incomplete"`` with reason ``content_filter``; an answer cut by ``maxOutputTokens``
is ``incomplete`` with reason ``max_output_tokens``.
"""

from __future__ import annotations

from adapter.translate.candidates import (
    blocked_feedback,
    blocked_prompt_fields,
    candidate_index,
    empty_response_error,
)
from adapter.translate.shapes import GeminiPart, GeminiResponse

from .head import ResponseObject, usage_of
from .output import OutputBuilder, OutputOptions


def to_response(resp: GeminiResponse, head: ResponseObject, options: OutputOptions) -> ResponseObject:
    """Translate a whole answer. Raises ``ModelFunctionCallError`` or ``UpstreamError`` (no candidates)."""
    return translate_whole(resp, head, options)[0]


def translate_whole(
    resp: GeminiResponse, head: ResponseObject, options: OutputOptions
) -> tuple[ResponseObject, list[GeminiPart]]:
    """(the Response, the answer's Gemini parts for the store)."""
    builder = OutputBuilder(head["id"], options)
    candidates = [c for c in resp.get("candidates") or () if candidate_index(c) == 0]
    if candidates:
        builder.candidate(candidates[0])
    else:
        feedback = blocked_feedback(resp)
        if feedback is None:
            raise empty_response_error()
        builder.blocked(blocked_prompt_fields(feedback)["refusal"])
    builder.finish()
    return builder.response(head, usage_of(resp.get("usageMetadata"))), builder.model_parts
