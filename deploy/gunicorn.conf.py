"""gunicorn's settings for production (docs/OPERATIONS.md). Every one may be changed with
GUNICORN_* in the environment file."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
#: two a core is a good start: most of a request's time is the database's
workers = int(os.environ.get("GUNICORN_WORKERS", str(2 * (os.cpu_count() or 1))))
#: a long export streams for minutes (README, "Exports"); a request for a page takes well
#: under a second, and a worker stuck longer than this is killed and replaced
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "300"))
graceful_timeout = 30
keepalive = 5
#: a worker is replaced after this many requests, to bound any slow growth in memory
max_requests = 5000
max_requests_jitter = 500
#: the app writes its own JSON lines (LOG_FORMAT=json); gunicorn's go to the same stderr
errorlog = "-"
accesslog = None
#: the proxy in front terminates TLS and sets X-Forwarded-For (PROXY_COUNT)
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
