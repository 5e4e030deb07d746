"""Signed unsubscribe tokens and the links built from them.

A token names a recipient and a scope (a subject key or "all"). It is signed, not stored,
and does not expire: an unsubscribe link in an old email must keep working.
"""

from dataclasses import dataclass
from functools import lru_cache

from django.conf import settings
from django.core import signing
from django.urls import reverse
from django.utils import translation

SALT = "notifications.unsubscribe"


@dataclass(frozen=True, slots=True)
class Unsubscribe:
    recipient: str
    scope: str


def token_make(*, recipient: str, scope: str) -> str:
    return signing.dumps({"r": recipient, "s": scope}, salt=SALT, compress=True)


def token_read(token: str) -> Unsubscribe | None:
    """The recipient and scope in a token, or None if it was not signed by us."""
    try:
        data = signing.loads(token, salt=SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict) or not data.get("r") or not data.get("s"):
        return None
    return Unsubscribe(recipient=str(data["r"]), scope=str(data["s"]))


_MARK = "--token--"


@lru_cache(maxsize=64)
def _paths(language: str) -> tuple[str, str]:
    # Reversing costs more than signing; a fan-out builds these links 100,000 times.
    with translation.override(language):
        page = reverse("notifications:unsubscribe", kwargs={"token": _MARK})
        one_click = reverse("notifications:unsubscribe_one_click", kwargs={"token": _MARK})
    return page, one_click


def unsubscribe_urls(*, recipient: str, scope: str, language: str) -> tuple[str, str]:
    """Absolute URLs of the confirm page and of the RFC 8058 one-click endpoint."""
    token = token_make(recipient=recipient, scope=scope)
    page, one_click = _paths(language)
    return (
        settings.SITE_URL + page.replace(_MARK, token),
        settings.SITE_URL + one_click.replace(_MARK, token),
    )
