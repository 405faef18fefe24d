"""Settings of the example site. Environment: BANWARD_SOCKET, BANWARD_TRUSTED_PROXIES (comma-separated),
EXAMPLE_DATABASE (SQLite file), EXAMPLE_SECRET_KEY."""

import os
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = os.environ.get("EXAMPLE_SECRET_KEY", "example-only-not-a-secret")
DEBUG = True
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "[::1]"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "banward_django",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Early: a banned or non-allowlisted client is refused before sessions, CSRF or a view run.
    "banward_django.middleware.BanwardMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "example_site.urls"
WSGI_APPLICATION = "example_site.wsgi.application"

TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [],
    "APP_DIRS": True,
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.debug",
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]

DATABASES = {"default": {
    "ENGINE": "django.db.backends.sqlite3",
    "NAME": os.environ.get("EXAMPLE_DATABASE", str(BASE_DIR / "db.sqlite3")),
}}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
USE_TZ = True
STATIC_URL = "/static/"

# --- django-banward ---
BANWARD_SOCKET = os.environ.get("BANWARD_SOCKET", "/run/banward/app.sock")
BANWARD_JAIL = "django-auth"
# No proxy is trusted unless told: runserver is reached directly, and X-Forwarded-For is then client text.
BANWARD_TRUSTED_PROXIES = [p.strip() for p in os.environ.get("BANWARD_TRUSTED_PROXIES", "").split(",") if p.strip()]

# The failure lines go to stderr in the format the bundled django-auth filter reads.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"fail2ban": {"format": "%(message)s"}},  # django-banward's message carries its time in UTC
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "fail2ban"}},
    "loggers": {"banward_django": {"handlers": ["console"], "level": "INFO", "propagate": False}},
}
