"""A tiny forward HTTP proxy on loopback, for tests that set ``HTTP_PROXY``/``HTTPS_PROXY``.

It plays the proxy of a deployment and the internet behind it without any traffic leaving the
machine: every request it is asked to make (an absolute-form ``GET``, or a ``CONNECT`` tunnel)
is recorded with the destination the client named, then forwarded to one loopback origin
server, whatever that destination was.
"""

from __future__ import annotations

import socket
import socketserver
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from urllib.parse import urlsplit


@dataclass
class ProxyLog:
    requests: list[tuple[str, str]] = field(default_factory=list)  # (method, destination as asked)


def _relay(source: socket.socket, sink: socket.socket) -> None:
    try:
        while data := source.recv(65536):
            sink.sendall(data)
    except OSError:
        pass
    finally:
        for sock in (source, sink):
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def _handler(origin: tuple[str, int], log: ProxyLog) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: object) -> None:
            return None

        def do_CONNECT(self) -> None:
            log.requests.append(("CONNECT", self.path))
            with socket.create_connection(origin) as upstream:
                self.send_response(200, "Connection established")
                self.end_headers()
                back = threading.Thread(target=_relay, args=(upstream, self.connection), daemon=True)
                back.start()
                _relay(self.connection, upstream)
                back.join(5)
            self.close_connection = True

        def do_GET(self) -> None:
            log.requests.append(("GET", self.path))
            parts = urlsplit(self.path)
            target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
            with socket.create_connection(origin) as upstream:
                upstream.sendall(f"GET {target} HTTP/1.0\r\nHost: {parts.netloc}\r\n\r\n".encode("latin-1"))
                answer = b""
                while chunk := upstream.recv(65536):
                    answer += chunk
            self.wfile.write(answer)
            self.close_connection = True

    return Handler


class _Server(socketserver.ThreadingMixIn, socketserver.TCPServer):
    daemon_threads = True
    allow_reuse_address = True


class ForwardProxy:
    """``with ForwardProxy(origin_port) as proxy:`` → ``proxy.url``, ``proxy.log.requests``."""

    def __init__(self, origin_port: int) -> None:
        self.log = ProxyLog()
        self._server = _Server(("127.0.0.1", 0), _handler(("127.0.0.1", origin_port), self.log))
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> "ForwardProxy":
        threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
