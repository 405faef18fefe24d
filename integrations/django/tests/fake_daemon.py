"""A stand-in for `banward server`: its two Unix sockets, served by threads speaking the NDJSON protocol
(docs/protocol.md) — the app socket `app.sock` (what BANWARD_SOCKET points at), which refuses what a web
app must not do, and the admin socket `banward.sock` beside it, which serves every command.

It keeps one jail's failures and bans like a report-only jail (maxretry reports → ban for bantime), and
records every request with the socket it came on (`"socket"`: "app" or "admin"), so a test can see what
django-banward asked, and where.
"""

import json
import os
import shutil
import socket
import tempfile
import threading
import time
from typing import Dict, List, Optional, Set

# What the daemon's app socket serves (packages/banward/src/daemon/control-handlers.ts).
APP_COMMANDS = {"ping", "version", "status", "get", "banned", "report"}


class FakeDaemon:
    def __init__(self, jail: str = "django-auth", maxretry: int = 5, bantime: float = 600, silent: bool = False):
        self.jail = jail
        self.maxretry = maxretry
        self.bantime = bantime
        self.silent = silent  # accept connections, never answer: a stuck daemon
        self.refuse: Set[str] = set()  # commands answered with an error
        self.requests: List[dict] = []
        self.failures: Dict[str, int] = {}
        self.bans: Dict[str, Optional[float]] = {}  # ip → expires (None: permanent)
        self._dir = tempfile.mkdtemp(prefix="banward-fake-")
        self.path = os.path.join(self._dir, "app.sock")
        self.admin_path = os.path.join(self._dir, "banward.sock")
        self._lock = threading.Lock()
        self._open: List[socket.socket] = []
        self._servers: List[socket.socket] = []
        self._threads: List[threading.Thread] = []
        for name, path in (("app", self.path), ("admin", self.admin_path)):
            server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            server.bind(path)
            server.listen(16)
            self._servers.append(server)
            self._threads.append(threading.Thread(target=self._accept, args=(server, name), daemon=True))
        for thread in self._threads:
            thread.start()

    def close(self) -> None:
        for server in self._servers:
            try:
                server.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            server.close()
        for conn in list(self._open):
            conn.close()
        for thread in self._threads:
            thread.join(timeout=5)
        shutil.rmtree(self._dir, ignore_errors=True)

    def commands(self) -> List[str]:
        with self._lock:
            return [r["command"] for r in self.requests]

    def ban(self, ip: str, expires: Optional[float]) -> None:
        with self._lock:
            self.bans[ip] = expires

    def _accept(self, server: socket.socket, name: str) -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            self._open.append(conn)
            threading.Thread(target=self._serve, args=(conn, name), daemon=True).start()

    def _serve(self, conn: socket.socket, name: str) -> None:
        buffer = b""
        with conn:
            while True:
                try:
                    chunk = conn.recv(65536)
                except OSError:
                    return
                if not chunk:
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    request = json.loads(line)
                    with self._lock:
                        self.requests.append({**request, "socket": name})
                        response = None if self.silent else self._answer(request, name)
                    if response is not None:
                        conn.sendall(json.dumps(response).encode() + b"\n")

    def _answer(self, request: dict, socket_name: str) -> dict:
        command, args, options = request["command"], request.get("args", []), request.get("options", {})
        if socket_name == "app" and command not in APP_COMMANDS:
            return {"id": request["id"], "ok": False, "error": {
                "code": "BANWARD_ERR_NOT_PERMITTED",
                "message": f"'{command}' is not allowed on the app socket; use the admin socket"}}
        try:
            if command in self.refuse:
                raise LookupError(f"'{command}' refused for this test")
            result = self._run(command, args, options)
        except LookupError as e:
            return {"id": request["id"], "ok": False, "error": {"code": "BANWARD_ERR_COMMAND", "message": str(e)}}
        return {"id": request["id"], "ok": True, "result": result}

    def _run(self, command: str, args: list, options: dict):
        self._expire()
        if command in ("report", "get", "status") and args and args[0] != self.jail:
            raise LookupError(f"no jail named '{args[0]}' (see banward status)")
        if command == "report":
            ip = args[1]
            self.failures[ip] = self.failures.get(ip, 0) + 1
            if self.failures[ip] >= self.maxretry and ip not in self.bans:
                self.bans[ip] = time.time() + self.bantime
                self.failures[ip] = 0
            return {"accepted": True, "ban": self._with_time(ip) if ip in self.bans else None}
        if command == "banned":
            return [{"ip": ip, "jails": [self.jail]} for ip in self.bans if not args or ip in args]
        if command == "get" and args[1:] == ["banip"]:
            if options.get("withTime"):
                return [self._with_time(ip) for ip in self.bans]
            return list(self.bans)
        if command == "unban":
            lifted = list(self.bans) if options.get("all") else [ip for ip in args if ip in self.bans]
            for ip in lifted:
                del self.bans[ip]
            return {"unbanned": len(lifted)}
        if command == "status" and not args:
            return {"jails": [self.jail]}
        if command == "status":
            return {
                "jail": self.jail,
                "filter": {"currentlyFailed": sum(1 for n in self.failures.values() if n), "evicted": 0,
                           "totalFailed": sum(self.failures.values()), "reports": True},
                "actions": {"currentlyBanned": len(self.bans), "totalBanned": len(self.bans),
                            "bannedIps": list(self.bans)},
            }
        raise LookupError(f"unknown command '{command}'")

    def _with_time(self, ip: str) -> dict:
        expires = self.bans[ip]
        return {"ip": ip, "time": time.time(), "bantime": self.bantime, "expires": expires}

    def _expire(self) -> None:
        now = time.time()
        for ip, expires in list(self.bans.items()):
            if expires is not None and expires <= now:
                del self.bans[ip]
