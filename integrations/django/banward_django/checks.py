"""System checks (`manage.py check`, and at the start of runserver, migrate and tests)."""

from django.conf import settings
from django.core.checks import Error, Tags, Warning, register

from . import notices
from .conf import get_settings, problems

MIDDLEWARE_PATH = "banward_django.middleware.BanwardMiddleware"


@register(Tags.security)
def check_settings(app_configs=None, **kwargs):
    errors = problems()
    if errors:
        return [Error(message, hint="See docs/django.md, Settings.", id="banward.E001") for message in errors]
    conf = get_settings()
    found = []
    if conf.trusted_proxies.empty and _proxy_likely():
        found.append(Warning(
            "Django is set up for a reverse proxy (SECURE_PROXY_SSL_HEADER or USE_X_FORWARDED_HOST/PORT) "
            "but BANWARD_TRUSTED_PROXIES is empty: X-Forwarded-For is ignored, every client looks like "
            "the proxy, and one ban would lock everybody out.",
            hint="List the proxy's address, e.g. BANWARD_TRUSTED_PROXIES = ['loopback'] for nginx on this host.",
            id="banward.W001",
        ))
    if notices.seen("banward.W002"):
        found.append(Warning(
            "Requests with X-Forwarded-For arrived from a peer that is not a trusted proxy while "
            "BANWARD_TRUSTED_PROXIES is empty; the header was ignored.",
            hint="Behind a reverse proxy, list its address in BANWARD_TRUSTED_PROXIES.",
            id="banward.W002",
        ))
    needs_middleware = conf.lockout or conf.admin_allowlist is not None
    if needs_middleware and MIDDLEWARE_PATH not in getattr(settings, "MIDDLEWARE", []):
        found.append(Warning(
            f"{MIDDLEWARE_PATH} is not in MIDDLEWARE: banned clients are not refused (429) and "
            "BANWARD_ADMIN_ALLOWLIST is not applied.",
            hint="Add it near the top of MIDDLEWARE, or set BANWARD_LOCKOUT = False if the firewall is enough.",
            id="banward.W003",
        ))
    admin_installed = "django.contrib.admin" in settings.INSTALLED_APPS
    if conf.admin_allowlist is not None and conf.admin_prefix is None and not admin_installed:
        found.append(Warning(
            "BANWARD_ADMIN_ALLOWLIST is set but django.contrib.admin is not installed and "
            "BANWARD_ADMIN_PREFIX is not set, so there is no URL to guard.",
            hint="Set BANWARD_ADMIN_PREFIX to the URL prefix of your admin.",
            id="banward.W004",
        ))
    return found


def _proxy_likely() -> bool:
    return bool(getattr(settings, "SECURE_PROXY_SSL_HEADER", None)
                or getattr(settings, "USE_X_FORWARDED_HOST", False)
                or getattr(settings, "USE_X_FORWARDED_PORT", False))
