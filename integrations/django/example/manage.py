#!/usr/bin/env python3
"""The django-banward example site: runs from the checkout with only Django installed."""

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
# banward_django lives one level up; no pip install needed to try it.
sys.path.insert(0, os.path.dirname(HERE))

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "example_site.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
