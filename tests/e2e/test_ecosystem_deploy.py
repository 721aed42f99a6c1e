"""Deployment recipes agree with each other and with README.md: the Dockerfile, Procfile and
compose file start the same command on the same port, app.json and .env.example cover the
settings, the Spaces front matter is right, and the Procfile command really serves."""

from __future__ import annotations

import importlib
import json
import os
import runpy
import shlex
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Any, Iterator, Mapping

import pytest
import requests
import yaml
from gunicorn.workers.ggevent import GeventWorker

from adapter.lazy_worker import LazyGatewayWorker
from adapter.server_worker import GatewayWorker
from adapter.settings import load_settings
from tests.conftest import API_KEY, Credentials, base_env
from tests.emulator import VertexEmulator
from tests.support.openai_schema import assert_embedding_list

ROOT = Path(__file__).resolve().parents[2]
COMMAND = ["gunicorn", "-c", "gunicorn.conf.py", "wsgi:app"]
CONTAINER_PORT = 7860
HOST_PORT = 8050


def read(name: str) -> str:
    return (ROOT / name).read_text(encoding="utf-8")


def dockerfile() -> dict[str, list[str]]:
    """Instruction -> arguments of each line of the Dockerfile (continuations joined)."""
    found: dict[str, list[str]] = {}
    for line in read("Dockerfile").replace("\\\n", " ").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            instruction, _, rest = line.strip().partition(" ")
            found.setdefault(instruction.upper(), []).append(rest.strip())
    return found


def front_matter() -> dict[str, Any]:
    _, matter, _ = read("README.md").split("---\n", 2)
    loaded: dict[str, Any] = yaml.safe_load(matter)
    return loaded


def readme_variables() -> set[str]:
    section = read("README.md").split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return {line.split("`")[1] for line in section.splitlines() if line.startswith("| `")}


def env_example_variables() -> set[str]:
    names = set()
    for line in read(".env.example").splitlines():
        text = line.lstrip("# ").strip()
        name, equals, _ = text.partition("=")
        if equals and name.isupper() and " " not in name:
            names.add(name)
    return names


class Recorder(dict[str, str]):
    """An environment that records every variable read through ``get``."""

    def __init__(self, values: Mapping[str, str]) -> None:
        super().__init__(values)
        self.read: set[str] = set()

    def get(self, key: str, default: Any = None) -> Any:  # type: ignore[override]
        self.read.add(key)
        return super().get(key, default)


def variables_the_code_reads(monkeypatch: pytest.MonkeyPatch) -> set[str]:
    settings_env = Recorder({"API_KEY": "x"})
    load_settings(settings_env)
    server_env = Recorder({})
    monkeypatch.setattr(os, "environ", server_env)
    runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    return settings_env.read | server_env.read


def test_dockerfile_procfile_and_readme_start_the_same_command() -> None:
    docker = dockerfile()
    assert [json.loads(cmd) for cmd in docker["CMD"]] == [COMMAND]
    procfile = dict(line.split(":", 1) for line in read("Procfile").splitlines() if line.strip())
    assert shlex.split(procfile["web"]) == COMMAND
    documented = " ".join(COMMAND)
    readme = read("README.md")
    assert f"`{documented}`" in readme and f"&& API_KEY=change-me VERTEX_EXPRESS_API_KEY=your-express-key {documented}" in readme


def test_ports_agree_everywhere(monkeypatch: pytest.MonkeyPatch) -> None:
    docker = dockerfile()
    assert docker["EXPOSE"] == [str(CONTAINER_PORT)]
    assert f"PORT={CONTAINER_PORT}" in " ".join(docker["ENV"])
    compose = yaml.safe_load(read("docker-compose.yml"))
    service = compose["services"]["gateway"]
    assert all("profiles" in other for name, other in compose["services"].items() if name != "gateway"), "extra services are opt-in"
    assert service["ports"] == [f"{HOST_PORT}:{CONTAINER_PORT}"]
    assert "command" not in service and service["build"] == "."
    assert service["env_file"] == ".env"
    assert front_matter()["app_port"] == CONTAINER_PORT
    monkeypatch.setattr(os, "environ", {})
    assert runpy.run_path(str(ROOT / "gunicorn.conf.py"))["bind"] == f"0.0.0.0:{CONTAINER_PORT}"
    readme = read("README.md")
    assert f"http://<host>:{CONTAINER_PORT}/v1" in readme and f"host port {HOST_PORT}" in readme
    assert f"docker run -p {CONTAINER_PORT}:{CONTAINER_PORT}" in readme


@pytest.mark.parametrize("port,workers", [("5000", "3"), ("31337", "1")])
def test_gunicorn_honours_the_platform_port_and_concurrency(monkeypatch: pytest.MonkeyPatch, port: str, workers: str) -> None:
    monkeypatch.setattr(os, "environ", {"PORT": port, "WEB_CONCURRENCY": workers})
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    assert (config["bind"], config["workers"]) == (f"0.0.0.0:{port}", int(workers))
    worker_module, _, worker_class = config["worker_class"].rpartition(".")
    # The master sees a plain worker class that becomes the gevent worker once forked
    # (adapter/lazy_worker.py; tests/e2e/test_worker_processes.py watches it happen).
    assert getattr(importlib.import_module(worker_module), worker_class) is LazyGatewayWorker
    assert issubclass(GatewayWorker, GeventWorker)


def test_spaces_front_matter() -> None:
    matter = front_matter()
    assert matter["sdk"] == "docker" and matter["app_port"] == CONTAINER_PORT
    assert matter["title"] and "## Deployment" in read("README.md") and "Hugging Face Spaces" in read("README.md")


def test_every_variable_is_in_env_example_and_the_readme(monkeypatch: pytest.MonkeyPatch) -> None:
    documented, example = readme_variables(), env_example_variables()
    assert documented == example - {"WORKER_CONNECTIONS"}, "README's configuration table and .env.example differ"
    missing = variables_the_code_reads(monkeypatch) - example
    assert not missing, f"variables read by the code but missing from .env.example: {sorted(missing)}"
    readme = read("README.md")
    assert all(f"`{name}`" in readme for name in example)


def test_app_json_describes_a_safe_heroku_app() -> None:
    app = json.loads(read("app.json"))
    env = app["env"]
    assert env["API_KEY"].get("generator") == "secret" or env["API_KEY"].get("required", True)
    assert set(env) <= readme_variables()
    assert {"VERTEX_EXPRESS_API_KEY", "GOOGLE_CREDENTIALS_JSON", "WEB_CONCURRENCY"} <= set(env)
    assert all(not spec.get("required", True) for name, spec in env.items() if name != "API_KEY")
    assert app["formation"]["web"]["quantity"] >= 1
    assert app["buildpacks"] == [{"url": "heroku/python"}] and (ROOT / "requirements.txt").is_file()


def test_readme_test_command_is_what_ci_runs_last() -> None:
    readme_command = read("README.md").split("Run the tests", 1)[1].split("```bash\n", 1)[1].split("\n", 1)[0]
    ci_lines = [line.strip() for line in read(".ci/run").splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert ci_lines[-1] == readme_command


# -- the Procfile command, for real ------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def procfile_server(emulator: VertexEmulator, credentials: Credentials, tmp_path: Path) -> Iterator[str]:
    port = free_port()
    command = dict(line.split(":", 1) for line in read("Procfile").splitlines() if line.strip())["web"].strip()
    env = {**os.environ, **base_env(emulator, credentials, express=True, service_accounts=True), "PORT": str(port), "WEB_CONCURRENCY": "2"}
    log = (tmp_path / "web.log").open("wb")
    process = subprocess.Popen(["sh", "-c", "exec " + command], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 20
        while True:
            assert process.poll() is None, (tmp_path / "web.log").read_text()
            try:
                requests.get(url + "/", timeout=1)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, "the Procfile command did not start serving"
                time.sleep(0.05)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(15)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(5)
        log.close()


@pytest.mark.slow
def test_the_procfile_command_serves_on_the_platform_port(procfile_server: str) -> None:
    health = requests.get(procfile_server + "/", timeout=10)
    assert health.json()["status"] == "ok"
    page = requests.get(procfile_server + "/", headers={"Accept": "text/html", "X-Forwarded-Proto": "https", "X-Forwarded-Host": "app.example.com"}, timeout=10)
    assert "app.example.com" not in page.text and "data-base-url>v1<" in page.text
    texts = [f"text number {i}" for i in range(6)]
    headers = {"Authorization": f"Bearer {API_KEY}"}
    batched = requests.post(procfile_server + "/v1/embeddings", json={"model": "gemini-embedding-001", "input": texts, "dimensions": 4, "encoding_format": "float"}, headers=headers, timeout=30)
    assert batched.status_code == 200 and batched.headers["X-Gateway-Batches"] == "6"
    assert_embedding_list(batched.json())
    for i in (0, 5):
        single = requests.post(procfile_server + "/v1/embeddings", json={"model": "gemini-embedding-001", "input": texts[i], "dimensions": 4, "encoding_format": "float"}, headers=headers, timeout=30)
        assert single.json()["data"][0]["embedding"] == batched.json()["data"][i]["embedding"]
