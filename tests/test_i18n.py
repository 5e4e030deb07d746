"""Catalogues: complete for every language, and in step with the code."""

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(__file__).resolve().parent.parent
LOCALES = [to_locale(code) for code, _name in settings.LANGUAGES if code != "en"]
MAKEMESSAGES = [
    "makemessages",
    "--no-obsolete",
    "--no-location",
    "--ignore=.venv",
    "--ignore=staticfiles",
    "--ignore=tests",
    "--ignore=bench",
]


@pytest.mark.parametrize("locale", LOCALES)
def test_catalogue_has_no_untranslated_or_fuzzy_entries(locale):
    po = ROOT / "locale" / locale / "LC_MESSAGES" / "django.po"

    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po)],
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "untranslated" not in result.stderr, result.stderr
    assert "fuzzy" not in result.stderr, result.stderr


def _without_dates(text: str) -> str:
    return re.sub(r'"(POT-Creation-Date|PO-Revision-Date): .*\\n"\n', "", text)


def test_makemessages_would_not_change_the_catalogues(tmp_path):
    copy = tmp_path / "suara"
    shutil.copytree(
        ROOT,
        copy,
        ignore=shutil.ignore_patterns(".venv", ".git", "staticfiles", "media", "*.mo", "artifacts"),
    )
    subprocess.run(
        [sys.executable, "manage.py", *MAKEMESSAGES, *[f"-l{loc}" for loc in LOCALES]],
        cwd=copy,
        env={"DEBUG": "true", "PATH": "/usr/bin:/bin"},
        check=True,
        capture_output=True,
    )

    changed = [
        locale
        for locale in LOCALES
        if _without_dates((copy / "locale" / locale / "LC_MESSAGES" / "django.po").read_text())
        != _without_dates((ROOT / "locale" / locale / "LC_MESSAGES" / "django.po").read_text())
    ]
    assert changed == [], f"run `make messages` and translate: catalogues out of date: {changed}"
