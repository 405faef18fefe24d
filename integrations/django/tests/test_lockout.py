import math
import time

from unittest import mock

from django.test import SimpleTestCase, override_settings

from banward_django.lockout import PERMANENT_RETRY_AFTER, UNKNOWN_END_RETRY_AFTER, seconds_left

from .base import BanwardTestCase


class LockoutMiddleware(BanwardTestCase):
    def test_banned_client_gets_429_with_retry_after_until_the_ban_ends(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        response = self.client.get("/admin/login/", REMOTE_ADDR="203.0.113.5")
        self.assertEqual(response.status_code, 429)
        self.assertTrue(0 < int(response["Retry-After"]) <= 600, response["Retry-After"])
        self.assertEqual(self.daemon.commands(), ["banned", "get"])
        self.assertEqual(self.daemon.requests[1]["options"], {"withTime": True})

    def test_lockout_covers_every_path_not_only_the_login(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 429)

    def test_other_clients_pass_and_are_asked_about_with_banned_only(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.6").status_code, 200)
        self.assertEqual(self.daemon.commands(), ["banned"])
        self.assertEqual(self.daemon.requests[0]["args"], ["203.0.113.6"])

    def test_spoofed_forwarded_for_does_not_evade_the_lockout(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        response = self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
        self.assertEqual(response.status_code, 429)

    def test_answers_are_cached_for_the_cache_time(self):
        for _ in range(3):
            self.client.get("/whoami/", REMOTE_ADDR="203.0.113.6")
        self.assertEqual(self.daemon.commands(), ["banned"])

    @override_settings(BANWARD_LOCKOUT_CACHE_SECONDS=0)
    def test_without_cache_an_unban_shows_on_the_next_request(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 429)
        self.daemon.bans.clear()
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 200)

    def test_permanent_ban_retries_after_a_day(self):
        self.daemon.ban("203.0.113.5", None)
        response = self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5")
        self.assertEqual((response.status_code, response["Retry-After"]), (429, str(PERMANENT_RETRY_AFTER)))

    def test_the_failure_that_bans_locks_the_next_request_without_asking_again(self):
        with self.assertLogs("banward_django", "WARNING"):
            for _ in range(5):
                self.assertEqual(self.failed_admin_login(REMOTE_ADDR="203.0.113.5").status_code, 200)
        asked = len(self.daemon.requests)
        response = self.client.get("/admin/login/", REMOTE_ADDR="203.0.113.5")
        self.assertEqual(response.status_code, 429)
        self.assertTrue(0 < int(response["Retry-After"]) <= 600)
        self.assertEqual(len(self.daemon.requests), asked, "the ban came from the report's answer")

    def test_a_jail_with_answers_longer_than_the_request_limit_still_locks_out(self):
        for i in range(3000):
            self.daemon.ban(f"10.{i // 65536}.{i // 256 % 256}.{i % 256}", time.time() + 600)
        self.daemon.ban("203.0.113.5", time.time() + 300)
        response = self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5")
        self.assertEqual(response.status_code, 429)
        self.assertTrue(200 < int(response["Retry-After"]) <= 300, response["Retry-After"])

    def test_banned_but_the_end_unknown_still_locks_out_for_a_while(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.daemon.refuse.add("get")
        with self.assertLogs("banward_django", "WARNING"):
            response = self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5")
        self.assertEqual((response.status_code, response["Retry-After"]), (429, str(UNKNOWN_END_RETRY_AFTER)))

    def test_a_lockout_check_that_raises_lets_the_request_through(self):
        with mock.patch("banward_django.lockout.retry_after", side_effect=RuntimeError("bug")):
            with self.assertLogs("banward_django", "WARNING") as logs:
                self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertIn("banward.W009", logs.output[0])

    @override_settings(BANWARD_LOCKOUT=False)
    def test_lockout_off_asks_nothing(self):
        self.daemon.ban("203.0.113.5", time.time() + 600)
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertEqual(self.daemon.requests, [])


class LockoutFailsOpen(BanwardTestCase):
    def test_unreachable_daemon_lets_requests_through(self):
        self.daemon.close()
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertIn("banward.W005", logs.output[0])


class StuckDaemonLockout(BanwardTestCase):
    daemon_options = {"silent": True}

    def test_daemon_that_never_answers_lets_requests_through_and_is_asked_once_per_cache_time(self):
        with self.assertLogs("banward_django", "WARNING"):
            for _ in range(3):
                self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertEqual(self.daemon.commands(), ["banned"])

    def test_after_no_answer_other_clients_are_not_asked_about_for_the_cache_time(self):
        with self.assertLogs("banward_django", "WARNING"):
            for i in range(3):
                self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR=f"203.0.113.{i + 5}").status_code, 200)
        self.assertEqual(self.daemon.commands(), ["banned"])

    @override_settings(BANWARD_LOCKOUT_CACHE_SECONDS=0)
    def test_without_cache_every_request_asks_again(self):
        with self.assertLogs("banward_django", "WARNING"):
            for i in range(2):
                self.client.get("/whoami/", REMOTE_ADDR=f"203.0.113.{i + 5}")
        self.assertEqual(self.daemon.commands(), ["banned", "banned"])


class SecondsLeft(SimpleTestCase):
    def test_rounds_up_and_never_says_zero_while_banned(self):
        self.assertEqual(seconds_left(1000.5, 400.0), 601)
        self.assertEqual(seconds_left(1000.0, 999.9), 1)
        self.assertEqual(seconds_left(1000.0, 1000.0), 0)
        self.assertEqual(seconds_left(0.0, 1000.0), 0)
        self.assertEqual(seconds_left(math.inf, 1000.0), PERMANENT_RETRY_AFTER)
