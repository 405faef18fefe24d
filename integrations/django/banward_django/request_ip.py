"""The client address of a Django request, resolved once and kept on the request as `request.banward_ip`."""

from typing import Optional

from django.http import HttpRequest

from . import notices
from .client_ip import resolve_client_ip
from .conf import BanwardSettings

ATTRIBUTE = "banward_ip"


def client_ip(request: HttpRequest, conf: BanwardSettings) -> Optional[str]:
    if hasattr(request, ATTRIBUTE):
        return getattr(request, ATTRIBUTE)
    remote_addr = request.META.get("REMOTE_ADDR")
    forwarded_for = request.META.get("HTTP_X_FORWARDED_FOR")
    trusted = conf.trusted_proxies
    ip = resolve_client_ip(remote_addr, forwarded_for, trusted, trusted.trusts_unix_peer)
    if forwarded_for and trusted.empty:
        notices.warn_once(
            "banward.W002",
            f"X-Forwarded-For ({forwarded_for[:100]!r}) arrived from {remote_addr!r}, and "
            "BANWARD_TRUSTED_PROXIES is empty, so it was ignored and the peer counts as the client. "
            "Behind a reverse proxy, list its address in BANWARD_TRUSTED_PROXIES, or every client "
            "looks like the proxy (and one ban locks everybody out).",
        )
    setattr(request, ATTRIBUTE, ip)
    return ip
