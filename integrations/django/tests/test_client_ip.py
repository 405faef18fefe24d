from django.test import SimpleTestCase, override_settings

from banward_django.client_ip import TrustedProxies, normalize_ip, parse_hop, resolve_client_ip

from .base import BanwardTestCase

# (peer, X-Forwarded-For, trusted proxies, client) — the same table as @banward/web's client-ip tests.
CHAINS = [
    ("127.0.0.1", "198.51.100.1", [], "127.0.0.1"),  # spoofed header, nothing trusted
    ("127.0.0.1", "198.51.100.1", ["10.0.0.0/8"], "127.0.0.1"),  # spoofed header from an untrusted peer
    ("10.0.0.2", "198.51.100.1, 203.0.113.7", ["loopback", "10.0.0.0/8"], "203.0.113.7"),  # forged left hop
    ("127.0.0.1", "198.51.100.1, 203.0.113.7, 10.0.0.2", ["loopback", "10.0.0.0/8"], "203.0.113.7"),
    ("127.0.0.1", None, ["loopback"], "127.0.0.1"),
    ("::ffff:10.0.0.2", "2001:db8::7", ["10.0.0.0/8"], "2001:db8::7"),
    ("::ffff:203.0.113.9", None, [], "203.0.113.9"),
    ("127.0.0.1", "garbage, 203.0.113.7", ["loopback"], "203.0.113.7"),
    ("127.0.0.1", ",,,", ["loopback"], "127.0.0.1"),
    ("fd00::1", "203.0.113.7", ["uniquelocal"], "203.0.113.7"),
    ("169.254.0.3", "203.0.113.7", ["linklocal"], "203.0.113.7"),
    ("10.1.2.3", "203.0.113.7", ["10.1.2.3"], "203.0.113.7"),
    ("127.0.0.1", "::ffff:203.0.113.8", ["loopback"], "203.0.113.8"),
    ("127.0.0.1", "2001:DB8:0:0::9", ["loopback"], "2001:db8::9"),
    (None, "203.0.113.7", ["loopback"], None),
    ("", "203.0.113.7", ["unix"], "203.0.113.7"),  # upstream on a Unix socket: no peer address
    ("", "198.51.100.1, 203.0.113.7", ["unix"], "203.0.113.7"),
    ("", None, ["unix"], None),
    # Whatever a client writes never raises and never becomes the address past an untrusted hop.
    ("127.0.0.1", "\uff11\uff12\uff17.0.0.1, 203.0.113.7", ["loopback"], "203.0.113.7"),  # full-width digits
    ("127.0.0.1", "203.0.113.7,, ", ["loopback"], "203.0.113.7"),  # empty entries are no hop
]

# The rightmost entry a trusted proxy wrote, in the forms proxies and load balancers use, and what it is
# (None: an unknown client, never the proxy) — the same table as @banward/web's client-ip tests.
HOPS = [
    ("203.0.113.7:8080", "203.0.113.7"),
    ("203.0.113.7:0", "203.0.113.7"),
    ("[2001:db8::7]:443", "2001:db8::7"),
    ("[2001:DB8::7]", "2001:db8::7"),
    ("[::ffff:203.0.113.8]:80", "203.0.113.8"),
    ("2001:db8::7:80", "2001:db8::7:80"),
    ("010.000.000.001", None),  # leading zeros: inet_aton reads 010 as 8, others as 10
    ("203.0.113.007", None),
    ("203.0.113.7:65536", None),
    ("203.0.113.7:80:80", None),
    ("[203.0.113.7]:80", None),
    ("[2001:db8::7]:", None),
    ("2001:db8::7]:80", None),
    ("203.0.113.7:\uff18\uff10", None),  # full-width port digits
    ("unknown", None),
    ("_hidden", None),
    ("garbage", None),
    ("\uff11\uff12\uff17.0.0.1", None),
    ("203.0.113.7%eth0", None),
    ("203.0.113.7\n198.51.100.1", None),
    ("9" * 10000, None),
    ("\x00", None),
    ("[" + ":" * 16000, None),
    ("[" + ":" * 16000 + "]:1", None),
]


class ResolveClientIpTable(SimpleTestCase):
    def test_chains(self):
        for peer, xff, trusted, expected in CHAINS:
            with self.subTest(peer=peer, xff=xff, trusted=trusted):
                proxies = TrustedProxies(trusted)
                self.assertEqual(resolve_client_ip(peer, xff, proxies, proxies.trusts_unix_peer), expected)

    def test_issue_11_defect_9_a_trusted_proxys_unparsable_hop_is_an_unknown_client_not_the_proxy(self):
        """issue 11 defect 9: ip:port and [v6]:port are the address; what cannot be parsed is no client, not the proxy."""
        proxies = TrustedProxies(["loopback", "10.0.0.0/8"])
        for hop, expected in HOPS:
            with self.subTest(hop=hop):
                self.assertEqual(parse_hop(hop), expected)
                self.assertEqual(resolve_client_ip("127.0.0.1", hop, proxies), expected)
                self.assertEqual(resolve_client_ip("127.0.0.1", f"198.51.100.1, {hop}, 10.0.0.2", proxies), expected,
                                 "the same behind a second trusted proxy")
                self.assertEqual(resolve_client_ip("", f"{hop}, 127.0.0.1", TrustedProxies(["unix", "loopback"]), True),
                                 expected, "and behind a Unix-socket upstream")

    def test_issue_11_defect_9_a_trusted_second_proxy_that_writes_its_port_is_walked_past(self):
        """issue 11 defect 9: a trusted hop written with its port is still trusted."""
        proxies = TrustedProxies(["loopback", "uniquelocal"])
        self.assertEqual(resolve_client_ip("127.0.0.1", "203.0.113.7, 10.0.0.2:5555", proxies), "203.0.113.7")
        self.assertEqual(resolve_client_ip("127.0.0.1", "203.0.113.7, [fd00::2]:1", proxies), "203.0.113.7")

    def test_normalize_ip(self):
        cases = {
            "203.0.113.5": "203.0.113.5", " 203.0.113.5 ": "203.0.113.5", "::ffff:203.0.113.5": "203.0.113.5",
            "::ffff:cb00:7105": "203.0.113.5", "2001:DB8::1": "2001:db8::1", "fe80::1%eth0": "fe80::1",
            "203.0.113.5:8080": None, "203.0.113.5%eth0": None, "not an ip": None, "": None, None: None, "999.1.1.1": None,
        }
        for raw, expected in cases.items():
            with self.subTest(raw=raw):
                self.assertEqual(normalize_ip(raw), expected)

    def test_bad_trusted_entry_names_the_setting(self):
        with self.assertRaisesRegex(ValueError, r"BANWARD_TRUSTED_PROXIES: '10\.0\.0\.0/99'"):
            TrustedProxies(["10.0.0.0/99"])


class ClientIpOverHttp(BanwardTestCase):
    def whoami(self, **meta) -> str:
        return self.client.get("/whoami/", **meta).content.decode()

    def test_spoofed_header_from_untrusted_peer_is_ignored(self):
        self.assertEqual(self.whoami(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1"), "127.0.0.1")

    @override_settings(BANWARD_TRUSTED_PROXIES=["loopback"])
    def test_trusted_proxy_speaks_for_the_client(self):
        self.assertEqual(self.whoami(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.7"),
                         "203.0.113.7")

    @override_settings(BANWARD_TRUSTED_PROXIES=["loopback"])
    def test_issue_11_defect_9_a_trusted_proxys_unparsable_hop_over_http_is_no_client_not_the_proxy(self):
        """issue 11 defect 9: over HTTP, [v6]:port is the address and a leading-zero hop is no client, not the proxy."""
        self.assertEqual(self.whoami(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="[2001:db8::7]:443"), "2001:db8::7")
        self.assertEqual(self.whoami(REMOTE_ADDR="127.0.0.1", HTTP_X_FORWARDED_FOR="203.0.113.7, 010.0.0.1"), "None")

    @override_settings(BANWARD_TRUSTED_PROXIES=["10.0.0.0/8"])
    def test_trusting_another_proxy_does_not_trust_this_peer(self):
        self.assertEqual(self.whoami(REMOTE_ADDR="203.0.113.50", HTTP_X_FORWARDED_FOR="10.0.0.1"), "203.0.113.50")
