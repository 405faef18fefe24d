import json

from django.core.management.base import CommandError

from ...client_ip import normalize_ip
from ...lockout import ban_cache
from ..daemon_command import DaemonCommand


class Command(DaemonCommand):
    help = "Lifts bans in every jail of the banward daemon (like `banward unban IP...`); prints how many."
    needs_admin_socket = True

    def add_arguments(self, parser) -> None:
        parser.add_argument("ips", nargs="*", metavar="IP")
        parser.add_argument("--all", action="store_true", help="lift every ban")
        super().add_arguments(parser)

    def handle(self, *args, **options) -> None:
        ips = options["ips"]
        if options["all"] == bool(ips):
            raise CommandError("give one or more IP addresses, or --all")
        bad = [ip for ip in ips if normalize_ip(ip) is None]
        if bad:
            raise CommandError(f"not an IP address: {', '.join(bad)}")
        result = self.ask(options, "unban", ips, {"all": True} if options["all"] else None)
        for ip in ips:
            ban_cache.forget(normalize_ip(ip))
        if options["all"]:
            ban_cache.clear()
        unbanned = result.get("unbanned", 0) if isinstance(result, dict) else 0
        self.stdout.write(json.dumps(result) if options["json"] else str(unbanned))
