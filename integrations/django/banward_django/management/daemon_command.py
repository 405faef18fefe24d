"""What banward_status and banward_unban share: --socket/--timeout options and one error path."""

from typing import Any, Dict, Optional, Sequence

from django.core.management.base import BaseCommand, CommandError

from ..conf import get_settings
from ..daemon_client import DaemonError, call_once

# A person is waiting, not a request: as long as the banward CLI waits.
COMMAND_TIMEOUT = 10.0


class DaemonCommand(BaseCommand):
    def add_arguments(self, parser) -> None:
        parser.add_argument("--socket", help="the daemon's socket (default: BANWARD_SOCKET)")
        parser.add_argument("--timeout", type=float, default=COMMAND_TIMEOUT, help="seconds to wait for the daemon")
        parser.add_argument("--json", action="store_true", help="print the daemon's result as JSON")

    def ask(self, options: Dict[str, Any], command: str, args: Sequence[str] = (),
            request_options: Optional[Dict[str, Any]] = None) -> Any:
        path = options["socket"] or get_settings().socket_path
        if not path:
            raise CommandError("BANWARD_SOCKET is None; pass --socket PATH")
        try:
            return call_once(path, options["timeout"], command, args, request_options)
        except DaemonError as e:
            raise CommandError(f"{e.code}: {e}") from e
