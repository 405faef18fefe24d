"""django-banward: Django login failures into banward's jails (or fail2ban), lockout and admin allowlist.

Setup and settings: docs/django.md.
"""

__version__ = "0.1.0"
