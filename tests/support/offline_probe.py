"""Proof that a coding agent stays on loopback: run one recording scenario inside fresh network
and mount namespaces, where the only interface is loopback and ``/etc/resolv.conf`` points at a
DNS logger on 127.0.0.1 that answers every query NXDOMAIN. Prints a JSON report on stdout:
the DNS names the agent looked up, the endpoints it called, whether it completed the task.

    unshare --net --mount -- python -m tests.support.offline_probe SCENARIO

(``tests/clients/test_agents_offline.py`` runs it; it needs root and util-linux's ``unshare``.)
"""

from __future__ import annotations

import fcntl
import json
import socket
import struct
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

from tests.clients.agent_recordings import SCENARIOS, record


SIOCGIFFLAGS, SIOCSIFFLAGS, IFF_UP = 0x8913, 0x8914, 0x1


class DnsLogger:
    """A UDP DNS server on 127.0.0.1:53 that notes each queried name and answers NXDOMAIN."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._socket = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._socket.bind(("127.0.0.1", 53))
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            query, peer = self._socket.recvfrom(4096)
            labels, end = query_name(query)
            self.names.append(".".join(labels))
            flags = b"\x81\x83"  # response, recursion desired and available, NXDOMAIN
            self._socket.sendto(query[:2] + flags + query[4:6] + b"\x00" * 6 + query[12:end + 4], peer)


def query_name(query: bytes) -> tuple[list[str], int]:
    """The labels of the question's name and the offset just past it."""
    labels, offset = [], 12
    while query[offset]:
        length = query[offset]
        labels.append(query[offset + 1:offset + 1 + length].decode("ascii", errors="replace"))
        offset += length + 1
    return labels, offset + 1


def loopback_up() -> None:
    """``ip link set lo up`` without needing iproute2: the interface flags through ioctl."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        request = struct.pack("16sh", b"lo", 0)
        flags = struct.unpack("16sh", fcntl.ioctl(sock, SIOCGIFFLAGS, request))[1]
        fcntl.ioctl(sock, SIOCSIFFLAGS, struct.pack("16sh", b"lo", flags | IFF_UP))


def isolate_resolver(tmp: Path) -> None:
    """Loopback up, and this mount namespace's resolv.conf pointing at the logger."""
    loopback_up()
    resolv = tmp / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.1\n", encoding="ascii")
    subprocess.run(["mount", "--make-rprivate", "/"], check=True)
    subprocess.run(["mount", "--bind", str(resolv), "/etc/resolv.conf"], check=True)


def main(name: str) -> int:
    with tempfile.TemporaryDirectory(prefix="offline-probe-") as tmp:
        isolate_resolver(Path(tmp))
        dns = DnsLogger()
        recording = record(SCENARIOS[name], Path(tmp) / "run")
    report = {
        "returncode": recording.run.returncode,
        "completed": recording.created == SCENARIOS[name].greeting,
        "dns_queries": sorted(set(dns.names)),
        "endpoints": [f"{r.method} {r.path}" for r in recording.requests],
        "stderr_tail": recording.run.stderr[-1500:],
    }
    sys.stdout.write(json.dumps(report) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
