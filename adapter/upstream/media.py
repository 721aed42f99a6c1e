"""Fetching of remote images and files named by http(s) URLs in chat messages.

Guarded against server-side request forgery: the host must resolve only to public addresses
(no loopback, private, link-local, multicast, reserved or cloud-metadata addresses) unless
``ALLOW_PRIVATE_URLS=true``; every redirect hop is checked the same way; size, redirects and
time are capped; the content type must be one Gemini takes. Failures are 400s naming the URL's
place in the request.
"""

from __future__ import annotations

import base64
import ipaddress
import mimetypes
import socket
import time
from typing import Callable, Iterable, Mapping
from urllib.parse import urljoin, urlsplit

import requests

from ..errors import InvalidRequest
from ..translate.request import Media

MAX_REDIRECTS = 3
ACCEPTED_PREFIXES = ("image/", "audio/", "video/", "text/", "application/pdf")
Resolver = Callable[[str, int], Iterable[str]]


def _resolve(host: str, port: int) -> list[str]:
    return [info[4][0] for info in socket.getaddrinfo(host, port, proto=socket.IPPROTO_TCP)]


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


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
        self._session = session or requests.Session()
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
        parts = urlsplit(current)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise _failure(original, "is not an http(s) URL")
        if self.allow_private:
            return
        port = parts.port or (443 if parts.scheme == "https" else 80)
        try:
            addresses = list(self._resolver(parts.hostname, port))
        except (OSError, UnicodeError):
            raise _failure(original, "names a host that does not resolve") from None
        if not addresses or not all(is_public_address(a) for a in addresses):
            raise _failure(original, "points to a private or local address, which this gateway does not fetch")

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
            for chunk in response.iter_content(65536):
                size += len(chunk)
                if size > self.max_bytes:
                    raise _failure(url, f"is larger than {self.max_bytes} bytes")
                if time.monotonic() > deadline:
                    raise _failure(url, "took too long")
                chunks.append(chunk)
        except requests.RequestException:
            raise _failure(url, "could not be downloaded") from None
        return base64.b64encode(b"".join(chunks)).decode("ascii")


def _failure(url: str, reason: str) -> InvalidRequest:
    shown = url if len(url) <= 200 else url[:200] + "..."
    return InvalidRequest(f"The file at {shown} {reason}.", code="invalid_media_url")
