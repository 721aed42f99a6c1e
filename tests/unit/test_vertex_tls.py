"""The hand-made exchange over TLS, as to real Vertex: a CA bundle from the environment, a gzip
answer decoded, one connection reused, and HTTPS through a proxy's CONNECT tunnel."""

from __future__ import annotations

import datetime
import gzip
import ipaddress
import json
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from adapter.upstream.credentials import express_credentials
from adapter.upstream.inflight import mount_tracked_pool
from adapter.upstream.vertex import SessionPools, VertexClient
from tests.support.http_proxy import ForwardProxy

BODY = {"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}


def _self_signed(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "localhost")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    return cert_path, key_path


class _Vertex(BaseHTTPRequestHandler):
    """Answers every POST (gzip-compressed when asked), keep-alive, naming the Host it was sent."""

    protocol_version = "HTTP/1.1"

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        answer = {"candidates": [{"content": {"parts": [{"text": f"over TLS to {self.headers['Host']}"}]}}]}
        body = json.dumps(answer).encode()
        compressed = "gzip" in self.headers.get("Accept-Encoding", "")
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        if compressed:
            body = gzip.compress(body)
            self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        return None


@pytest.fixture
def tls_vertex(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    cert, key = _self_signed(tmp_path)
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Vertex)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
    yield server.server_port, cert
    server.shutdown()
    server.server_close()


def _texts(port: int, cert: Path, calls: int) -> tuple[list[str], int]:
    session = requests.Session()
    mount_tracked_pool(session, 4)
    cred = express_credentials(("AQ.tls-test-key",), session)[0]
    pools = SessionPools({"REQUESTS_CA_BUNDLE": str(cert)})
    client = VertexClient(base_url=f"https://localhost:{port}", location="global", connect_timeout=2, read_timeout=5, pools=pools)
    url = client.model_url(cred, "gemini-2.5-flash", "generateContent")
    answers = [client.post_json(cred, url, BODY) for _ in range(calls)]
    texts = [answer["candidates"][0]["content"]["parts"][0]["text"] for answer in answers]
    connections = pools.target(session, url).pool.num_connections
    session.close()
    return texts, connections


def test_https_with_the_environments_ca_bundle_reuses_one_connection(tls_vertex: tuple[int, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NO_PROXY", "*")
    port, cert = tls_vertex
    assert _texts(port, cert, 3) == ([f"over TLS to localhost:{port}"] * 3, 1)


def test_https_through_a_proxy_goes_through_one_connect_tunnel(tls_vertex: tuple[int, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    port, cert = tls_vertex
    with ForwardProxy(port) as proxy:
        monkeypatch.setenv("HTTPS_PROXY", proxy.url)
        monkeypatch.setenv("NO_PROXY", "example.org")
        assert _texts(port, cert, 2) == ([f"over TLS to localhost:{port}"] * 2, 1)
    assert proxy.log.requests == [("CONNECT", f"localhost:{port}")]
