"""Starting and stopping the benchmark's processes: the fake Vertex and the gateway under gunicorn."""

from __future__ import annotations

import compileall
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from . import procfs

ROOT = Path(__file__).resolve().parents[2]
API_KEY = "sk-perf-bench-key"
EXPRESS_KEY = "AQ.perf-bench-express-key"
PROJECT = "perf-project"


@dataclass
class Process:
    name: str
    popen: subprocess.Popen[bytes]
    port: int
    log: IO[bytes] | None = None

    @property
    def pid(self) -> int:
        return self.popen.pid

    def stop(self, grace: float = 5.0) -> None:
        if self.popen.poll() is None:
            self.popen.send_signal(signal.SIGTERM)
            try:
                self.popen.wait(grace)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()
        if self.log is not None:
            self.log.close()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_fake(*, delay: float, chunk_interval: float) -> tuple[Process, float]:
    """Start the fake Vertex; return it and the seconds until it listened."""
    started = time.perf_counter()
    command = [sys.executable, "-m", "tests.perf.fake_vertex", "--port", "0", "--delay", str(delay), "--chunk-interval", str(chunk_interval)]
    popen = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE)
    assert popen.stdout is not None
    line = popen.stdout.readline().decode()
    if not line.startswith("READY "):
        popen.kill()
        raise RuntimeError("the fake Vertex did not start")
    return Process("fake-vertex", popen, int(line.split()[1])), time.perf_counter() - started


def service_account_json(token_uri: str) -> str:
    """A service-account key whose token endpoint is the fake (which accepts any JWT)."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()).decode()
    email = f"perf-bench@{PROJECT}.iam.gserviceaccount.com"
    return json.dumps(
        {
            "type": "service_account",
            "project_id": PROJECT,
            "private_key_id": "0123456789abcdef0123456789abcdef01234567",
            "private_key": pem,
            "client_email": email,
            "client_id": "112233445566778899000",
            "token_uri": token_uri,
        }
    )


def gateway_env(fake_port: int, port: int, *, service_account: str | None, extra: dict[str, str] | None = None) -> dict[str, str]:
    """The gateway's environment: the fake as Vertex, its own ``DATA_DIR``, then ``extra``."""
    env = {
        **os.environ,
        "DATA_DIR": tempfile.mkdtemp(prefix="perf-gateway-data-"),
        "API_KEY": API_KEY,
        "VERTEX_BASE_URL": f"http://127.0.0.1:{fake_port}",
        "CREDENTIALS_DIR": "/nonexistent-perf-credentials",
        "PORT": str(port),
        "WEB_CONCURRENCY": "1",
        "GRACEFUL_TIMEOUT": "5",
        "MAX_CONNECTIONS_PER_IP": "0",  # every load client connects from 127.0.0.1
    }
    for name in ("VERTEX_EXPRESS_API_KEY", "GOOGLE_CREDENTIALS_JSON"):
        env.pop(name, None)
    if service_account is None:
        env["VERTEX_EXPRESS_API_KEY"] = EXPRESS_KEY
    else:
        env["GOOGLE_CREDENTIALS_JSON"] = service_account
    env.update(extra or {})
    return env


def compile_bytecode() -> None:
    """Compile the app's bytecode as the Docker image does at build: a deployment starts with it,
    while PYTHONDONTWRITEBYTECODE (set on some machines) would make every start compile again."""
    compileall.compile_dir(ROOT / "adapter", quiet=1)
    compileall.compile_file(ROOT / "wsgi.py", quiet=1)


def spawn_gateway(env: dict[str, str], log_path: Path, config: str = "gunicorn.conf.py") -> Process:
    """Start ``gunicorn -c gunicorn.conf.py wsgi:app`` (one gevent worker) with ``env``."""
    log = log_path.open("ab")
    command = [sys.executable, "-m", "gunicorn", "-c", config, "wsgi:app"]
    popen = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return Process("gateway", popen, int(env["PORT"]), log)


def worker_pid(master: Process, timeout: float = 5.0) -> int:
    """The pid of gunicorn's single worker process."""
    return worker_pids(master, 1, timeout)[0]


def worker_pids(master: Process, count: int, timeout: float = 5.0) -> list[int]:
    """The pids of gunicorn's ``count`` worker processes."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = procfs.children(master.pid)
        if len(found) == count:
            return found
        time.sleep(0.01)
    raise RuntimeError(f"expected {count} gunicorn workers, found {procfs.children(master.pid)}")
