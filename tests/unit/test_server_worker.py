"""Whom a connection counts against in the per-address cap of the gunicorn worker."""

from __future__ import annotations

import pytest

from adapter.server_worker import client_key


@pytest.mark.parametrize(
    "addr,key",
    [
        (("203.0.113.7", 51000), "203.0.113.7"),
        (("2001:db8:1:2:aaaa::1", 51000, 0, 0), "2001:db8:1:2::/64"),
        (("2001:db8:1:2:bbbb::9", 51001, 0, 0), "2001:db8:1:2::/64"),
        (("2001:db8:1:3::1", 51000, 0, 0), "2001:db8:1:3::/64"),
        (("::ffff:203.0.113.7", 51000, 0, 0), "203.0.113.7"),
        (("fe80::1%eth0", 51000, 0, 2), "fe80::/64"),
        ("/run/gateway.sock", "/run/gateway.sock"),
    ],
)
def test_ipv4_clients_count_by_address_and_ipv6_clients_by_their_64(addr: object, key: str) -> None:
    assert client_key(addr) == key
