from datetime import datetime, timezone

from django.contrib.auth import authenticate
from django.test import override_settings

from .base import BanwardTestCase, LoginReportsTestCase


class ReportsFailedLogins(LoginReportsTestCase):
    def test_failed_admin_login_answers_200_and_is_reported_with_user_and_time(self):
        with self.assertLogs("banward_django", "WARNING"):
            response = self.failed_admin_login("bob", REMOTE_ADDR="203.0.113.5")
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "Please enter the correct username and password")
        [report] = self.reports()
        self.assertEqual(report["args"], ["django-auth", "203.0.113.5"])
        self.assertEqual(report["options"]["user"], "bob")
        self.assertIsInstance(report["options"]["time"], float)

    def test_successful_login_is_not_reported(self):
        response = self.client.post("/admin/login/?next=/admin/", {"username": "bob", "password": "right-password"},
                                    REMOTE_ADDR="203.0.113.5")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.reports(), [])

    @override_settings(BANWARD_JAIL="web-auth")
    def test_reports_go_to_the_configured_jail(self):
        self.daemon.jail = "web-auth"
        with self.assertLogs("banward_django", "WARNING"):
            self.failed_admin_login(REMOTE_ADDR="203.0.113.5")
        self.assertEqual(self.reports()[0]["args"], ["web-auth", "203.0.113.5"])

    def test_spoofed_forwarded_for_is_not_reported(self):
        with self.assertLogs("banward_django", "WARNING"):
            self.failed_admin_login(REMOTE_ADDR="203.0.113.5", HTTP_X_FORWARDED_FOR="198.51.100.9")
        self.assertEqual(self.reports()[0]["args"][1], "203.0.113.5")

    @override_settings(BANWARD_TRUSTED_PROXIES=["127.0.0.1"])
    def test_client_behind_trusted_proxy_is_reported(self):
        with self.assertLogs("banward_django", "WARNING"):
            self.failed_admin_login(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.9, 203.0.113.5")
        self.assertEqual(self.reports()[0]["args"][1], "203.0.113.5")

    def test_authenticate_without_request_reports_nothing_and_warns_once(self):
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.assertIsNone(authenticate(username="bob", password="wrong"))
            authenticate(username="bob", password="wrong")
        self.assertEqual(self.reports(), [])
        self.assertEqual(sum("banward.W006" in line for line in logs.output), 1)

    @override_settings(BANWARD_SOCKET=None)
    def test_no_socket_still_logs_the_line(self):
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.failed_admin_login(REMOTE_ADDR="203.0.113.5")
        self.assertEqual(self.daemon.requests, [])
        self.assertIn('banward: login failed ip=203.0.113.5 user="bob" path="/admin/login/"', logs.output[0])

    @override_settings(TIME_ZONE="America/Chicago")
    def test_issue_11_defect_6_the_line_carries_the_reported_time_in_utc(self):
        """issue 11 defect 6: under Django's default TIME_ZONE the line still says when, in UTC, as the report does"""
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.failed_admin_login(REMOTE_ADDR="203.0.113.5")
        when = datetime.fromtimestamp(self.reports()[0]["options"]["time"], timezone.utc)
        stamp, rest = logs.records[0].getMessage().split(" ", 1)
        self.assertEqual(stamp, when.isoformat(timespec="microseconds"))
        self.assertTrue(stamp.endswith("+00:00"), stamp)
        self.assertTrue(rest.startswith("banward: login failed ip=203.0.113.5 "), rest)

    def test_a_user_name_cannot_forge_a_line_or_an_address(self):
        forged = 'x" ip=198.51.100.1 user="y\n2005-08-14 10:00:01,123 WARNING banward: login failed ip=198.51.100.1'
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.failed_admin_login(forged, REMOTE_ADDR="203.0.113.5")
        [record] = logs.records
        message = record.getMessage()
        self.assertNotIn("\n", message)
        self.assertIn(' banward: login failed ip=203.0.113.5 user="x\\" ip=198.51.100.1', message)
        self.assertEqual(self.reports()[0]["args"][1], "203.0.113.5")
        self.assertEqual(self.reports()[0]["options"]["user"], forged)

    @override_settings(BANWARD_LOG_FAILURES=False)
    def test_log_line_can_be_turned_off(self):
        with self.assertNoLogs("banward_django", "WARNING") if hasattr(self, "assertNoLogs") else _no_logs(self):
            self.failed_admin_login(REMOTE_ADDR="203.0.113.5")
        self.assertEqual(len(self.reports()), 1)

    @override_settings(BANWARD_REPORT=False)
    def test_reports_can_be_turned_off_keeping_the_log_line_and_the_lockout(self):
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.failed_admin_login(REMOTE_ADDR="203.0.113.5")
        self.assertEqual(self.reports(), [])
        self.assertIn("banward: login failed ip=203.0.113.5", logs.output[0])
        self.assertIn("banned", self.daemon.commands())


class FailOpenReporting(BanwardTestCase):
    def test_unreachable_daemon_never_breaks_the_login_and_warns_once(self):
        self.daemon.close()
        with self.assertLogs("banward_django", "WARNING") as logs:
            for _ in range(3):
                self.assertEqual(self.failed_admin_login(REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertEqual(sum("banward.W005" in line for line in logs.output), 1, logs.output)
        self.assertIn("no such socket", "\n".join(logs.output))

    @override_settings(BANWARD_JAIL="no-such-jail")
    def test_refused_report_is_logged_with_the_daemons_reason_and_the_login_goes_on(self):
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.assertEqual(self.failed_admin_login(REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertIn("no jail named 'no-such-jail'", "\n".join(logs.output))


class StuckDaemonReporting(BanwardTestCase):
    daemon_options = {"silent": True}

    def test_daemon_that_never_answers_costs_one_timeout_and_the_login_goes_on(self):
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.assertEqual(self.failed_admin_login(REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertIn("no answer in time", "\n".join(logs.output))
        self.assertIn("report", self.daemon.commands())


class _no_logs:
    """assertNoLogs for Python < 3.10."""

    def __init__(self, case):
        self.case = case

    def __enter__(self):
        import logging
        self.records = []
        self.handler = logging.Handler()
        self.handler.emit = self.records.append
        logging.getLogger("banward_django").addHandler(self.handler)

    def __exit__(self, *exc):
        import logging
        logging.getLogger("banward_django").removeHandler(self.handler)
        self.case.assertEqual([r for r in self.records if r.levelno >= logging.WARNING], [])
