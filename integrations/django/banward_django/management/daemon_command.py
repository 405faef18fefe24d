"""What banward_status and banward_unban share: --socket/--timeout options, the socket choice, one error path."""

import os
from typing import Any, Dict, Optional, Sequence

from django.core.management.base import BaseCommand, CommandError

from ..conf import get_settings
from ..daemon_client import DaemonError, call_once

# A person is waiting, not a request: as long as the banward CLI waits.
COMMAND_TIMEOUT = 10.0
# `banward server` puts its app socket (BANWARD_SOCKET) beside its admin socket, in one directory.
ADMIN_SOCKET_NAME = "banward.sock"


def admin_socket_beside(path: str) -> str:
    return os.path.join(os.path.dirname(path), ADMIN_SOCKET_NAME)


class DaemonCommand(BaseCommand):
    # BANWARD_SOCKET is the app socket, which refuses every command that changes bans; those need the admin
    # socket, which only root and members of the daemon's --socket-group can use.
    needs_admin_socket = False

    def add_arguments(self, parser) -> None:
        if self.needs_admin_socket:
            socket_help = f"the daemon's admin socket (default: {ADMIN_SOCKET_NAME} beside BANWARD_SOCKET)"
        else:
            socket_help = "the daemon's socket (default: BANWARD_SOCKET, the app socket)"
        parser.add_argument("--socket", help=socket_help)
        parser.add_argument("--timeout", type=float, default=COMMAND_TIMEOUT, help="seconds to wait for the daemon")
        parser.add_argument("--json", action="store_true", help="print the daemon's result as JSON")

    def socket_path(self, options: Dict[str, Any]) -> str:
        if options["socket"]:
            return options["socket"]
        app_socket = get_settings().socket_path
        if not app_socket:
            raise CommandError("BANWARD_SOCKET is None; pass --socket PATH")
        return admin_socket_beside(app_socket) if self.needs_admin_socket else app_socket

    def ask(self, options: Dict[str, Any], command: str, args: Sequence[str] = (),
            request_options: Optional[Dict[str, Any]] = None) -> Any:
        path = self.socket_path(options)
        try:
            return call_once(path, options["timeout"], command, args, request_options)
        except DaemonError as e:
            if e.code == "BANWARD_ERR_NOT_PERMITTED":
                raise CommandError(
                    f"{e.code}: {path} is the daemon's app socket, which refuses '{command}'; use the admin socket "
                    f"(--socket {admin_socket_beside(path)}) as root or as a member of banward server's --socket-group"
                ) from e
            raise CommandError(f"{e.code}: {e}") from e
