"""Operational warnings, each with a stable code (docs/django.md lists them), logged once or on a change.

The daemon being unreachable is logged when it becomes so and again when it answers; a per-request
warning would flood the log exactly when the daemon is down.
"""

import logging
import threading
from typing import Set

log = logging.getLogger("banward_django.notices")

_lock = threading.Lock()
_seen: Set[str] = set()
_daemon_down = False


def warn_once(code: str, message: str) -> bool:
    """Logs `message` under `code` the first time the code is raised in this process; True if it was logged."""
    with _lock:
        if code in _seen:
            return False
        _seen.add(code)
    log.warning("%s: %s", code, message)
    return True


def seen(code: str) -> bool:
    with _lock:
        return code in _seen


def daemon_failed(doing: str, error: Exception) -> None:
    global _daemon_down
    if not getattr(error, "unreachable", True):
        # The daemon answered: a refusal is a configuration problem (e.g. no such jail), not an outage.
        warn_once("banward.W008", f"{doing}: the daemon refused: {getattr(error, 'code', '')}: {error}")
        return
    with _lock:
        was_down, _daemon_down = _daemon_down, True
    if not was_down:
        log.warning("banward.W005: %s failed, letting requests through (fail-open): %s", doing, error)


def daemon_answered() -> None:
    global _daemon_down
    with _lock:
        was_down, _daemon_down = _daemon_down, False
    if was_down:
        log.warning("banward.W005: the banward daemon answers again")


def reset() -> None:
    """Forgets what was logged; for tests."""
    global _daemon_down
    with _lock:
        _seen.clear()
        _daemon_down = False
