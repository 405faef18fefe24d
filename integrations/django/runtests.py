#!/usr/bin/env python3
"""Runs django-banward's tests with Django's test runner: /usr/bin/python3 integrations/django/runtests.py [LABEL...]"""

import os
import sys

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
    runner = get_runner(settings)(verbosity=2)
    failures = runner.run_tests(sys.argv[1:] or ["tests"])
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
