"""Entry point: ``gunicorn -c gunicorn.conf.py wsgi:app`` and ``flask --app wsgi …``.

Without the encryption key, or with a key the database was not written with (its key check
values differ), the app answers every request with 503 (fail closed), and gunicorn.conf.py
refuses to start at all; the CLI still works so ``casework init`` can create or register it.
"""

from casework import create_app

app = create_app()
