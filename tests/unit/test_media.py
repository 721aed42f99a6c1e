"""Remote media fetching: which addresses count as public, and every cap and refusal, against a
small local HTTP server (names are "resolved" by a stand-in resolver; no traffic leaves the
machine)."""

from __future__ import annotations

import threading
import time
from typing import Iterable, Iterator

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

import requests

from adapter.errors import InvalidRequest
from adapter.upstream.media import MediaFetcher, is_public_address

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 100
PUBLIC = "93.184.216.34"  # only ever an answer of the stand-in resolver: nothing connects to it


@pytest.mark.parametrize(
    "address,public",
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("127.0.0.1", False),
        ("127.255.0.9", False),
        ("10.1.2.3", False),
        ("172.16.0.1", False),
        ("192.168.1.1", False),
        ("100.64.0.1", False),
        ("169.254.169.254", False),
        ("0.0.0.0", False),
        ("224.0.0.1", False),
        ("255.255.255.255", False),
        ("::1", False),
        ("::", False),
        ("fd00::1", False),
        ("fd00:ec2::254", False),
        ("fe80::1%eth0", False),
        ("fec0::1", False),
        ("ff02::1", False),
        ("::ffff:127.0.0.1", False),
        ("::ffff:169.254.169.254", False),
        ("::127.0.0.1", False),
        ("2002:7f00:1::1", False),
        ("2002:5db8:d822::1", True),
        ("64:ff9b::7f00:1", False),
        ("64:ff9b::a9fe:a9fe", False),
        ("64:ff9b:1::5db8:d822", False),
    ],
)
def test_public_addresses(address: str, public: bool) -> None:
    assert is_public_address(address) is public


class Files:
    """A local server: a PNG, redirects, big files, a slow drip, an archive."""

    def __init__(self) -> None:
        self.hits: list[str] = []
        self.cookies: list[str] = []

        @Request.application
        def app(request: Request) -> Response:
            self.hits.append(request.path)
            self.cookies.append(request.headers.get("Cookie", ""))
            return self.route(request)

        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_port}"

    def route(self, request: Request) -> Response:
        path = request.path
        if path == "/cat.png":
            return Response(PNG, content_type="image/png")
        if path == "/cookie.png":
            return Response(PNG, content_type="image/png", headers={"Set-Cookie": "session=client-a; Path=/"})
        if path.startswith("/hop/"):
            left = int(path.rsplit("/", 1)[1])
            return Response(status=302, headers={"Location": "/cat.png" if left == 0 else f"/hop/{left - 1}"})
        if path == "/to-metadata":
            return Response(status=302, headers={"Location": "http://169.254.169.254/computeMetadata/v1/"})
        if path == "/to-localhost":
            return Response(status=302, headers={"Location": f"http://localhost:{self.server.server_port}/cat.png"})
        if path == "/big.png":
            return Response(PNG * 100, content_type="image/png")
        if path == "/big-chunked.png":
            return Response((PNG for _ in range(100)), content_type="image/png")
        if path == "/drip.png":
            return Response(self._drip(), content_type="image/png")
        if path == "/archive.zip":
            return Response(b"PK\x03\x04", content_type="application/zip")
        return Response("missing", status=404)

    @staticmethod
    def _drip() -> Iterator[bytes]:
        for _ in range(40):
            yield b"x" * 8
            time.sleep(0.05)

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def files() -> Iterator[Files]:
    served = Files()
    yield served
    served.stop()


class NoNetwork(requests.adapters.BaseAdapter):
    """Refuses every request without a packet: a regression cannot reach a real address."""

    def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
        raise AssertionError(f"the fetcher tried to connect to {request.url}")

    def close(self) -> None:
        return None


class LoopbackOnly(requests.adapters.HTTPAdapter):
    """Connects to this machine only; anything else fails the test without a packet."""

    def send(self, request: requests.PreparedRequest, *args: object, **kwargs: object) -> requests.Response:
        from urllib.parse import urlsplit

        assert urlsplit(request.url).hostname in ("127.0.0.1", "localhost"), f"the fetcher tried {request.url}"
        return super().send(request, *args, **kwargs)  # type: ignore[arg-type]


def loopback_only() -> requests.Session:
    session = requests.Session()
    session.mount("http://", LoopbackOnly())
    return session


def no_network() -> requests.Session:
    session = requests.Session()
    session.mount("http://", NoNetwork())
    session.mount("https://", NoNetwork())
    return session


def pretend_public(host: str, port: int) -> Iterable[str]:
    """A resolver that claims 127.0.0.1 is a public host (to reach the local server)."""
    if host == "127.0.0.1":
        return [PUBLIC]
    import socket

    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def fetcher(**overrides: object) -> MediaFetcher:
    options: dict = {"allow_private": True, "max_bytes": 2000, "timeout": 1.0}
    options.update(overrides)
    return MediaFetcher(**options)  # type: ignore[arg-type]


def refusal(fetch: MediaFetcher, url: str) -> str:
    with pytest.raises(InvalidRequest) as caught:
        fetch.fetch(url, "messages[0].content[1].image_url.url")
    error = caught.value
    assert (error.status, error.param, error.code) == (400, "messages[0].content[1].image_url.url", "invalid_media_url")
    return error.message


def test_a_public_image_is_fetched_and_typed(files: Files) -> None:
    media = fetcher().fetch(files.url + "/cat.png")
    assert media.mime_type == "image/png"
    assert len(media.data) > 100


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:{port}/cat.png",
        "http://localhost:{port}/cat.png",
        "http://[::1]:{port}/cat.png",
        "http://[::ffff:127.0.0.1]:{port}/cat.png",
        "http://2130706433:{port}/cat.png",
        "http://0x7f000001:{port}/cat.png",
        "http://0.0.0.0:{port}/cat.png",
        "http://169.254.169.254/computeMetadata/v1/",
        "http://[fd00::1]/x.png",
        "http://10.0.0.1/x.png",
    ],
)
def test_private_and_local_targets_are_refused_without_a_request(files: Files, url: str) -> None:
    before = len(files.hits)
    message = refusal(fetcher(allow_private=False, session=no_network()), url.format(port=files.server.server_port))
    assert "private or local address" in message or "does not resolve" in message
    assert len(files.hits) == before


def test_a_name_that_resolves_public_but_connects_private_is_refused(files: Files) -> None:
    before = len(files.hits)
    message = refusal(fetcher(allow_private=False, resolver=pretend_public), files.url + "/cat.png")
    assert "private or local address" in message
    assert len(files.hits) == before


@pytest.mark.parametrize("path", ["/to-metadata", "/to-localhost"])
def test_a_redirect_to_a_private_address_is_refused(files: Files, path: str) -> None:
    plain = loopback_only()  # no connect-time check: only the per-hop check stands in the way
    message = refusal(fetcher(allow_private=False, resolver=pretend_public, session=plain), files.url + path)
    assert "private or local address" in message
    assert files.hits[-1] == path


def test_allow_private_urls_lets_local_addresses_through(files: Files) -> None:
    assert fetcher(allow_private=True).fetch(files.url.replace("127.0.0.1", "localhost") + "/cat.png").mime_type == "image/png"


@pytest.mark.parametrize(
    "path,fragment",
    [
        ("/hop/2", None),
        ("/hop/3", "redirected more than 3 times"),
        ("/big.png", "larger than 2000 bytes"),
        ("/big-chunked.png", "larger than 2000 bytes"),
        ("/drip.png", "took too long"),
        ("/archive.zip", "application/zip"),
        ("/nothing.png", "answered HTTP 404"),
    ],
)
def test_caps_on_redirects_size_time_and_type(files: Files, path: str, fragment: str | None) -> None:
    fetch = fetcher(timeout=0.5)
    started = time.monotonic()
    if fragment is None:
        assert fetch.fetch(files.url + path).mime_type == "image/png"
        return
    assert fragment in refusal(fetch, files.url + path)
    assert time.monotonic() - started < 1.5


@pytest.mark.parametrize("allow_private", [False, True], ids=["checked", "private allowed"])
@pytest.mark.parametrize("url", ["http://example.com:abc/x.png", "http://example.com:99999/x.png", "http://[::1/x.png"])
def test_a_malformed_url_is_a_400_naming_the_part(url: str, allow_private: bool) -> None:
    message = refusal(fetcher(allow_private=allow_private, resolver=pretend_public, session=no_network()), url)
    assert "is not a valid URL" in message


@pytest.mark.parametrize("allow_private", [False, True], ids=["checked", "private allowed"])
def test_a_cookie_one_url_set_is_not_sent_with_later_fetches(files: Files, allow_private: bool) -> None:
    """One fetcher serves every client: a cookie must not travel from one client's fetch to another's."""
    fetch = fetcher(allow_private=allow_private, resolver=pretend_public)
    fetch._session.mount("http://", LoopbackOnly())  # reach the local server past the connect-time check
    fetch.fetch(files.url + "/cookie.png")
    fetch.fetch(files.url + "/cat.png")
    assert files.cookies[-1] == ""
