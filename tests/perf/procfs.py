"""What the benchmark reads from ``/proc``: CPU time and memory of a process, and machine load."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path

TICKS_PER_SECOND = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of ``pid`` so far (``/proc/<pid>/stat`` fields 14 and 15)."""
    stat = Path(f"/proc/{pid}/stat").read_text()
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[11]) + int(fields[12])) / TICKS_PER_SECOND


def rss_mb(pid: int) -> float:
    """Resident set size of ``pid`` in MB (``/proc/<pid>/statm``)."""
    resident = int(Path(f"/proc/{pid}/statm").read_text().split()[1])
    return resident * PAGE_SIZE / 1e6


def private_mb(pid: int) -> float:
    """Memory of ``pid`` that no other process shares (``Private_*`` of ``smaps_rollup``), in MB."""
    private = 0
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
        if line.startswith(("Private_Clean:", "Private_Dirty:")):
            private += int(line.split()[1])
    return private * 1024 / 1e6


def peak_rss_mb(pid: int) -> float:
    """The kernel's high-water mark of ``pid``'s resident set (``VmHWM``), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024 / 1e6
    return 0.0


def children(pid: int) -> list[int]:
    """Direct child processes of ``pid``."""
    found: list[int] = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        text = (task / "children").read_text().split()
        found.extend(int(child) for child in text)
    return found


@dataclass(frozen=True)
class MachineSample:
    busy: float  # share of all cores busy, 0..1
    steal: float  # share of time stolen by the hypervisor, 0..1
    load1: float


def _cpu_times() -> list[int]:
    with open("/proc/stat") as handle:
        return [int(value) for value in handle.readline().split()[1:]]


@dataclass(frozen=True)
class Usage:
    """Machine CPU ticks (all, idle) and this process's own CPU seconds, children included."""

    total: int
    idle: int
    own: float

    @classmethod
    def now(cls) -> "Usage":
        times = _cpu_times()
        mine = os.times()
        own = mine.user + mine.system + mine.children_user + mine.children_system
        return cls(total=sum(times[:8]), idle=times[3] + times[4], own=own)

    def others_since(self, earlier: "Usage") -> float:
        """Share of the machine's CPU that other processes used between ``earlier`` and now.

        Children count as ours once they have been waited for (the benchmark stops every
        process it started before calling this).
        """
        total = max(1, self.total - earlier.total)
        busy = total - (self.idle - earlier.idle)
        own = (self.own - earlier.own) * TICKS_PER_SECOND
        return max(0.0, (busy - own) / total)


def machine_sample(seconds: float) -> MachineSample:
    """How busy the machine was over ``seconds`` (call it before starting anything)."""
    before = _cpu_times()
    time.sleep(seconds)
    delta = [b - a for a, b in zip(before, _cpu_times())]
    total = sum(delta[:8]) or 1
    busy = (total - delta[3] - delta[4]) / total
    steal = delta[7] / total if len(delta) > 7 else 0.0
    load1 = float(Path("/proc/loadavg").read_text().split()[0])
    return MachineSample(busy=busy, steal=steal, load1=load1)
