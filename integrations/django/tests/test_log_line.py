from django.test import SimpleTestCase, override_settings

from banward_django.log_line import LOGGER_NAME, failure_message, quote

WHEN = 1124006401.523263  # 2005-08-14 08:00:01.523263 UTC


class FailureLine(SimpleTestCase):
    def test_format_read_by_the_bundled_django_auth_filter(self):
        self.assertEqual(failure_message("203.0.113.5", "bob", "/admin/login/", WHEN),
                         '2005-08-14T08:00:01.523263+00:00 banward: login failed ip=203.0.113.5 user="bob" path="/admin/login/"')
        self.assertEqual(LOGGER_NAME, "banward_django")

    @override_settings(TIME_ZONE="America/Chicago")
    def test_issue_11_defect_6_the_time_is_utc_with_its_offset_whatever_time_zone_says(self):
        """issue 11 defect 6: the line carries its time in UTC with the offset, not Django's TIME_ZONE's local time"""
        self.assertTrue(failure_message("203.0.113.5", "bob", "/", WHEN).startswith("2005-08-14T08:00:01.523263+00:00 "))
        self.assertTrue(failure_message("203.0.113.5", "bob", "/", 1124006401.0).startswith("2005-08-14T08:00:01.000000+00:00 "))

    def test_quotes_and_backslashes_cannot_end_the_value_early(self):
        self.assertEqual(quote('x" ip=198.51.100.1 user="y'), 'x\\" ip=198.51.100.1 user=\\"y')
        self.assertEqual(quote("a\\"), "a\\\\")

    def test_control_characters_cannot_start_a_second_line(self):
        self.assertEqual(quote("x\nWARNING banward: login failed ip=198.51.100.1\r\t\x00\x7f\u2028"),
                         "x\\nWARNING banward: login failed ip=198.51.100.1\\r\\t\\u0000\\u007f\\u2028")

    def test_c1_controls_and_lone_surrogates_are_escaped_so_a_utf8_log_can_hold_the_line(self):
        self.assertEqual(quote("a\x85b\x9fc\ud800"), "a\\u0085b\\u009fc\\ud800")
        failure_message("203.0.113.5", "\udfff", "/", WHEN).encode("utf-8")

    def test_other_text_is_kept(self):
        self.assertEqual(quote("jürgen 'o brien"), "jürgen 'o brien")
