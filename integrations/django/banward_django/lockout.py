"""Is this client banned in the jail, and for how long? Asked of the daemon, remembered for a few seconds.

The cache keeps a busy site from asking the daemon on every request, and keeps a dead daemon from
costing every request a timeout: an unanswered question is remembered as "not banned" (fail-open), and
for the cache time no other address is asked about either — a stuck daemon would otherwise cost each
new client BANWARD_TIMEOUT.
"""

import math
import threading
import time
from typing import Dict, Optional, Tuple

from . import notices
from .client_ip import normalize_ip
from .conf import BanwardSettings
from .daemon_client import DaemonConnection, DaemonError

# Retry-After for a ban without an end: ask again tomorrow.
PERMANENT_RETRY_AFTER = 24 * 3600
# Retry-After when the daemon said "banned" but not until when (the second question failed).
UNKNOWN_END_RETRY_AFTER = 60
MAX_ENTRIES = 10_000

NOT_BANNED = 0.0
Key = Tuple[str, str, str]


class BanCache:
    """(socket, jail, ip) → when the ban ends (epoch seconds, inf for permanent, 0 for none), for a while;
    and which daemons are not to be asked for a while."""

    def __init__(self, max_entries: int = MAX_ENTRIES):
        self._max = max_entries
        self._entries: Dict[Key, Tuple[float, float]] = {}
        # socket → until when (monotonic) that daemon is not asked, because it just did not answer.
        self._resting: Dict[str, float] = {}
        self._lock = threading.Lock()

    def get(self, key: Key) -> Optional[float]:
        with self._lock:
            entry = self._entries.get(key)
        if entry is None or entry[0] <= time.monotonic():
            return None
        return entry[1]

    def put(self, key: Key, banned_until: float, fresh_seconds: float) -> None:
        now = time.monotonic()
        with self._lock:
            if len(self._entries) >= self._max:
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self._max:
                    self._entries.clear()
            self._entries[key] = (now + fresh_seconds, banned_until)

    def forget(self, ip: str) -> None:
        with self._lock:
            for key in [k for k in self._entries if k[2] == ip]:
                del self._entries[key]

    def rest(self, socket_path: str, seconds: float) -> None:
        with self._lock:
            self._resting[socket_path] = time.monotonic() + seconds

    def resting(self, socket_path: str) -> bool:
        with self._lock:
            return self._resting.get(socket_path, 0.0) > time.monotonic()

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self._resting.clear()


ban_cache = BanCache()


def retry_after(conf: BanwardSettings, ip: str) -> int:
    """Seconds until `ip` may come back (for Retry-After), or 0 when it is not banned or nobody can tell."""
    if conf.socket_path is None:
        return 0
    key = (conf.socket_path, conf.jail, ip)
    until = ban_cache.get(key)
    if until is None:
        if ban_cache.resting(conf.socket_path):
            return 0
        until = _ask_daemon(conf, ip)
        ban_cache.put(key, until, conf.lockout_cache_seconds)
    return seconds_left(until, time.time())


def seconds_left(banned_until: float, now: float) -> int:
    if banned_until == math.inf:
        return PERMANENT_RETRY_AFTER
    if banned_until <= now:
        return 0
    return max(1, math.ceil(banned_until - now))


def note_ban(conf: BanwardSettings, ip: str, ban: object) -> None:
    """Takes in the `ban` of a report's result, so the next request is refused without asking again."""
    if conf.socket_path is not None and isinstance(ban, dict):
        ban_cache.put((conf.socket_path, conf.jail, ip), ban_end(ban), conf.lockout_cache_seconds)


def ban_end(ban: dict) -> float:
    expires = ban.get("expires")
    if expires is None:
        return math.inf
    return float(expires) if isinstance(expires, (int, float)) and not isinstance(expires, bool) else NOT_BANNED


def _ask_daemon(conf: BanwardSettings, ip: str) -> float:
    banned = False
    try:
        with DaemonConnection(conf.socket_path, conf.timeout) as daemon:
            entries = daemon.call("banned", [ip])
            banned = any(isinstance(e, dict) and conf.jail in _list(e.get("jails")) for e in _list(entries))
            # Only a banned client costs the second question: the jail's bans with their end times.
            bans = daemon.call("get", [conf.jail, "banip"], {"withTime": True}) if banned else []
    except DaemonError as e:
        notices.daemon_failed(f"asking whether {ip} is banned in {conf.jail}", e)
        if e.unreachable and not banned:
            ban_cache.rest(conf.socket_path, conf.lockout_cache_seconds)
        return time.time() + UNKNOWN_END_RETRY_AFTER if banned else NOT_BANNED
    notices.daemon_answered()
    for ban in _list(bans):
        if isinstance(ban, dict) and normalize_ip(str(ban.get("ip"))) == ip:
            return ban_end(ban)
    return NOT_BANNED


def _list(value: object) -> list:
    """A list from the daemon's answer, or [] for anything else: an odd answer never raises here."""
    return value if isinstance(value, list) else []
