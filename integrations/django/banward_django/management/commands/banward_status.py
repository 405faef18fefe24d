import json

from ..daemon_command import DaemonCommand


class Command(DaemonCommand):
    help = "Shows the banward daemon's jails, or one jail's failures and bans (like `banward status [JAIL]`)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("jail", nargs="?", help="a jail name, e.g. django-auth")
        super().add_arguments(parser)

    def handle(self, *args, **options) -> None:
        jail = options["jail"]
        result = self.ask(options, "status", [jail] if jail else [])
        if options["json"]:
            self.stdout.write(json.dumps(result))
        elif jail:
            self.stdout.write(format_jail_status(result), ending="")
        else:
            jails = result.get("jails", [])
            self.stdout.write(f"Status\n|- Number of jail:\t{len(jails)}\n", ending="")
            self.stdout.write(f"`- Jail list:\t{', '.join(jails)}\n", ending="")


def format_jail_status(s: dict) -> str:
    """fail2ban-client's layout, as `banward status JAIL` prints it."""
    f, a = s.get("filter", {}), s.get("actions", {})
    if f.get("files") is not None:
        source = "File list:\t" + " ".join(f["files"])
    elif f.get("journalMatch") is not None:
        source = "Journal matches:\t" + " ".join(f["journalMatch"])
    else:
        source = "Source:\tapplication reports only (no logpath)"
    return "\n".join([
        f"Status for the jail: {s.get('jail')}",
        "|- Filter",
        f"|  |- Currently failed:\t{f.get('currentlyFailed', 0)}",
        f"|  |- Total failed:\t{f.get('totalFailed', 0)}",
        f"|  `- {source}",
        "`- Actions",
        f"   |- Currently banned:\t{a.get('currentlyBanned', 0)}",
        f"   |- Total banned:\t{a.get('totalBanned', 0)}",
        f"   `- Banned IP list:\t{' '.join(a.get('bannedIps', []))}",
        "",
    ])
