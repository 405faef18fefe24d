"""Under ASGI, as Django 4.x and 5.x sites often run: the sync middleware and signal receiver are adapted by
Django's ASGI handler (the test's AsyncClient runs the same path), and Django 5's aauthenticate() sends
user_login_failed with Signal.asend, which runs our sync receiver in a thread."""

from urllib.parse import urlencode

from asgiref.sync import sync_to_async
from django.contrib import auth
from django.test import RequestFactory

from .base import LoginReportsTestCase

# The AsyncClient's peer: its scope's `client`, which AsyncClient cannot set per request on every version.
ASGI_PEER = "127.0.0.1"


class UnderAsgi(LoginReportsTestCase):
    async def test_failed_admin_logins_over_asgi_are_reported_from_the_peer_and_the_ban_answers_429(self):
        with self.assertLogs("banward_django", "WARNING"):
            for _ in range(5):  # the fake daemon's maxretry
                # urlencoded, as a browser sends the form (3.2's AsyncClient misreads its own multipart bodies)
                response = await self.async_client.post(
                    "/admin/login/", urlencode({"username": "bob", "password": "wrong"}),
                    content_type="application/x-www-form-urlencoded", **{"X-Forwarded-For": "198.51.100.9"})
                self.assertEqual(response.status_code, 200)
        self.assertEqual([r["args"] for r in self.reports()], [["django-auth", ASGI_PEER]] * 5)
        self.assertEqual({r["options"]["user"] for r in self.reports()}, {"bob"})
        response = await self.async_client.get("/whoami/")
        self.assertEqual(response.status_code, 429)
        self.assertTrue(0 < int(response["Retry-After"]) <= 600, response["Retry-After"])

    async def test_an_authenticate_awaited_from_async_code_is_reported(self):
        # Django 5.0 added aauthenticate(); before, async code awaits sync_to_async(authenticate).
        authenticate = getattr(auth, "aauthenticate", None) or sync_to_async(auth.authenticate)
        request = RequestFactory().post("/api/login/", REMOTE_ADDR="203.0.113.5")
        with self.assertLogs("banward_django", "WARNING") as logs:
            self.assertIsNone(await authenticate(request, username="bob", password="wrong"))
        [report] = self.reports()
        self.assertEqual(report["args"], ["django-auth", "203.0.113.5"])
        self.assertEqual(report["options"]["user"], "bob")
        self.assertIn('ip=203.0.113.5 user="bob" path="/api/login/"', logs.output[0])
