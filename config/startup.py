"""Start-up checks that turn bad configuration into one clear line instead of a traceback."""

import sys

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError


def fail(message: str) -> None:
    sys.stderr.write(f"suara: configuration error: {message}\n")
    raise SystemExit(2)


def check_database() -> None:
    """Connect once, so an unreachable database is reported before serving."""
    from django.db import connection

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        fail(f"cannot reach the database ({first_line}). Check DATABASE_URL.")


CONFIG_ERRORS = (ImproperlyConfigured, OperationalError)
