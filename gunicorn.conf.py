"""Gunicorn settings: fail fast, with one line, on bad configuration."""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
accesslog = "-"
timeout = 30


def on_starting(server):
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from config.startup import CONFIG_ERRORS, check_database, fail

    try:
        import django

        django.setup()
        check_database()
    except CONFIG_ERRORS as exc:
        fail(str(exc))
