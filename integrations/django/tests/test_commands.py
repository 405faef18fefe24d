import io
import json
import time

from django.core.management import CommandError, call_command
from django.test import override_settings

from banward_django.lockout import ban_cache

from .base import BanwardTestCase


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


class StatusCommand(BanwardTestCase):
    def test_lists_the_jails_asking_on_the_app_socket(self):
        self.assertEqual(run("banward_status"), "Status\n|- Number of jail:\t1\n`- Jail list:\tdjango-auth\n")
        self.assertEqual(self.daemon.requests[-1]["socket"], "app")

    def test_shows_a_jail_like_banward_status(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        text = run("banward_status", "django-auth")
        self.assertIn("Status for the jail: django-auth", text)
        self.assertIn("Source:\tapplication reports only (no logpath)", text)
        self.assertIn("Currently banned:\t1", text)
        self.assertIn("Banned IP list:\t203.0.113.5", text)

    def test_json(self):
        self.assertEqual(json.loads(run("banward_status", "--json")), {"jails": ["django-auth"]})

    def test_unknown_jail_is_a_command_error_with_the_daemons_code(self):
        with self.assertRaisesRegex(CommandError, "BANWARD_ERR_COMMAND: no jail named 'sshd'"):
            run("banward_status", "sshd")

    def test_unreachable_daemon_is_a_command_error_naming_the_socket(self):
        self.daemon.close()
        with self.assertRaisesRegex(CommandError, "BANWARD_ERR_DAEMON_UNREACHABLE: .*app.sock: no such socket"):
            run("banward_status")

    @override_settings(BANWARD_SOCKET=None)
    def test_socket_option_overrides_the_setting(self):
        with self.assertRaisesRegex(CommandError, "--socket"):
            run("banward_status")
        self.assertIn("django-auth", run("banward_status", "--socket", self.daemon.path))


class UnbanCommand(BanwardTestCase):
    def test_lifts_the_ban_on_the_admin_socket_beside_banward_socket_and_prints_how_many(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.assertEqual(run("banward_unban", "203.0.113.5", "203.0.113.6").strip(), "1")
        self.assertEqual(self.daemon.bans, {})
        self.assertEqual(self.daemon.requests[-1]["args"], ["203.0.113.5", "203.0.113.6"])
        self.assertEqual(self.daemon.requests[-1]["socket"], "admin")

    @override_settings(BANWARD_SOCKET="/nonexistent/run/app.sock")
    def test_the_default_socket_is_banward_sock_in_banward_sockets_directory(self):
        with self.assertRaisesRegex(CommandError, "/nonexistent/run/banward.sock: no such socket"):
            run("banward_unban", "203.0.113.5")

    def test_socket_option_overrides_the_default(self):
        self.daemon.ban("203.0.113.5", None)
        with override_settings(BANWARD_SOCKET=None):
            self.assertEqual(run("banward_unban", "203.0.113.5", "--socket", self.daemon.admin_path).strip(), "1")

    def test_the_app_socket_refuses_and_the_error_points_to_the_admin_socket(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        with self.assertRaises(CommandError) as refused:
            run("banward_unban", "203.0.113.5", "--socket", self.daemon.path)
        message = str(refused.exception)
        self.assertTrue(message.startswith("BANWARD_ERR_NOT_PERMITTED: "), message)
        self.assertIn(f"use the admin socket (--socket {self.daemon.admin_path})", message)
        self.assertIn("as root or as a member of banward server's --socket-group", message)
        self.assertIn("203.0.113.5", self.daemon.bans)

    def test_all(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.daemon.ban("203.0.113.6", None)
        self.assertEqual(run("banward_unban", "--all").strip(), "2")
        self.assertEqual(self.daemon.requests[-1]["options"], {"all": True})

    def test_forgets_this_process_cached_ban(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 429)
        run("banward_unban", "203.0.113.5")
        self.assertIsNone(ban_cache.get((self.daemon.path, "django-auth", "203.0.113.5")))
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 200)

    def test_refuses_what_is_not_an_address_without_asking(self):
        with self.assertRaisesRegex(CommandError, "not an IP address: 203.0.113.500"):
            run("banward_unban", "203.0.113.500")
        with self.assertRaisesRegex(CommandError, "--all"):
            run("banward_unban")
        self.assertEqual(self.daemon.requests, [])
