"""Every ``curl`` example in README.md, run with the real ``curl`` against the gateway, so that
the documentation cannot rot: each must answer 200 with a body of the documented shape."""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any, Callable

import pytest

from tests.conftest import API_KEY, LiveGateway
from tests.support.anthropic_shapes import assert_message
from tests.support.openai_schema import assert_chat_completion, assert_embedding_list, assert_model_list
from tests.support.streams import check_stream, parse_sse

README = Path(__file__).resolve().parents[2] / "README.md"
DOCUMENTED_BASE = "http://localhost:7860"
DOCUMENTED_KEY = "change-me"
FENCE = re.compile(r"^```([a-z]*)\n(.*?)^```", re.MULTILINE | re.DOTALL)
STATUS_MARK = "\n@@status="


def curl_examples(text: str) -> list[str]:
    """Fenced shell blocks that start with ``curl`` (line continuations joined)."""
    blocks = [body for language, body in FENCE.findall(text) if language in ("", "bash", "sh", "shell", "console")]
    return [block.replace("\\\n", " ").strip() for block in blocks if block.lstrip().startswith("curl ")]


EXAMPLES = curl_examples(README.read_text(encoding="utf-8"))


def test_the_readme_has_curl_examples_for_chat_embeddings_and_dry_runs() -> None:
    joined = "\n".join(EXAMPLES)
    assert len(EXAMPLES) >= 3
    assert "/v1/chat/completions" in joined and "/v1/embeddings" in joined and "X-Dry-Run: 1" in joined


def localize(argv: list[str], base: str) -> list[str]:
    """The example's arguments with the documented base URL and key replaced by the test's."""
    assert argv[0] == "curl" and any(arg.startswith(DOCUMENTED_BASE + "/") for arg in argv), "examples use the documented base URL"
    return [arg.replace(DOCUMENTED_BASE, base).replace(f"Bearer {DOCUMENTED_KEY}", f"Bearer {API_KEY}") for arg in argv]


def check_chat(argv: list[str], body: str) -> None:
    if "X-Dry-Run: 1" in argv:
        plan = json.loads(body)
        assert plan["object"] == "gateway.dry_run" and plan["requests"]
    elif body.startswith("data:"):
        check_stream(parse_sse(body), include_usage='"usage"' in body)
    else:
        assert_chat_completion(json.loads(body))


def check_embeddings(argv: list[str], body: str) -> None:
    if "X-Dry-Run: 1" in argv:
        assert json.loads(body)["object"] == "gateway.dry_run"
    else:
        assert_embedding_list(json.loads(body))


def check_messages(argv: list[str], body: str) -> None:
    assert_message(json.loads(body))


def check_models(argv: list[str], body: str) -> None:
    assert_model_list(json.loads(body))


def check_health(argv: list[str], body: str) -> None:
    assert json.loads(body)["status"] == "ok"


CHECKS: dict[str, Callable[[list[str], str], None]] = {
    "/v1/chat/completions": check_chat,
    "/v1/embeddings": check_embeddings,
    "/v1/messages": check_messages,
    "/v1/models": check_models,
    "/": check_health,
}


def path_of(argv: list[str], base: str) -> str:
    url = next(arg for arg in argv if arg.startswith(base))
    return url[len(base):].split("?")[0] or "/"


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example{i}" for i in range(len(EXAMPLES))])
def test_readme_curl_example_works(gateway: LiveGateway, example: str) -> None:
    curl = shutil.which("curl")
    if curl is None:
        pytest.skip("curl is not installed")
    argv = localize(shlex.split(example), gateway.url)
    done = subprocess.run([curl, *argv[1:], "--max-time", "30", "--write-out", STATUS_MARK + "%{http_code}"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    body, _, status = done.stdout.rpartition(STATUS_MARK)
    assert status == "200", body
    path = path_of(argv, gateway.url)
    assert path in CHECKS, f"no shape check for {path}: add one"
    CHECKS[path](argv, body)


def test_the_dry_run_example_in_the_readme_matches_a_real_dry_run(gateway: LiveGateway) -> None:
    text = README.read_text(encoding="utf-8")
    documented: dict[str, Any] = next(
        json.loads(body) for language, body in FENCE.findall(text) if language == "json" and '"gateway.dry_run"' in body
    )
    example = next(e for e in EXAMPLES if "X-Dry-Run: 1" in e and "/chat/completions" in e)
    argv = shlex.split(example)
    request_body = json.loads(argv[argv.index("-d") + 1])
    real = gateway.post("/v1/chat/completions", request_body, headers={"X-Dry-Run": "1"}).json()
    assert set(documented) == set(real)
    for key in ("object", "endpoint", "model", "upstream_model", "credential", "credential_order", "selection", "rewrites"):
        assert documented[key] == real[key], key
    assert documented["requests"][0]["url"].rsplit("/v1/", 1)[1] == real["requests"][0]["url"].rsplit("/v1/", 1)[1]
