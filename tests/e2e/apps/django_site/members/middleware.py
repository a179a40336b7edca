"""The members site's two small middlewares.

RequestLog writes every request (method, path, Cookie, Authorization) to the shared request log.
LoginMarker sets the logged-in marker cookie (settings.LOGIN_MARKER_COOKIE, "logged_in=1") when
a visitor logs in and deletes it when they log out, with the session's own lifetime: the usual
way to let a proxy in front of a server-side session backend tell logged-in visitors apart.
"""
from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out
from django.db.backends.signals import connection_created
from django.dispatch import receiver

import request_log


@receiver(connection_created)
def _sqlite_wal(sender, connection, **kwargs):
    # Several gunicorn workers write sessions and users: let readers and the writer overlap,
    # and do not wait for the disk on every commit (a test database).
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")


class RequestLog:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path != "/_stats":
            request_log.record(request.method, request.path, request.META.get("HTTP_COOKIE"),
                               request.META.get("HTTP_AUTHORIZATION"))
        return self.get_response(request)


@receiver(user_logged_in)
def _logged_in(sender, request, user, **kwargs):
    request.login_marker = "set"


@receiver(user_logged_out)
def _logged_out(sender, request, user, **kwargs):
    request.login_marker = "delete"


class LoginMarker:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        name = settings.LOGIN_MARKER_COOKIE
        marker = getattr(request, "login_marker", None)
        if name and marker == "set":
            session = request.session
            max_age = None if session.get_expire_at_browser_close() else session.get_expiry_age()
            response.set_cookie(name, "1", max_age=max_age, httponly=True, samesite="Lax")
        elif name and marker == "delete":
            response.delete_cookie(name, samesite="Lax")
        return response
