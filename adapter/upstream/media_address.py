"""Which addresses media may be fetched from, and where a media URL really points.

A media URL is parsed once, by urllib3's parser (the one that sends the request): what is
checked is what is fetched. URLs with a user name or password, or with a backslash anywhere
(parsers disagree on where such a host ends), are refused outright. The host must resolve only
to public addresses (no loopback, private, link-local, multicast, reserved or cloud-metadata
addresses, including IPv4 addresses hidden in IPv6 forms: mapped, compatible, 6to4, NAT64)
unless ``ALLOW_PRIVATE_URLS=true``, whether or not a proxy makes the connection; and a direct
connection's peer is checked again once connected (DNS rebinding). Through a proxy that
second check cannot run: the proxy resolves the name again itself.
"""

from __future__ import annotations

import ipaddress
import socket
from typing import Any, Callable, Iterable

from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import LocationParseError
from urllib3.util import Url, parse_url

Resolver = Callable[[str, int], Iterable[str]]
_NAT64 = ipaddress.ip_network("64:ff9b::/96")
_NAT64_LOCAL = ipaddress.ip_network("64:ff9b:1::/48")
_IPV4_COMPATIBLE = ipaddress.ip_network("::/96")
_DEFAULT_PORTS = {"http": 80, "https": 443}


class UnusableURL(ValueError):
    """A media URL that is refused before any connection; the text says why."""


def resolve(host: str, port: int) -> list[str]:
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


def parse_media_url(url: str) -> Url:
    """``url`` as urllib3 reads it; raises :class:`UnusableURL` for what is never fetched."""
    if "\\" in url:
        raise UnusableURL("contains a backslash, which this gateway does not fetch")
    try:
        parsed = parse_url(url)
        port = parsed.port
    except (LocationParseError, ValueError):
        raise UnusableURL("is not a valid URL") from None
    if parsed.scheme not in _DEFAULT_PORTS or not parsed.host:
        raise UnusableURL("is not an http(s) URL")
    if parsed.auth is not None or "@" in (parsed.netloc or ""):
        raise UnusableURL("carries a user name or password, which this gateway does not fetch")
    if port is not None and not 0 < port < 65536:
        raise UnusableURL("is not a valid URL")
    return parsed


def check_destination(parsed: Url, resolver: Resolver) -> None:
    """Raise :class:`UnusableURL` unless every address of the URL's host is public."""
    host = (parsed.host or "").strip("[]")
    try:
        addresses = list(resolver(host, parsed.port or _DEFAULT_PORTS[parsed.scheme or "http"]))
    except (OSError, UnicodeError):
        raise UnusableURL("names a host that does not resolve") from None
    if not addresses or not all(is_public_address(a) for a in addresses):
        raise UnusableURL(PRIVATE_REASON)


PRIVATE_REASON = "points to a private or local address, which this gateway does not fetch"
