from django.core import checks
from django.test import override_settings

from banward_django import notices
from banward_django.checks import MIDDLEWARE_PATH
from banward_django.conf import get_settings
from django.core.exceptions import ImproperlyConfigured

from .base import BanwardTestCase
from .settings import MIDDLEWARE


def ids() -> list:
    return [m.id for m in checks.run_checks(tags=[checks.Tags.security]) if m.id.startswith("banward.")]


class SystemChecks(BanwardTestCase):
    def test_the_test_settings_pass(self):
        self.assertEqual(ids(), [])

    @override_settings(BANWARD_TRUSTED_PROXIES=["10.0.0.0/99", "loopback"], BANWARD_ADMIN_ALLOWLIST="10.0.0.1",
                       BANWARD_TIMEOUT=0)
    def test_bad_settings_are_errors_each_named(self):
        messages = checks.run_checks(tags=[checks.Tags.security])
        errors = [m.msg for m in messages if m.id == "banward.E001"]
        self.assertEqual(len(errors), 3, errors)
        self.assertTrue(any("BANWARD_TRUSTED_PROXIES: '10.0.0.0/99'" in e for e in errors))
        self.assertTrue(any("BANWARD_ADMIN_ALLOWLIST must be a list" in e for e in errors))
        with self.assertRaises(ImproperlyConfigured):
            get_settings()

    @override_settings(SECURE_PROXY_SSL_HEADER=("HTTP_X_FORWARDED_PROTO", "https"))
    def test_proxy_settings_without_a_trusted_proxy_warn(self):
        self.assertEqual(ids(), ["banward.W001"])

    @override_settings(USE_X_FORWARDED_HOST=True, BANWARD_TRUSTED_PROXIES=["loopback"])
    def test_proxy_settings_with_a_trusted_proxy_pass(self):
        self.assertEqual(ids(), [])

    def test_forwarded_for_from_an_untrusted_peer_is_logged_once_then_reported_by_the_check(self):
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.client.get("/whoami/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
            self.client.get("/whoami/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.6")
        self.assertEqual(sum("banward.W002" in line for line in logs.output), 1)
        self.assertEqual(ids(), ["banward.W002"])

    @override_settings(BANWARD_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_no_w002_once_a_proxy_is_trusted(self):
        self.client.get("/whoami/", REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.5")
        self.assertFalse(notices.seen("banward.W002"))

    @override_settings(MIDDLEWARE=[m for m in MIDDLEWARE if m != MIDDLEWARE_PATH])
    def test_missing_middleware_warns(self):
        self.assertEqual(ids(), ["banward.W003"])

    @override_settings(MIDDLEWARE=[m for m in MIDDLEWARE if m != MIDDLEWARE_PATH], BANWARD_LOCKOUT=False)
    def test_missing_middleware_is_fine_when_nothing_needs_it(self):
        self.assertEqual(ids(), [])

    @override_settings(BANWARD_ADMIN_ALLOWLIST=["127.0.0.1"],
                       INSTALLED_APPS=["django.contrib.auth", "django.contrib.contenttypes", "banward_django"])
    def test_allowlist_without_admin_or_prefix_warns(self):
        self.assertEqual(ids(), ["banward.W004"])
