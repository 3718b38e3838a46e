"""Production settings for gunicorn (``gunicorn -c gunicorn.conf.py wsgi:app``)."""

import multiprocessing
import os

bind = os.environ.get("CASEWORK_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2))
worker_class = "sync"
timeout = 30
graceful_timeout = 20
keepalive = 5
max_requests = 5000
max_requests_jitter = 500
preload_app = True
accesslog = "-"
# No query strings in the access log: nothing personal travels in URLs, but searches carry
# lookups the log must not keep.
access_log_format = '%(h)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss'
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")


def on_starting(server):  # noqa: ANN001, ANN201 - gunicorn's hook signature
    """Refuse to start without the right encryption key: a service that cannot decrypt, or
    would encrypt and sign under a key the database was not written with, must not serve.
    (Each worker checks again before serving, and on every change of the key file.)"""
    from casework import create_app
    from casework.crypto import KeyCheckError, KeyUnavailableError, require_keyring
    from casework.extensions import db

    app = create_app()
    try:
        with app.app_context():
            require_keyring(app)
    except (KeyUnavailableError, KeyCheckError) as exc:
        server.log.error("refusing to start: %s", exc)
        raise SystemExit(1) from None
    finally:
        # No connection of the master's may survive into the forked workers.
        with app.app_context():
            db.session.remove()
            db.engine.dispose()
