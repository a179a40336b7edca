"""Settings of the members site, a minimal Django 3.2 project for Larder's privacy tests.

From the environment:
- SECRET_KEY (required).
- DJANGO_SESSION_BACKEND: "signed_cookies" (default; the session lives in the `sessionid`
  cookie) or "db" (the cookie is an opaque id; rows in the SQLite database).
- DJANGO_DB: the SQLite file (users, and sessions with the db backend); the harness runs
  `manage.py migrate` into a temp dir before starting gunicorn.
- DJANGO_LOGIN_COOKIE: the name of the logged-in marker cookie the site sets at login and
  deletes at logout (members/middleware.py); default "logged_in" with a server-side session
  backend, none with signed_cookies.
- APP_REQUEST_LOG: the request log shared by the workers (../request_log.py).
Messages use Django's default storage (FallbackStorage: the `messages` cookie, then the session).
"""
import os
import sys
import tempfile
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BASE_DIR.parent.parent))  # tests/e2e/apps, for request_log

SECRET_KEY = os.environ["SECRET_KEY"]
DEBUG = False
ALLOWED_HOSTS = ["*"]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
]

MIDDLEWARE = [
    "members.middleware.RequestLog",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "members.middleware.LoginMarker",
]

SESSION_BACKEND = os.environ.get("DJANGO_SESSION_BACKEND", "signed_cookies")
SESSION_ENGINE = "django.contrib.sessions.backends." + SESSION_BACKEND
LOGIN_MARKER_COOKIE = os.environ.get(
    "DJANGO_LOGIN_COOKIE", "" if SESSION_BACKEND == "signed_cookies" else "logged_in") or None

DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": os.environ.get("DJANGO_DB") or os.path.join(tempfile.gettempdir(),
                                                            "larder-members-site.sqlite3"),
        "OPTIONS": {"timeout": 20},
        "CONN_MAX_AGE": None,  # one connection per worker, kept open
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
# A test site: hashing "pw" with 260000 rounds of PBKDF2 per login would only burn CPU.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

ROOT_URLCONF = "members.urls"
WSGI_APPLICATION = "members.wsgi.application"
TEMPLATES = [{
    "BACKEND": "django.template.backends.django.DjangoTemplates",
    "DIRS": [BASE_DIR / "templates"],
    "OPTIONS": {"context_processors": [
        "django.template.context_processors.request",
        "django.contrib.auth.context_processors.auth",
        "django.contrib.messages.context_processors.messages",
    ]},
}]
STATIC_DIR = BASE_DIR / "static"
# Errors (500s) with their traceback on stderr: the gunicorn log the tests print.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"stderr": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"handlers": ["stderr"], "level": "ERROR"}},
}
USE_TZ = True
TIME_ZONE = "UTC"
