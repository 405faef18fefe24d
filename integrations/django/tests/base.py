"""A test case with a fake daemon behind BANWARD_SOCKET and django-banward's process state reset."""

from django.contrib.auth.models import User
from django.test import TestCase, override_settings

from banward_django import notices
from banward_django.lockout import ban_cache

from .fake_daemon import FakeDaemon


class BanwardTestCase(TestCase):
    daemon_options: dict = {}

    def setUp(self) -> None:
        super().setUp()
        self.daemon = FakeDaemon(**self.daemon_options)
        self.addCleanup(self.daemon.close)
        socket_override = override_settings(BANWARD_SOCKET=self.daemon.path)
        socket_override.enable()
        self.addCleanup(socket_override.disable)
        ban_cache.clear()
        notices.reset()
        self.addCleanup(ban_cache.clear)
        self.addCleanup(notices.reset)

    def failed_admin_login(self, username: str = "bob", **extra):
        """POSTs wrong credentials to the admin login, as a browser does; Django answers 200 with the form."""
        return self.client.post("/admin/login/", {"username": username, "password": "wrong"}, **extra)


class LoginReportsTestCase(BanwardTestCase):
    """With the superuser bob (password "right-password") and the reports the fake daemon received."""

    def setUp(self) -> None:
        super().setUp()
        User.objects.create_superuser("bob", "bob@example.com", "right-password")

    def reports(self) -> list:
        return [r for r in self.daemon.requests if r["command"] == "report"]
