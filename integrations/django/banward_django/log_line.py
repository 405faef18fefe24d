"""The failure message the bundled `django-auth` filter reads (packages/banward/config/filter.d/django-auth.conf).

    banward: login failed ip=203.0.113.5 user="bob" path="/admin/login/"

`ip=` comes first; the quoted values escape '"' and '\\' with '\\', and every control character, so nothing
a client types can forge an address or start a second line. Same quoting as @banward/web's log line, plus
C1 controls and lone surrogates: a user name from a JSON body can hold one, and a UTF-8 log file cannot,
so the line would be dropped and the failure never counted.
"""

import logging
import re

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


def failure_message(ip: str, username: str, path: str) -> str:
    return f'banward: login failed ip={ip} user="{quote(username)}" path="{quote(path)}"'


def log_failure(ip: str, username: str, path: str) -> None:
    logger.warning("%s", failure_message(ip, username, path))
