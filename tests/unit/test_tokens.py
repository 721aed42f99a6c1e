"""Token arrays back to text: which vocabulary a model name means, and decoding with it.

The expected ids are what OpenAI's tiktoken gives for these texts (``encode_ordinary``), so the
tables check the gateway reads back exactly what an OpenAI client sent.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from adapter.translate.tokens import Encoding, UnknownToken, decode_tokens, token_encoding

ENCODINGS = [
    ("gemini-embedding-001", "cl100k_base"),
    ("text-embedding-005", "cl100k_base"),
    ("text-multilingual-embedding-002", "cl100k_base"),
    ("text-embedding-3-small", "cl100k_base"),
    ("text-embedding-ada-002", "cl100k_base"),
    ("gpt-4", "cl100k_base"),
    ("gpt-3.5-turbo", "cl100k_base"),
    ("gpt-4o", "o200k_base"),
    ("GPT-4o-mini", "o200k_base"),
    ("chatgpt-4o-latest", "o200k_base"),
    ("gpt-4.1-nano", "o200k_base"),
    ("gpt-5", "o200k_base"),
    ("o1", "o200k_base"),
    ("o3-mini", "o200k_base"),
    ("o4-mini", "o200k_base"),
]


@pytest.mark.parametrize(("model", "encoding"), ENCODINGS)
def test_the_model_name_picks_the_vocabulary(model: str, encoding: str) -> None:
    assert token_encoding(model) == encoding


DECODED = [
    ("cl100k ascii", "cl100k_base", [15339, 1917], "hello world"),
    ("cl100k newline", "cl100k_base", [43, 22635, 20340, 198, 49470, 18198, 13], "Lighthouses\nguide ships."),
    ("cl100k multibyte across tokens", "cl100k_base", [3458, 38672, 588, 53050, 11, 61696, 109, 47653, 11410, 248, 95],
     "naïve café, 東京 🚢"),
    ("cl100k special token as its text", "cl100k_base", [100257], "<|endoftext|>"),
    ("o200k ascii", "o200k_base", [24912, 2375], "hello world"),
    ("o200k newline", "o200k_base", [43, 35770, 26940, 198, 51283, 33610, 13], "Lighthouses\nguide ships."),
    ("o200k multibyte", "o200k_base", [1503, 9954, 737, 30469, 11, 185244, 169883, 95], "naïve café, 東京 🚢"),
    ("a character cut between two arrays", "cl100k_base", [9468, 248], "\ufffd"),
]


@pytest.mark.parametrize(("encoding", "tokens", "text"), [row[1:] for row in DECODED], ids=[row[0] for row in DECODED])
def test_decodes_what_tiktoken_encoded(encoding: Encoding, tokens: list[int], text: str) -> None:
    assert decode_tokens(tokens, encoding) == text


UNKNOWN = [
    ("past cl100k's end", "cl100k_base", [15339, 100277], 1, 100277),
    ("a hole among cl100k's special tokens", "cl100k_base", [100261, 1917], 0, 100261),
    ("an o200k id is not cl100k's", "cl100k_base", [15339, 1917, 185244], 2, 185244),
    ("past o200k's end", "o200k_base", [24912, 200019], 1, 200019),
    ("far beyond any vocabulary", "o200k_base", [2**40], 0, 2**40),
]


@pytest.mark.parametrize(("encoding", "tokens", "position", "token"), [row[1:] for row in UNKNOWN],
                         ids=[row[0] for row in UNKNOWN])
def test_an_unknown_id_is_named_with_its_position(encoding: Encoding, tokens: list[int], position: int, token: int) -> None:
    with pytest.raises(UnknownToken) as caught:
        decode_tokens(tokens, encoding)
    assert (caught.value.position, caught.value.token, caught.value.encoding) == (position, token, encoding)


def test_the_app_starts_without_reading_a_vocabulary() -> None:
    """The vocabularies are read on the first token array, not when a worker starts."""
    script = (
        "from adapter import create_app; from adapter.settings import load_settings;"
        "from adapter.translate import tokens;"
        "create_app(load_settings({'API_KEY': 'k', 'VERTEX_EXPRESS_API_KEY': 'x'}));"
        "assert tokens._vocabulary.cache_info().currsize == 0;"
        "tokens.decode_tokens([15339], 'cl100k_base');"
        "assert tokens._vocabulary.cache_info().currsize == 1"
    )
    subprocess.run([sys.executable, "-c", script], check=True, timeout=60)
