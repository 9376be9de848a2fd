"""gunicorn's configuration: `gunicorn -c python:monitor.gunicorn monitor.wsgi`.

Every value can be changed from the environment (GUNICORN_CMD_ARGS too, which gunicorn reads
itself). The servers are stateless: sessions, the page cache and the publication clock live in
PostgreSQL and Redis, so any number of them run behind the load balancer.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
# A request that takes longer is killed and logged; imports run in the admin under this limit.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5
# A worker is replaced after this many requests (with jitter): memory stays bounded.
max_requests = 2000
max_requests_jitter = 200
# The proxy's address: only it may set X-Forwarded-* headers (see BEHIND_PROXY in the README).
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
# Access and error logs on stdout/stderr, one line per request in key=value.
accesslog = "-"
errorlog = "-"
access_log_format = (
    'remote=%(h)s method=%(m)s path="%(U)s" query="%(q)s" status=%(s)s bytes=%(B)s '
    'duration_us=%(D)s referer="%(f)s" agent="%(a)s"'
)
