"""django-banward's settings, read from django.conf.settings, checked once per distinct value and frozen."""

import functools
from dataclasses import dataclass
from typing import List, Optional, Tuple

from django.conf import settings as django_settings
from django.core.exceptions import ImproperlyConfigured

from .client_ip import IPNetwork, TrustedProxies, parse_networks

DEFAULT_SOCKET = "/run/banward/app.sock"  # the app socket: reports and reads, no unban or stop
DEFAULT_JAIL = "django-auth"

# name → default; the order is the order of the docs' settings table.
DEFAULTS = {
    "BANWARD_SOCKET": DEFAULT_SOCKET,
    "BANWARD_JAIL": DEFAULT_JAIL,
    "BANWARD_TIMEOUT": 0.5,
    "BANWARD_TRUSTED_PROXIES": (),
    "BANWARD_REPORT": True,
    "BANWARD_LOG_FAILURES": True,
    "BANWARD_LOCKOUT": True,
    "BANWARD_LOCKOUT_CACHE_SECONDS": 2.0,
    "BANWARD_ADMIN_ALLOWLIST": None,
    "BANWARD_ADMIN_PREFIX": None,
}


@dataclass(frozen=True)
class BanwardSettings:
    socket_path: Optional[str]
    jail: str
    timeout: float
    trusted_proxies: TrustedProxies
    report: bool
    log_failures: bool
    lockout: bool
    lockout_cache_seconds: float
    admin_allowlist: Optional[Tuple[IPNetwork, ...]]
    admin_prefix: Optional[str]


def _raw() -> tuple:
    return tuple(_freeze(getattr(django_settings, name, default)) for name, default in DEFAULTS.items())


def _freeze(value):
    """A hashable stand-in for a setting's value, so the parsed settings can be cached by value."""
    if isinstance(value, (list, set, frozenset)):
        value = tuple(value)
    try:
        hash(value)
    except TypeError:
        return repr(value)  # then refused as "must be a list"
    return value


def problems() -> List[str]:
    """Every problem with the current settings, one message each; empty when they are usable."""
    return list(_build(_raw())[1])


def get_settings() -> BanwardSettings:
    """The current settings; ImproperlyConfigured listing every problem when they are not usable."""
    built, errors = _build(_raw())
    if errors:
        raise ImproperlyConfigured("django-banward: " + "; ".join(errors))
    return built


# Settings change only in tests (override_settings), so one entry per distinct value is all it holds.
@functools.lru_cache(maxsize=8)
def _build(raw: tuple) -> Tuple[Optional[BanwardSettings], Tuple[str, ...]]:
    values = dict(zip(DEFAULTS, raw))
    errors: List[str] = []

    socket_path = values["BANWARD_SOCKET"]
    if socket_path is not None and (not isinstance(socket_path, str) or not socket_path):
        errors.append("BANWARD_SOCKET must be a path or None (None: no reports, no lockout)")
    jail = values["BANWARD_JAIL"]
    if not isinstance(jail, str) or not jail.strip():
        errors.append("BANWARD_JAIL must be a jail name")
    timeout = _positive(values, "BANWARD_TIMEOUT", errors)
    cache_seconds = _positive(values, "BANWARD_LOCKOUT_CACHE_SECONDS", errors, allow_zero=True)
    for name in ("BANWARD_REPORT", "BANWARD_LOG_FAILURES", "BANWARD_LOCKOUT"):
        if not isinstance(values[name], bool):
            errors.append(f"{name} must be True or False")

    trusted = TrustedProxies()
    entries = values["BANWARD_TRUSTED_PROXIES"]
    if isinstance(entries, str) or not isinstance(entries, (tuple, list)):
        errors.append("BANWARD_TRUSTED_PROXIES must be a list of CIDR ranges, addresses or names")
    else:
        try:
            trusted = TrustedProxies(entries)
        except ValueError as e:
            errors.append(str(e))

    allowlist = values["BANWARD_ADMIN_ALLOWLIST"]
    networks: Optional[Tuple[IPNetwork, ...]] = None
    if allowlist is not None:
        if isinstance(allowlist, str) or not isinstance(allowlist, (tuple, list)):
            errors.append("BANWARD_ADMIN_ALLOWLIST must be a list of CIDR ranges or addresses, or None")
        else:
            try:
                networks = tuple(parse_networks(allowlist, "BANWARD_ADMIN_ALLOWLIST"))
            except ValueError as e:
                errors.append(str(e))

    prefix = values["BANWARD_ADMIN_PREFIX"]
    if prefix is not None and (not isinstance(prefix, str) or not prefix.startswith("/")):
        errors.append("BANWARD_ADMIN_PREFIX must be a URL path starting with '/', or None (derived from the admin)")

    if errors:
        return None, tuple(errors)
    return BanwardSettings(
        socket_path=socket_path, jail=jail.strip(), timeout=timeout, trusted_proxies=trusted,
        report=values["BANWARD_REPORT"], log_failures=values["BANWARD_LOG_FAILURES"], lockout=values["BANWARD_LOCKOUT"],
        lockout_cache_seconds=cache_seconds, admin_allowlist=networks, admin_prefix=prefix,
    ), ()


def _positive(values: dict, name: str, errors: List[str], allow_zero: bool = False) -> float:
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0 or (value == 0 and not allow_zero):
        errors.append(f"{name} must be a number of seconds{' (0 or more)' if allow_zero else ' above 0'}")
        return 0.0
    return float(value)
