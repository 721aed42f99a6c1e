"""Names for the wire shapes that translation passes around (all plain JSON dicts).

OpenAI shapes use OpenAI's snake_case field names; Gemini shapes use Vertex AI's lowerCamelCase.
"""

from __future__ import annotations

from typing import Any, TypeAlias

OpenAIChatRequest: TypeAlias = dict[str, Any]
"""A validated ``POST /v1/chat/completions`` body."""

OpenAIMessage: TypeAlias = dict[str, Any]
ChatCompletion: TypeAlias = dict[str, Any]
"""A ``chat.completion`` object."""

ChatCompletionChunk: TypeAlias = dict[str, Any]
"""A ``chat.completion.chunk`` object."""

GeminiRequest: TypeAlias = dict[str, Any]
"""A Vertex ``GenerateContentRequest``."""

GeminiContent: TypeAlias = dict[str, Any]
GeminiPart: TypeAlias = dict[str, Any]
GeminiResponse: TypeAlias = dict[str, Any]
"""A Vertex ``GenerateContentResponse`` (a whole answer, or one SSE event of a stream)."""
