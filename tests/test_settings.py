"""Settings: production values pass `check --deploy`; bad configuration fails in one line."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PRODUCTION = {
    "DEBUG": "false",
    "SECRET_KEY": "x7#kq!v2$wz9@m4p&r8t^y1u*i6o(e3a)s5d-f0g+h=j_l%c~b`n",
    "ALLOWED_HOSTS": "suara.example.org",
    "DATABASE_URL": os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/suara"),
    "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0"),
}


def manage(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DEBUG", "SECRET_KEY", "HTTPS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_production_settings_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", **PRODUCTION)

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues (0 silenced)." in result.stdout


def test_start_without_secret_key_fails_in_one_line():
    env = {**PRODUCTION, "SECRET_KEY": ""}

    result = manage("check", **env)

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "suara: configuration error: SECRET_KEY must be set when DEBUG is off."
    ]


def test_start_with_unreachable_database_fails_in_one_line():
    env = {**PRODUCTION, "DATABASE_URL": "postgres://postgres@127.0.0.1:1/suara"}

    result = manage("migrate", "--check", **env)

    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("suara: configuration error: cannot reach the database")


def test_bad_boolean_fails_in_one_line():
    result = manage("check", **{**PRODUCTION, "DEBUG": "maybe"})

    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "suara: configuration error: DEBUG must be true or false, not 'maybe'."
    ]
