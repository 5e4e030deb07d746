#!/usr/bin/env python
"""Django's command-line utility for Suara."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    from django.core.exceptions import ImproperlyConfigured
    from django.core.management import execute_from_command_line
    from django.db import OperationalError

    try:
        execute_from_command_line(sys.argv)
    except ImproperlyConfigured as exc:
        sys.stderr.write(f"suara: configuration error: {exc}\n")
        raise SystemExit(2) from None
    except OperationalError as exc:
        first_line = (str(exc).strip().splitlines() or [repr(exc)])[0]
        sys.stderr.write(
            f"suara: configuration error: cannot reach the database ({first_line})."
            " Check DATABASE_URL.\n"
        )
        raise SystemExit(2) from None


if __name__ == "__main__":
    main()
