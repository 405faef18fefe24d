"""BanwardMiddleware: the admin allowlist (403) and the lockout (429 with Retry-After), before any view runs."""

from typing import Callable, Optional

from django.http import HttpRequest, HttpResponse
from django.urls import NoReverseMatch, reverse

from . import lockout, notices
from .client_ip import in_networks
from .conf import BanwardSettings, get_settings
from .request_ip import client_ip


class BanwardMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response
        get_settings()  # bad settings stop the server at start, not on the first request

    def __call__(self, request: HttpRequest) -> HttpResponse:
        conf = get_settings()
        ip = client_ip(request, conf)
        if conf.admin_allowlist is not None and not allowed_on_admin(conf, request, ip):
            return forbidden()
        if conf.lockout and ip is not None:
            seconds = retry_after(conf, ip)
            if seconds > 0:
                return too_many_requests(seconds)
        return self.get_response(request)


def retry_after(conf: BanwardSettings, ip: str) -> int:
    """The lockout's answer; 0 (let through) if asking raised, as for a daemon that does not answer."""
    try:
        return lockout.retry_after(conf, ip)
    except Exception:
        notices.log.exception("banward.W009: the lockout check raised; the request was let through")
        return 0


def admin_prefix(conf: BanwardSettings) -> Optional[str]:
    """BANWARD_ADMIN_PREFIX, else the admin's own index URL; None when there is no admin to guard."""
    if conf.admin_prefix is not None:
        return conf.admin_prefix
    try:
        return reverse("admin:index")
    except NoReverseMatch:
        return None


def allowed_on_admin(conf: BanwardSettings, request: HttpRequest, ip: Optional[str]) -> bool:
    prefix = admin_prefix(conf)
    if prefix is None or not request.path.startswith(prefix):
        return True
    return ip is not None and in_networks(ip, conf.admin_allowlist or ())


def forbidden() -> HttpResponse:
    return HttpResponse("Forbidden.\n", status=403, content_type="text/plain; charset=utf-8")


def too_many_requests(seconds: int) -> HttpResponse:
    response = HttpResponse("Too many failed login attempts; try again later.\n", status=429,
                            content_type="text/plain; charset=utf-8")
    response["Retry-After"] = str(seconds)
    return response
