"""Typed readers for settings taken from the environment; they fail loudly on bad values.

An empty value counts as unset, so `VAR=` in a compose file means "use the default".
"""

import os

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def _get(name: str) -> str | None:
    value = os.environ.get(name)
    return None if value is None or value.strip() == "" else value


def env_str(name: str, default: str | None = None) -> str:
    value = _get(name)
    if value is None:
        if default is None:
            raise ImproperlyConfigured(f"{name} must be set in the environment.")
        return default
    return value


def env_bool(name: str, default: bool) -> bool:
    value = _get(name)
    if value is None:
        return default
    if value.strip().lower() in _TRUE:
        return True
    if value.strip().lower() in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}.")


def env_int(name: str, default: int) -> int:
    value = _get(name)
    if value is None:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}.") from None


def env_list(name: str, default: list[str]) -> list[str]:
    value = _get(name)
    if value is None:
        return default
    return [item.strip() for item in value.split(",") if item.strip()]
