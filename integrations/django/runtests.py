#!/usr/bin/env python3
"""Runs django-banward's tests with Django's test runner: /usr/bin/python3 integrations/django/runtests.py [LABEL...]"""

import os
import sys
import unittest
import warnings

sys.dont_write_bytecode = True  # keep the checkout clean
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def main() -> int:
    try:
        import django
    except ImportError:
        print("Django is not installed for this Python; on Debian: apt-get install python3-django", file=sys.stderr)
        return 2
    from django.conf import settings
    from django.test.utils import get_runner

    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    django.setup()
    deprecations_are_errors()
    runner = get_runner(settings)(verbosity=2)
    runner.test_runner = KeepWarningFilters
    failures = runner.run_tests(sys.argv[1:] or ["tests"])
    return 1 if failures else 0


def deprecations_are_errors() -> None:
    """Django's RemovedIn*Warning as errors: what this Django deprecates fails the suite now, not on the next one."""
    from django.utils import deprecation

    warnings.simplefilter("default")
    for name in dir(deprecation):
        if name.startswith("RemovedIn") and name.endswith("Warning"):
            warnings.simplefilter("error", getattr(deprecation, name))


class KeepWarningFilters(unittest.TextTestRunner):
    """unittest's runner without its reset of the warning filters to "default" (done unless python -W was given)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.warnings = None


if __name__ == "__main__":
    sys.exit(main())
