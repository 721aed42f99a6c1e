"""Fetching of remote images and files named by http(s) URLs in chat messages.

Guarded against server-side request forgery: the host must resolve only to public addresses
(no loopback, private, link-local, multicast, reserved or cloud-metadata addresses, including
IPv4 addresses hidden in IPv6 forms: mapped, compatible, 6to4, NAT64) unless
``ALLOW_PRIVATE_URLS=true``; every redirect hop is checked the same way; and the address each
connection actually reaches is checked again once connected, so a name that resolves to a
public address for the check and to a private one for the download (DNS rebinding) is refused
too. Size, redirects and time (the whole body, however slowly it drips) are capped; the content
type must be one Gemini takes. Failures are 400s naming the URL's place in the request.
"""

from __future__ import annotations

import base64
import http.cookiejar
import ipaddress
import mimetypes
import socket
import time
from typing import Any, Callable, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3 import exceptions as urllib3_exceptions
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool

from ..errors import InvalidRequest
from ..translate.request import Media

MAX_REDIRECTS = 3
READ_SIZE = 65536
ACCEPTED_PREFIXES = ("image/", "audio/", "video/", "text/", "application/pdf")
Resolver = Callable[[str, int], Iterable[str]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")


def _resolve(host: str, port: int) -> list[str]:
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> ipaddress.IPv4Address | None:
    """The IPv4 address an IPv6 address stands for (mapped, compatible, 6to4, NAT64), if any."""
    if ip.ipv4_mapped is not None:
        return ip.ipv4_mapped
    if ip.sixtofour is not None:
        return ip.sixtofour
    if ip in _NAT64 or ip in _IPV4_COMPATIBLE:
        return ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def is_public_address(address: str) -> bool:
    """True for a globally reachable unicast address (the only kind fetched by default)."""
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.is_site_local or ip in _NAT64_LOCAL:
            return False
        ip = _embedded_ipv4(ip) or ip
    return ip.is_global and not ip.is_multicast


class PrivatePeerRefused(Exception):
    """A connection reached a non-public address (raised from inside urllib3, caught below)."""


def _check_peer(sock: socket.socket) -> None:
    try:
        address = sock.getpeername()[0]
        public = is_public_address(address)
    except (OSError, ValueError):
        public = False
    if not public:
        sock.close()
        raise PrivatePeerRefused()


class _PublicPeer:
    """Mixin for urllib3 connections: refuse a socket connected to a non-public address."""

    def _new_conn(self) -> socket.socket:
        sock: socket.socket = super()._new_conn()  # type: ignore[misc]
        _check_peer(sock)
        return sock


class _PublicHTTPConnection(_PublicPeer, HTTPConnection):
    pass


class _PublicHTTPSConnection(_PublicPeer, HTTPSConnection):
    pass


class _PublicHTTPPool(HTTPConnectionPool):
    ConnectionCls = _PublicHTTPConnection


class _PublicHTTPSPool(HTTPSConnectionPool):
    ConnectionCls = _PublicHTTPSConnection


class PublicOnlyAdapter(HTTPAdapter):
    """Direct connections check their peer's address once connected (before sending anything).

    Connections through a proxy configured in the environment are not checked here: the proxy
    resolves the name, and only the check before the request applies.
    """

    def init_poolmanager(self, *args: Any, **kwargs: Any) -> None:
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {"http": _PublicHTTPPool, "https": _PublicHTTPSPool}


def _default_session(allow_private: bool) -> requests.Session:
    """The session every client's media fetches share: no cookie is ever kept, so that what one
    client's URL set is never sent with another client's fetch."""
    session = requests.Session()
    session.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    if not allow_private:
        adapter = PublicOnlyAdapter(max_retries=0)
        session.mount("http://", adapter)
        session.mount("https://", adapter)
    return session


class MediaFetcher:
    def __init__(
        self,
        *,
        allow_private: bool,
        max_bytes: int,
        timeout: float,
        session: requests.Session | None = None,
        resolver: Resolver = _resolve,
    ) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.timeout = timeout
        self._session = session or _default_session(allow_private)
        self._resolver = resolver

    def fetch_all(self, urls: Mapping[str, str]) -> dict[str, Media]:
        """Fetch each URL (mapped to its place in the request, e.g. ``messages[0].content[1]``)."""
        return {url: self.fetch(url, param) for url, param in urls.items()}

    def fetch(self, url: str, param: str = "messages") -> Media:
        """Download ``url``; raise InvalidRequest (400) with the reason when it cannot be used."""
        try:
            return self._fetch(url)
        except InvalidRequest as exc:
            exc.param = param
            raise

    def _fetch(self, url: str) -> Media:
        deadline = time.monotonic() + self.timeout
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            self._check_target(current, url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _failure(url, "took too long")
            try:
                response = self._session.get(current, timeout=(min(5.0, remaining), remaining), stream=True, allow_redirects=False)
            except PrivatePeerRefused:
                raise _private(url) from None
            except requests.RequestException:
                raise _failure(url, "could not be downloaded") from None
            with response:
                if response.is_redirect:
                    current = urljoin(current, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise _failure(url, f"answered HTTP {response.status_code}")
                return Media(mime_type=self._mime_type(response, url), data=self._read(response, url, deadline))
        raise _failure(url, f"redirected more than {MAX_REDIRECTS} times")

    def _check_target(self, current: str, original: str) -> None:
        try:
            parts = urlsplit(current)
            port = parts.port or (443 if parts.scheme == "https" else 80)
        except ValueError:  # a port that is no number or out of range, a broken [IPv6] host
            raise _failure(original, "is not a valid URL") from None
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _failure(original, "is not an http(s) URL")
        if self.allow_private:
            return
        try:
            addresses = list(self._resolver(parts.hostname, port))
        except (OSError, UnicodeError):
            raise _failure(original, "names a host that does not resolve") from None
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise _private(original)

    def _mime_type(self, response: requests.Response, url: str) -> str:
        mime = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not mime or mime == "application/octet-stream":
            mime = (mimetypes.guess_type(urlsplit(url).path)[0] or "").lower()
        if not mime.startswith(ACCEPTED_PREFIXES):
            raise _failure(url, f"has content type {mime or 'unknown'}, which is not an image, audio, video, text or PDF")
        return mime

    def _read(self, response: requests.Response, url: str, deadline: float) -> str:
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > self.max_bytes:
            raise _failure(url, f"is larger than {self.max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := response.raw.read1(READ_SIZE, decode_content=True):
                size += len(chunk)
                if size > self.max_bytes:
                    raise _failure(url, f"is larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise _failure(url, "took too long")
                chunks.append(chunk)
        except (urllib3_exceptions.ReadTimeoutError, TimeoutError):
            raise _failure(url, "took too long") from None
        except (requests.RequestException, urllib3_exceptions.HTTPError, OSError):
            raise _failure(url, "could not be downloaded") from None
        return base64.b64encode(b"".join(chunks)).decode("ascii")


def _failure(url: str, reason: str) -> InvalidRequest:
    shown = url if len(url) <= 200 else url[:200] + "..."
    return InvalidRequest(f"The file at {shown} {reason}.", code="invalid_media_url")


def _private(url: str) -> InvalidRequest:
    return _failure(url, "points to a private or local address, which this gateway does not fetch")
