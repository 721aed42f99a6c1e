"""Whom a connection counts against in the per-address cap of the gunicorn worker, and the open files it needs."""

from __future__ import annotations

import resource
import subprocess
import sys
from pathlib import Path

import pytest

from adapter.server_worker import client_key

ROOT = Path(__file__).resolve().parents[2]


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


def test_a_worker_raises_its_open_file_limit_for_two_sockets_per_connection() -> None:
    """5000 streams hold 5000 client sockets and 5000 to Vertex: the limit must cover both."""
    script = (
        "import resource\n"
        "from adapter.server_worker import _raise_file_limit, files_needed\n"
        "soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)\n"
        "resource.setrlimit(resource.RLIMIT_NOFILE, (256, hard))\n"
        "_raise_file_limit(files_needed(300))\n"
        "print(resource.getrlimit(resource.RLIMIT_NOFILE)[0], hard)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=ROOT)
    soft, hard = (int(value) for value in done.stdout.split())
    assert soft == (664 if hard == resource.RLIM_INFINITY else min(664, hard))
