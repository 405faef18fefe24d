"""runtests.py's promise: django-banward using what this Django deprecates fails the suite."""

import warnings

from django.test import SimpleTestCase
from django.utils.deprecation import RemovedInNextVersionWarning


class DeprecationsAreErrors(SimpleTestCase):
    def test_a_django_deprecation_warning_raises_inside_a_test(self):
        with self.assertRaises(RemovedInNextVersionWarning):
            warnings.warn("deprecated", RemovedInNextVersionWarning)
