"""Re-record ``tests/fixtures/clients/*.json``: ``python -m tests.clients.record_agents [name ...]``.

Runs each scenario of ``agent_recordings.SCENARIOS`` (all by default) with the pinned agents and
writes the sanitized requests. Needs the agents installed (``npm ci --prefix tests/clients/agents``).
"""

from __future__ import annotations

import json
import logging
import sys
import tempfile
from pathlib import Path

from tests.clients.agent_recordings import FIXTURES, SCENARIOS, record

logger = logging.getLogger("record_agents")


def main(names: list[str]) -> int:
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    FIXTURES.mkdir(parents=True, exist_ok=True)
    failed = 0
    for name in names or list(SCENARIOS):
        with tempfile.TemporaryDirectory(prefix=f"{name}-") as tmp:
            recording = record(SCENARIOS[name], Path(tmp))
        if recording.run.returncode != 0 or recording.created is None:
            logger.error("%s: the agent did not complete the task (exit %s)\n%s", name, recording.run.returncode, recording.run.stderr[-2000:])
            failed += 1
            continue
        text = json.dumps(recording.fixture, indent=1, ensure_ascii=False) + "\n"
        SCENARIOS[name].fixture.write_text(text, encoding="utf-8")
        logger.info("%s: %d requests -> %s", name, len(recording.requests), SCENARIOS[name].fixture)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
