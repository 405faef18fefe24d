"""docs/django.md against the code: every setting and every warning code, both ways."""

import re
from pathlib import Path

from django.test import SimpleTestCase

from banward_django.conf import DEFAULTS

PACKAGE = Path(__file__).resolve().parent.parent / "banward_django"
DOC = Path(__file__).resolve().parents[3] / "docs" / "django.md"


class DocsMatchTheCode(SimpleTestCase):
    def setUp(self):
        self.doc = DOC.read_text(encoding="utf-8")  # the tests run from the checkout, as docs/django.md does

    def test_the_settings_table_lists_every_setting_in_order(self):
        documented = re.findall(r"^\| `(BANWARD_\w+)` \|", self.doc, re.M)
        self.assertEqual(documented, list(DEFAULTS))

    def test_every_code_is_documented_and_every_documented_code_exists(self):
        source = "\n".join(p.read_text(encoding="utf-8") for p in PACKAGE.rglob("*.py"))
        code_pattern = r"banward\.[EW]\d{3}"
        self.assertEqual(sorted(set(re.findall(code_pattern, self.doc))), sorted(set(re.findall(code_pattern, source))))
