"""The failure message the bundled `django-auth` filter reads (packages/banward/config/filter.d/django-auth.conf).

    2026-11-22T10:00:01.523263+00:00 banward: login failed ip=203.0.113.5 user="bob" path="/admin/login/"

The message starts with the failure's time in UTC, with its offset: Django sets the process's zone to
TIME_ZONE (America/Chicago unless told), so a formatter's %(asctime)s is local time without an offset,
hours off a UTC host. With the format "%(message)s" the line's only date is this one. `ip=` comes first; the quoted values escape '"' and '\\' with '\\', and every control character, so nothing
a client types can forge an address or start a second line. Same quoting as @banward/web's log line, plus
C1 controls and lone surrogates: a user name from a JSON body can hold one, and a UTF-8 log file cannot,
so the line would be dropped and the failure never counted.
"""

import logging
import re
from datetime import datetime, timezone

LOGGER_NAME = "banward_django"
logger = logging.getLogger(LOGGER_NAME)

_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_NEEDS_ESCAPE = re.compile('[\\\\"\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]')


def quote(value: str) -> str:
    def escape(match: "re.Match[str]") -> str:
        c = match.group(0)
        if c in ('\\', '"'):
            return "\\" + c
        return _NAMED.get(c, "\\u%04x" % ord(c))
    return _NEEDS_ESCAPE.sub(escape, value)


def utc_time(when: float) -> str:
    return datetime.fromtimestamp(when, timezone.utc).isoformat(timespec="microseconds")


def failure_message(ip: str, username: str, path: str, when: float) -> str:
    return f'{utc_time(when)} banward: login failed ip={ip} user="{quote(username)}" path="{quote(path)}"'


def log_failure(ip: str, username: str, path: str, when: float) -> None:
    logger.warning("%s", failure_message(ip, username, path, when))
