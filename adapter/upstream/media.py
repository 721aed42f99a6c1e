"""Fetching of remote images and files named by http(s) URLs in chat messages, and the check of
``gs://`` URIs (which Vertex reads with the gateway's own service account).

Guarded against server-side request forgery by :mod:`.media_address`: each URL (and each
redirect hop) is parsed once by urllib3's parser and its host resolved and checked before any
fetch, proxied or not. Per URL, size, redirects and time are capped and the content type must be
one Gemini takes; per request, the number of URLs (``MEDIA_MAX_PARTS``), the bytes fetched in
all (``MEDIA_MAX_TOTAL_BYTES``) and the time all fetches take together
(``MEDIA_TOTAL_TIMEOUT``). A ``gs://`` URI must name a bucket in ``ALLOWED_GCS_BUCKETS``.
Failures are 400s naming the URL's place in the request.
"""

from __future__ import annotations

import base64
import http.cookiejar
import mimetypes
import time
from dataclasses import dataclass
from typing import Mapping
from urllib.parse import urljoin, urlsplit

import requests
from urllib3 import exceptions as urllib3_exceptions

from ..errors import InvalidRequest
from ..translate.request import Media
from ..vocabulary import GCS_SCHEME, url_scheme
from .media_address import (
    PRIVATE_REASON,
    PrivatePeerRefused,
    PublicOnlyAdapter,
    Resolver,
    UnusableURL,
    check_destination,
    is_public_address,
    parse_media_url,
    resolve,
)

__all__ = ["MediaFetcher", "MediaLimits", "is_public_address"]

MAX_REDIRECTS = 3
READ_SIZE = 65536
ACCEPTED_PREFIXES = ("image/", "audio/", "video/", "text/", "application/pdf")


@dataclass(frozen=True)
class MediaLimits:
    """What one request may make the gateway fetch, all URLs together."""

    max_parts: int = 16
    max_total_bytes: int = 20 * 1024 * 1024
    total_timeout: float = 30.0
    allowed_gcs_buckets: frozenset[str] = frozenset()


@dataclass
class _Budget:
    """What is left of a request's limits while its URLs are fetched one after another."""

    deadline: float
    bytes_left: int


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
        limits: MediaLimits = MediaLimits(),
        session: requests.Session | None = None,
        resolver: Resolver = resolve,
    ) -> None:
        self.allow_private = allow_private
        self.max_bytes = max_bytes
        self.timeout = timeout
        self.limits = limits
        self._session = session or _default_session(allow_private)
        self._resolver = resolver

    def fetch_all(self, urls: Mapping[str, str]) -> dict[str, Media]:
        """Check each ``gs://`` URI and fetch each http(s) URL of one request (each mapped to its
        place in the request, e.g. ``messages[0].content[1]``), within the request's limits."""
        remote = [(url, param) for url, param in urls.items() if url_scheme(url) != GCS_SCHEME]
        for url, param in urls.items():
            if url_scheme(url) == GCS_SCHEME:
                self._check_bucket(url, param)
        if len(remote) > self.limits.max_parts:
            message = f"A request may name at most {self.limits.max_parts} media URLs (MEDIA_MAX_PARTS); this is one more."
            raise InvalidRequest(message, param=remote[self.limits.max_parts][1], code="too_many_media_urls")
        budget = _Budget(time.monotonic() + self.limits.total_timeout, self.limits.max_total_bytes)
        return {url: self.fetch(url, param, budget) for url, param in remote}

    def fetch(self, url: str, param: str = "messages", budget: _Budget | None = None) -> Media:
        """Download ``url``; raise InvalidRequest (400) with the reason when it cannot be used."""
        budget = budget or _Budget(float("inf"), self.max_bytes)
        try:
            return self._fetch(url, budget)
        except InvalidRequest as exc:
            exc.param = param
            raise

    def _check_bucket(self, uri: str, param: str) -> None:
        bucket = uri[len(GCS_SCHEME) + 3:].split("/", 1)[0]
        if bucket not in self.limits.allowed_gcs_buckets:
            message = (
                f"gs:// URIs are read with the gateway's own credentials, so only buckets listed in "
                f"ALLOWED_GCS_BUCKETS may be named; {bucket[:100]!r} is not."
            )
            raise InvalidRequest(message, param=param, code="gcs_bucket_not_allowed")

    def _fetch(self, url: str, budget: _Budget) -> Media:
        own_deadline = time.monotonic() + self.timeout
        deadline = min(own_deadline, budget.deadline)
        current = url
        for _ in range(MAX_REDIRECTS + 1):
            target = self._check_target(current, url)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise _too_slow(url, deadline < own_deadline, self.limits)
            try:
                response = self._session.get(target, timeout=(min(5.0, remaining), remaining), stream=True, allow_redirects=False)
            except PrivatePeerRefused:
                raise _private(url) from None
            except requests.Timeout:
                raise _too_slow(url, deadline < own_deadline, self.limits) from None
            except requests.RequestException:
                raise _failure(url, "could not be downloaded") from None
            with response:
                if response.is_redirect:
                    current = urljoin(target, response.headers.get("Location", ""))
                    continue
                if response.status_code != 200:
                    raise _failure(url, f"answered HTTP {response.status_code}")
                mime = self._mime_type(response, url)
                return Media(mime_type=mime, data=self._read(response, url, deadline < own_deadline, deadline, budget))
        raise _failure(url, f"redirected more than {MAX_REDIRECTS} times")

    def _check_target(self, current: str, original: str) -> str:
        """The URL to request for ``current`` (as urllib3 reads it), once it is known usable."""
        try:
            parsed = parse_media_url(current)
            if not self.allow_private:
                check_destination(parsed, self._resolver)
        except UnusableURL as reason:
            raise _failure(original, str(reason)) from None
        return str(parsed.url)

    def _mime_type(self, response: requests.Response, url: str) -> str:
        mime = response.headers.get("Content-Type", "").split(";", 1)[0].strip().lower()
        if not mime or mime == "application/octet-stream":
            mime = (mimetypes.guess_type(urlsplit(url).path)[0] or "").lower()
        if not mime.startswith(ACCEPTED_PREFIXES):
            raise _failure(url, f"has content type {mime or 'unknown'}, which is not an image, audio, video, text or PDF")
        return mime

    def _read(self, response: requests.Response, url: str, shared_deadline: bool, deadline: float, budget: _Budget) -> str:
        limit = min(self.max_bytes, budget.bytes_left)
        too_big = _too_big(url, self.max_bytes, budget.bytes_left < self.max_bytes, self.limits)
        declared = response.headers.get("Content-Length")
        if declared and declared.isdigit() and int(declared) > limit:
            raise too_big
        chunks: list[bytes] = []
        size = 0
        try:
            while chunk := response.raw.read1(READ_SIZE, decode_content=True):
                size += len(chunk)
                if size > limit:
                    raise too_big
                if time.monotonic() > deadline:
                    raise _too_slow(url, shared_deadline, self.limits)
                chunks.append(chunk)
        except (urllib3_exceptions.ReadTimeoutError, TimeoutError):
            raise _too_slow(url, shared_deadline, self.limits) from None
        except (requests.RequestException, urllib3_exceptions.HTTPError, OSError):
            raise _failure(url, "could not be downloaded") from None
        budget.bytes_left -= size
        return base64.b64encode(b"".join(chunks)).decode("ascii")


def _failure(url: str, reason: str) -> InvalidRequest:
    shown = url if len(url) <= 200 else url[:200] + "..."
    return InvalidRequest(f"The file at {shown} {reason}.", code="invalid_media_url")


def _private(url: str) -> InvalidRequest:
    return _failure(url, PRIVATE_REASON)


def _too_big(url: str, max_bytes: int, shared: bool, limits: MediaLimits) -> InvalidRequest:
    if shared:
        return _failure(url, f"would take this request's media past {limits.max_total_bytes} bytes in all (MEDIA_MAX_TOTAL_BYTES)")
    return _failure(url, f"is larger than {max_bytes} bytes")


def _too_slow(url: str, shared: bool, limits: MediaLimits) -> InvalidRequest:
    if shared:
        return _failure(url, f"could not be fetched within the {limits.total_timeout:g} s all of this request's media may take (MEDIA_TOTAL_TIMEOUT)")
    return _failure(url, "took too long")
