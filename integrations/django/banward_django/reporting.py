"""Django's `user_login_failed` → a `report` to the daemon and/or a log line for the `django-auth` filter.

The signal covers every login that goes through django.contrib.auth.authenticate(), the admin's included
(which answers a failed login with HTTP 200, invisible to access-log filters). Nothing here may break the
login request: every failure is logged and swallowed (fail-open).
"""

import time
from typing import Any, Dict, Optional

from django.contrib.auth import get_user_model

from . import lockout, notices
from .conf import BanwardSettings, get_settings
from .daemon_client import DaemonError, call_once
from .log_line import log_failure
from .request_ip import client_ip

# A user name is client text; the daemon takes lines up to 64 KiB, the log should not either.
MAX_USERNAME = 256


def on_user_login_failed(sender, credentials: Optional[Dict[str, Any]] = None, request=None, **kwargs) -> None:
    try:
        report_failure(request, credentials or {})
    except Exception:  # the login must go on whatever happens here
        notices.log.exception("banward.W007: reporting a failed login raised; the login request was not affected")


def report_failure(request, credentials: Dict[str, Any]) -> None:
    if request is None:
        notices.warn_once(
            "banward.W006",
            "user_login_failed came without a request (authenticate() was called without request=), "
            "so the client address is unknown and the failure was not reported",
        )
        return
    conf = get_settings()
    ip = client_ip(request, conf)
    if ip is None:
        notices.warn_once("banward.W006", "a failed login's request has no client address (REMOTE_ADDR); not reported")
        return
    username = username_of(credentials)
    when = time.time()
    if conf.log_failures:
        log_failure(ip, username, request.path, when)
    if conf.report and conf.socket_path is not None:
        send_report(conf, ip, username, when)


def username_of(credentials: Dict[str, Any]) -> str:
    field = getattr(get_user_model(), "USERNAME_FIELD", "username")
    value = credentials.get(field, credentials.get("username", ""))
    return str(value if value is not None else "")[:MAX_USERNAME]


def send_report(conf: BanwardSettings, ip: str, username: str, when: float) -> None:
    options: Dict[str, Any] = {"time": when}
    if username:
        options["user"] = username
    try:
        result = call_once(conf.socket_path, conf.timeout, "report", [conf.jail, ip], options)
    except DaemonError as e:
        notices.daemon_failed(f"reporting a failed login from {ip} to jail {conf.jail}", e)
        return
    notices.daemon_answered()
    if isinstance(result, dict) and result.get("ban"):
        lockout.note_ban(conf, ip, result["ban"])
