from django.test import override_settings

from .base import BanwardTestCase


@override_settings(BANWARD_ADMIN_ALLOWLIST=["203.0.113.0/24", "2001:db8::/32"])
class AdminAllowlist(BanwardTestCase):
    def test_allowlisted_address_reaches_the_admin_login(self):
        self.assertEqual(self.client.get("/admin/login/", REMOTE_ADDR="203.0.113.5").status_code, 200)
        self.assertEqual(self.client.get("/admin/login/", REMOTE_ADDR="2001:db8::5").status_code, 200)

    def test_others_get_403_on_every_admin_url(self):
        for path in ("/admin/", "/admin/login/", "/admin/auth/user/"):
            with self.subTest(path=path):
                self.assertEqual(self.client.get(path, REMOTE_ADDR="198.51.100.7").status_code, 403)

    def test_others_get_403_before_a_login_is_tried(self):
        response = self.failed_admin_login(REMOTE_ADDR="198.51.100.7")
        self.assertEqual(response.status_code, 403)
        self.assertNotIn("report", self.daemon.commands())

    def test_the_rest_of_the_site_is_not_restricted(self):
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="198.51.100.7").status_code, 200)

    def test_a_forged_header_from_an_untrusted_peer_does_not_get_in(self):
        response = self.client.get("/admin/login/", REMOTE_ADDR="198.51.100.7", HTTP_X_FORWARDED_FOR="203.0.113.5")
        self.assertEqual(response.status_code, 403)

    def test_ipv4_mapped_peer_is_matched_as_ipv4(self):
        self.assertEqual(self.client.get("/admin/login/", REMOTE_ADDR="::ffff:203.0.113.5").status_code, 200)

    @override_settings(BANWARD_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_client_behind_a_trusted_proxy_is_judged_by_its_own_address(self):
        ok = self.client.get("/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="203.0.113.5")
        refused = self.client.get("/admin/login/", REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="198.51.100.7")
        self.assertEqual((ok.status_code, refused.status_code), (200, 403))

    @override_settings(BANWARD_ADMIN_PREFIX="/whoami/")
    def test_prefix_can_be_set_by_hand(self):
        self.assertEqual(self.client.get("/whoami/", REMOTE_ADDR="198.51.100.7").status_code, 403)
        self.assertEqual(self.client.get("/admin/login/", REMOTE_ADDR="198.51.100.7").status_code, 200)


class EmptyAllowlist(BanwardTestCase):
    @override_settings(BANWARD_ADMIN_ALLOWLIST=[])
    def test_empty_list_closes_the_admin(self):
        self.assertEqual(self.client.get("/admin/login/", REMOTE_ADDR="127.0.0.1").status_code, 403)

    def test_no_list_leaves_the_admin_open(self):
        self.assertEqual(self.client.get("/admin/login/", REMOTE_ADDR="198.51.100.7").status_code, 200)
