"""Larder's demo Django app: the Django side of the seed case, in one module.

Pages that every anonymous visitor sees alike (/, /about, /project/<name>) but that greet a
logged-in user by name, a login-only /profile, /login?user=NAME (a demo login: it just puts the
user in the session) and /logout. Sessions are Django's own, in the `sessionid` cookie (the
signed-cookie backend, so no database is needed); reading the session for the greeting makes
Django add `Vary: Cookie`, as real sites do. /counter reports how many requests reached the app
per path, shared between gunicorn workers through a SQLite file (DEMO_COUNTER_DB).

Run: /usr/bin/python3 -m gunicorn -w 2 -b 127.0.0.1:8001 --chdir bench/apps/django_demo demo:application
"""
import json
import os
import sqlite3
import tempfile

from django.conf import settings

settings.configure(
    DEBUG=False,
    SECRET_KEY=os.environ.get("SECRET_KEY", "larder-django-demo-dev-secret-change-me"),
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    INSTALLED_APPS=[],
    MIDDLEWARE=["django.contrib.sessions.middleware.SessionMiddleware"],
    SESSION_ENGINE="django.contrib.sessions.backends.signed_cookies",
    SESSION_COOKIE_NAME="sessionid",
)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse, HttpResponseRedirect, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.utils.html import escape  # noqa: E402

USERS = {"alice", "bob"}


def _counter_db():
    db_path = os.environ.get("DEMO_COUNTER_DB") or os.path.join(
        tempfile.gettempdir(), "larder-django-demo-%d.sqlite" % os.getppid())
    db = sqlite3.connect(db_path, timeout=10, isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS hits (path TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    return db


class CountRequests:
    """Middleware: counts every request except /counter itself."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/counter":
            db = _counter_db()
            try:
                db.execute("INSERT INTO hits(path, n) VALUES(?, 1) "
                           "ON CONFLICT(path) DO UPDATE SET n = n + 1", (request.path,))
            finally:
                db.close()
        return self.get_response(request)


settings.MIDDLEWARE.insert(0, __name__ + ".CountRequests")

PAGE = """<!doctype html>
<html><head><title>%(title)s</title></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/project/larder">Project</a> %(nav)s</nav>
<p class="greeting">Hello, %(who)s</p>
<h1>%(title)s</h1>
%(content)s
</body></html>
"""


def page(request, title, content, status=200):
    user = request.session.get("user")
    nav = ('<a href="/profile">Profile</a> <a href="/logout">Log out</a>' if user
           else '<a href="/login?user=alice">Log in</a>')
    resp = HttpResponse(PAGE % {"title": escape(title), "nav": nav, "content": content,
                                "who": escape(user) if user else "visitor"}, status=status)
    resp["Content-Length"] = str(len(resp.content))
    return resp


def index(request):
    return page(request, "Larder Django demo", "<p>The same for every anonymous visitor.</p>")


def about(request):
    return page(request, "About", "<p>Larder caches this page for anonymous visitors.</p>")


def project(request, name):
    return page(request, "Project %s" % name, "<p>Project <b>%s</b>.</p>" % escape(name))


def profile(request):
    user = request.session.get("user")
    if not user:
        return HttpResponseRedirect("/login?next=/profile")
    return page(request, "Profile", "<p>Private page of <b>%s</b>.</p>" % escape(user))


def login(request):
    user = request.GET.get("user", "")
    if user not in USERS:
        return page(request, "Log in", "<p>Unknown user.</p>", 401)
    request.session["user"] = user
    return HttpResponseRedirect(request.GET.get("next") or "/profile")


def logout(request):
    request.session.flush()
    return HttpResponseRedirect("/")


def counter(request):
    db = _counter_db()
    try:
        rows = dict(db.execute("SELECT path, n FROM hits ORDER BY path").fetchall())
    finally:
        db.close()
    return JsonResponse(rows, json_dumps_params={"sort_keys": True})


urlpatterns = [
    path("", index),
    path("about", about),
    path("project/<str:name>", project),
    path("profile", profile),
    path("login", login),
    path("logout", logout),
    path("counter", counter),
]

application = get_wsgi_application()
