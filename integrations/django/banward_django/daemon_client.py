"""One connection to the banward daemon's control socket (docs/protocol.md: NDJSON over a Unix socket)."""

import itertools
import json
import socket
import time
from typing import Any, Dict, Optional, Sequence

# The daemon's 64 KiB limit is for requests; an answer (`get JAIL banip` of a busy jail) may be longer.
MAX_ANSWER = 16 * 1024 * 1024
_ids = itertools.count(1)


class DaemonError(Exception):
    """The daemon could not be asked (no socket, refused, no answer in time) or refused the request."""

    def __init__(self, message: str, code: str = "BANWARD_ERR_DAEMON_UNREACHABLE"):
        super().__init__(message)
        self.code = code

    @property
    def unreachable(self) -> bool:
        return self.code == "BANWARD_ERR_DAEMON_UNREACHABLE"


class DaemonConnection:
    """Requests on one connection, answered in order; `timeout` bounds the whole exchange, not each read."""

    def __init__(self, path: str, timeout: float):
        self.path = path
        self._deadline = time.monotonic() + timeout
        self._buffer = bytearray()
        self._sock: Optional[socket.socket] = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            self._sock.settimeout(timeout)
            self._sock.connect(path)
        except OSError as e:
            self.close()
            raise DaemonError(f"{path}: {_reason(e)}") from e

    def __enter__(self) -> "DaemonConnection":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
            self._sock = None

    def call(self, command: str, args: Sequence[str] = (), options: Optional[Dict[str, Any]] = None) -> Any:
        """The request's `result`; DaemonError when it could not be asked or was refused."""
        if self._sock is None:
            raise DaemonError(f"{self.path}: connection closed")
        request_id = next(_ids)
        request: Dict[str, Any] = {"id": request_id, "command": command, "args": list(args)}
        if options:
            request["options"] = options
        try:
            self._sock.settimeout(self._remaining())
            self._sock.sendall(json.dumps(request).encode("utf-8") + b"\n")
            response = self._read_response()
        except (OSError, ValueError) as e:
            self.close()
            raise DaemonError(f"{self.path}: {_reason(e)}") from e
        if not isinstance(response, dict) or response.get("id") not in (request_id, None):
            self.close()
            raise DaemonError(f"{self.path}: unexpected answer {str(response)[:200]}")
        if response.get("ok") is True:
            return response.get("result")
        error = response.get("error") or {}
        raise DaemonError(str(error.get("message", "refused")), str(error.get("code", "BANWARD_ERR_COMMAND")))

    def _read_response(self) -> Any:
        searched = 0
        while (end := self._buffer.find(b"\n", searched)) < 0:
            if len(self._buffer) > MAX_ANSWER:
                raise ValueError("answer line too long")
            searched = len(self._buffer)
            self._sock.settimeout(self._remaining())
            chunk = self._sock.recv(65536)
            if not chunk:
                raise ConnectionError("the daemon closed the connection")
            self._buffer += chunk
        line = bytes(self._buffer[:end])
        del self._buffer[:end + 1]
        return json.loads(line.decode("utf-8"))

    def _remaining(self) -> float:
        remaining = self._deadline - time.monotonic()
        if remaining <= 0:
            raise socket.timeout("no answer in time")
        return remaining


def _reason(error: BaseException) -> str:
    if isinstance(error, socket.timeout):
        return "no answer in time (is the daemon stuck?)"
    if isinstance(error, FileNotFoundError):
        return "no such socket (is banward server running?)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused (is banward server running?)"
    if isinstance(error, PermissionError):
        return ("permission denied (the socket is root-only unless banward server gives it a group: "
                "--app-socket-group for the app socket, --socket-group for the admin socket)")
    return str(error) or type(error).__name__


def call_once(path: str, timeout: float, command: str, args: Sequence[str] = (),
              options: Optional[Dict[str, Any]] = None) -> Any:
    with DaemonConnection(path, timeout) as connection:
        return connection.call(command, args, options)
