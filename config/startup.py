"""Start-up checks that turn bad configuration into one clear line instead of a traceback."""

import sys

from django.core.exceptions import ImproperlyConfigured
from django.db import OperationalError


def fail(message: str) -> None:
    sys.stderr.write(f"suara: configuration error: {message}\n")
    raise SystemExit(2)


def check_database() -> None:
    """Connect once, so an unreachable database is reported before serving.

    The connection is closed again: gunicorn forks its workers after this, and a socket
    shared between processes would mix up their queries' results.
    """
    from django.db import connection, connections

    try:
        connection.ensure_connection()
    except OperationalError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc)
        fail(f"cannot reach the database ({first_line}). Check DATABASE_URL.")
    finally:
        connections.close_all()


CONFIG_ERRORS = (ImproperlyConfigured, OperationalError)
