"""Small parsers for environment variables.

Each one refuses a bad value with ImproperlyConfigured naming the variable, so
a typo in production stops the process at start-up instead of running with a
silently different configuration.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}
_HOSTNAME = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$")


def env_str(name, default=""):
    return os.environ.get(name, default).strip()


def env_bool(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false, yes/no, on/off), got {raw!r}")


def env_int(name, default, *, minimum=None, maximum=None):
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer, got {raw!r}") from None
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        if maximum is None:
            bounds = f"at least {minimum}"
        elif minimum is None:
            bounds = f"at most {maximum}"
        else:
            bounds = f"between {minimum} and {maximum}"
        raise ImproperlyConfigured(f"{name} must be {bounds}, got {value}")
    return value


def env_hostname(name, default):
    value = env_str(name, default).lower()
    if not _HOSTNAME.match(value):
        raise ImproperlyConfigured(
            f"{name} must be a host name such as 'localhost' or 'privacy.example.org', got {value!r}"
        )
    return value


def env_list(name, default):
    raw = os.environ.get(name)
    if raw is None:
        return list(default)
    items = [item.strip() for item in raw.split(",") if item.strip()]
    if not items:
        raise ImproperlyConfigured(f"{name} must be a comma-separated list with at least one entry")
    return items
