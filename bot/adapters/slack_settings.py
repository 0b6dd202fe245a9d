"""What `vmbot slack` reads from the environment: the SLACK_* variables and
VMBOT_SLACK_LEASE, checked."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from bot import messages as msg
from bot.adapters.slack_sessions import EVENT_LEASE
from bot.errors import SlackConfigError

__all__ = ["SlackConfigError", "SlackSettings", "settings_from_env"]


@dataclass(frozen=True, kw_only=True)
class SlackSettings:
    """What `vmbot slack` reads from the environment."""

    bot_token: str
    app_token: str | None = None  # Socket Mode
    signing_secret: str | None = None  # HTTP mode
    api_url: str | None = None
    # How long a process's claims last unrenewed: a process that dies holds its deliveries
    # and conversations that long. Shorter hands them over sooner, at more store traffic.
    lease: float = EVENT_LEASE


LEASE_RANGE = (1.0, 600.0)
_FORMATS = {
    "SLACK_BOT_TOKEN": re.compile(r"xoxb-[A-Za-z0-9-]+"),
    "SLACK_APP_TOKEN": re.compile(r"xapp-[A-Za-z0-9-]+"),
    "SLACK_SIGNING_SECRET": re.compile(r"[A-Za-z0-9]+"),
}


def settings_from_env(environ: Mapping[str, str], *, http: bool) -> SlackSettings:
    """The settings, or SlackConfigError naming the first variable missing or malformed.

    >>> settings_from_env({"SLACK_BOT_TOKEN": "xoxb-1"}, http=True)
    Traceback (most recent call last):
    ...
    bot.errors.SlackConfigError: La variable ... SLACK_SIGNING_SECRET ...
    """
    needed = ["SLACK_BOT_TOKEN", "SLACK_SIGNING_SECRET" if http else "SLACK_APP_TOKEN"]
    values: dict[str, str] = {}
    for name in needed:
        value = environ.get(name, "").strip()
        if not value:
            raise SlackConfigError(_env_message(msg.SLACK_ENV_MISSING, name))
        if not _FORMATS[name].fullmatch(value):
            raise SlackConfigError(_env_message(msg.SLACK_ENV_MALFORMED, name))
        values[name] = value
    api_url = environ.get("SLACK_API_URL", "").strip() or None
    if api_url is not None and not _valid_url(api_url):
        raise SlackConfigError(_env_message(msg.SLACK_ENV_MALFORMED, "SLACK_API_URL"))
    return SlackSettings(
        bot_token=values["SLACK_BOT_TOKEN"],
        app_token=values.get("SLACK_APP_TOKEN"),
        signing_secret=values.get("SLACK_SIGNING_SECRET"),
        api_url=api_url,
        lease=_lease(environ.get("VMBOT_SLACK_LEASE", "").strip()),
    )


def _lease(value: str) -> float:
    if not value:
        return EVENT_LEASE
    try:
        lease = float(value.replace(",", "."))
    except ValueError:
        lease = math.nan
    low, high = LEASE_RANGE
    if not low <= lease <= high:  # false for NaN too
        raise SlackConfigError(_env_message(msg.SLACK_ENV_MALFORMED, "VMBOT_SLACK_LEASE"))
    return lease


def _valid_url(url: str) -> bool:
    # urlsplit raises on "http://[::1" and .port on "http://h:abc/": both are malformed.
    try:
        parts = urlsplit(url)
        _ = parts.port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


def _env_message(template: str, name: str) -> str:
    return template.format(name=name, what=msg.SLACK_ENV_WHAT[name])
