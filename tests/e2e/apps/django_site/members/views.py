"""The members site's pages: the same site as tests/e2e/apps/members_flask, the Django way.

- GET /, /about, /project/<n>: public pages; they show how many requests the app has served for
  the path (nothing personal).
- GET /contact/: a form with {% csrf_token %}; POST (name) adds the message
  "Thanks for your message, NAME" and redirects to /.
- GET /login/: a form; POST (username, password, remember=0/1): any username logs in with
  password "pw" (the user is created on demand); without remember the session ends with the
  browser (set_expiry(0)). Redirects to /.
- GET /logout/: logs out, adds "Goodbye, NAME", redirects to /.
- GET /cart/: the visitor's cart (request.session["cart"]) and a form; POST /cart/add/ (item)
  adds to it (no message) and redirects to /cart/.
- GET /me/: the logged-in visitor's own page (else to /login/). GET /_stats: the request log.
- GET /menu/: a 40 KiB HTML page compressed by Django's GZipMiddleware (as the gzip_page
  decorator): gzip with `Vary: Accept-Encoding` to a client that accepts gzip, else identity
  (with Vary too). GET /menu-plain/: the same page, never compressed, no Vary
  (tests/e2e/test_compression.py).

Cookies, as a proxy sees them: a visitor without cookies never gets a Set-Cookie (pages that
read the session or the user say `Vary: Cookie`). The form pages (contact, login, cart) set
`csrftoken` (a year); logging in rotates it. A message goes to the `messages` cookie (no expiry)
and is deleted (`Max-Age=0`) by the page that shows it; one too big for the cookie goes to the
session. `sessionid` appears with a cart or a login (two weeks, or the browser session without
remember-me) and is deleted at logout; with the db backend the site also sets `logged_in=1`
(members/middleware.py).
"""
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout
from django.contrib.auth.models import User
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.gzip import gzip_page

import request_log


def public(request, title):
    return render(request, "public.html", {"title": title,
                                           "served": request_log.count(request.path)})


def index(request):
    return public(request, "Members")


def about(request):
    return public(request, "About")


def project(request, n):
    return public(request, "Project %s" % n)


def contact(request):
    if request.method == "POST":
        messages.success(request, "Thanks for your message, %s" % request.POST.get("name", ""))
        return redirect("/")
    return render(request, "contact.html", {"title": "Contact"})


def login_view(request):
    if request.method == "POST":
        name = request.POST.get("username", "")
        if name and request.POST.get("password") == "pw":
            user, created = User.objects.get_or_create(username=name)
            if created:
                user.set_password("pw")
                user.save()
            login(request, authenticate(request, username=name, password="pw"))
            if request.POST.get("remember") != "1":
                request.session.set_expiry(0)
            return redirect("/")
        return render(request, "login.html", {"title": "Log in"}, status=401)
    return render(request, "login.html", {"title": "Log in"})


def logout_view(request):
    if request.user.is_authenticated:
        name = request.user.username
        logout(request)
        messages.info(request, "Goodbye, %s" % name)
    return redirect("/")


def cart(request):
    return render(request, "cart.html", {"title": "Your cart",
                                         "items": request.session.get("cart", [])})


def cart_add(request):
    if request.method != "POST":
        return redirect("/cart/")
    request.session["cart"] = request.session.get("cart", []) + [request.POST.get("item", "")]
    return redirect("/cart/")


def me(request):
    if not request.user.is_authenticated:
        return redirect("/login/")
    return render(request, "me.html", {"title": "Your page"})


def stats(request):
    return JsonResponse(request_log.snapshot(log=request.GET.get("log") == "1",
                                             since=int(request.GET.get("since", "0"))))


def menu_page():
    """40 KiB of HTML, the same bytes every time."""
    rows = []
    size = 0
    i = 0
    while size < 40 * 1024:
        row = '<li class="dish" data-id="%d">Dish %d: %s</li>\n' % (i, i, "tomato basil " * (i % 5))
        rows.append(row)
        size += len(row)
        i += 1
    return ("<!doctype html><html><head><title>Menu</title></head><body><ul>\n"
            + "".join(rows) + "</ul></body></html>\n")


MENU = menu_page()


@gzip_page
def menu(request):
    response = HttpResponse(MENU, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "max-age=60"
    return response


def menu_plain(request):
    response = HttpResponse(MENU, content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "max-age=60"
    return response
