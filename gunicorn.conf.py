"""gunicorn settings: gevent workers on 0.0.0.0:$PORT (7860 by default, as on Hugging Face Spaces).

Read by ``gunicorn -c gunicorn.conf.py wsgi:app`` in every deployment (Docker, Procfile, by hand).
"""

import glob
import os
import sys
import tempfile

PORT = os.environ.get("PORT", "7860")
bind = f"0.0.0.0:{PORT}"
workers = int(os.environ.get("WEB_CONCURRENCY", "1"))
# gunicorn's gevent worker plus a deadline for request headers (HEADER_TIMEOUT) and a cap on
# connections per client address (MAX_CONNECTIONS_PER_IP): adapter/server_worker.py, loaded in
# the worker only (adapter/lazy_worker.py keeps gevent out of the master's memory). An idle
# connection costs a gevent worker about 14 KB (measured: 5,000 connections with half a request
# line each, +69 MB RSS, the service still answering in 3 ms), so WORKER_CONNECTIONS=10000
# (~140 MB at worst) is well within what one worker holds; the worker raises its open-file
# limit to match.
worker_class = "adapter.lazy_worker.LazyGatewayWorker"
worker_connections = int(os.environ.get("WORKER_CONNECTIONS", "10000"))
# gevent's thread resolver with a 30-second cache, one lookup per name at a time: a burst of new
# upstream connections does not queue behind gevent's 10 resolver threads (adapter/resolver_cache.py).
# GEVENT_RESOLVER set by the operator (ares, thread, block) wins.
os.environ.setdefault("GEVENT_RESOLVER", "adapter.resolver_cache.CachingResolver")

# gunicorn's control socket (for gunicornc) is one path per machine by default, so a second
# instance on the same machine would take over the first one's. Each instance gets its own,
# named after its port: ~/.gunicorn/gunicorn-$PORT.ctl.
control_socket = os.path.join(os.path.expanduser("~"), ".gunicorn", f"gunicorn-{PORT}.ctl")

# With gevent workers, `timeout` only watches the worker's heartbeat, which keeps beating while
# a stream is open; long streams are never cut by it. On SIGTERM, running streams get
# `graceful_timeout` seconds to finish while no new connection is accepted.
timeout = 120
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "120"))
keepalive = 75

# No access log: the app writes one summary line per request (method, path without query
# string, status, latency, model, credential, tokens), and a second line cost ~5 % of a
# request's CPU. GUNICORN_CMD_ARGS="--access-logfile -" turns it back on, in this format: path
# only (no query string), no headers (so never Authorization).
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms'
errorlog = "-"
loglevel = os.environ.get("LOG_LEVEL", "info").lower()

# Prometheus metrics across workers (METRICS_ENABLED=true): every worker writes its counts under
# PROMETHEUS_MULTIPROC_DIR and a scrape sums them. The directory is set here, in the master,
# before any worker imports prometheus_client; one given by the operator is emptied at start.
METRICS_ENABLED = os.environ.get("METRICS_ENABLED", "").strip().lower() in ("1", "true", "yes", "on")
if METRICS_ENABLED:
    os.environ.setdefault("PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="gateway-metrics-"))


def on_starting(server):
    # A configuration that cannot run stops here, in the master: one line, exit status 1, no
    # worker started (a worker failing to load the app would print a traceback per attempt).
    from adapter.settings import SettingsError, load_settings

    try:
        load_settings()
    except SettingsError as exc:
        server.log.error("Configuration error: %s", exc)
        sys.exit(1)
    directory = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    if METRICS_ENABLED and directory:
        os.makedirs(directory, exist_ok=True)
        for stale in glob.glob(os.path.join(directory, "*.db")):
            os.remove(stale)


def post_fork(server, worker):
    # No garbage collection while the worker loads the app: the import allocates ~85,000 objects
    # and nothing to collect, and the collections it triggered cost ~30 ms of start-up.
    # post_worker_init collects once, freezes what was loaded and turns collection back on.
    import gc

    gc.disable()
    # One plain send before gevent's sendall: cheaper stream chunks (adapter/gevent_sendall.py).
    # Tracing's exporter is not started here: post_fork runs before the gevent worker patches
    # threads and sockets, and a thread started now would be a real one. The worker builds the
    # app (nothing is preloaded), and with it the exporter, once patched (adapter/telemetry/otel.py).
    from adapter.gevent_sendall import install

    install()


def post_worker_init(worker):
    # The ~50,000 objects the worker loaded at start-up (Flask, marshmallow, the app's tables)
    # live as long as the worker: frozen, they leave the collector's generations, and a full
    # collection no longer walks them. Walking them stopped every request of the worker for
    # 45-100 ms now and then (the p99 of the benchmark under load); frozen, it takes ~1 ms.
    # The young generation is collected every 7000 net allocations instead of 700: a burst of
    # streams allocates many short-lived dicts per event, and each young collection stops every
    # stream of the worker; the two older thresholds stay as they are.
    import gc

    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(7000, older, oldest)
    gc.enable()


def child_exit(server, worker):
    if METRICS_ENABLED:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)
