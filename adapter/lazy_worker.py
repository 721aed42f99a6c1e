"""The worker class named in ``gunicorn.conf.py``: it loads gevent in the worker, not the master.

gunicorn imports the configured worker class in the master to spawn workers from it. Named
directly, :class:`~adapter.server_worker.GatewayWorker` brought gevent, gunicorn's gevent worker
and the app's settings into the master, which never runs them: 6.6 MB of the master's idle
memory (35.1 → 28.5 MB RSS measured; master + worker 86.8 → 80.7 MB). :class:`LazyGatewayWorker`
is gunicorn's plain base worker until the forked worker starts: :meth:`init_process` imports the
gevent worker there, becomes it and runs its start-up. ``tests/e2e/test_worker_processes.py``
checks that the master's memory holds no gevent while a worker serves.
"""

from __future__ import annotations

from gunicorn.workers.base import Worker


class LazyGatewayWorker(Worker):
    """Becomes :class:`~adapter.server_worker.GatewayWorker` in the forked worker."""

    def init_process(self) -> None:
        from .server_worker import GatewayWorker

        self.__class__ = GatewayWorker  # type: ignore[assignment]
        self.worker_connections = self.cfg.worker_connections  # what AsyncWorker.__init__ sets
        self.init_process()
