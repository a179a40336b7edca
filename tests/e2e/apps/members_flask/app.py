"""A small members site in Flask, for Larder's end-to-end privacy tests.

Every page has the same frame: the flashed messages waiting for this visitor, then
"Hello, NAME" for a logged-in visitor or "Hello, visitor". So a page meant for one visitor and
served to another is visible in its text.

- GET /, /about, /project/<n>: public pages (the same for every anonymous visitor); they show how
  many requests the app has served for that path, which is nothing personal.
- GET /contact: a form; POST /contact (name) flashes "Thanks for your message, NAME" and
  redirects to /.
- GET /login: a form; POST /login (username, password, remember=0/1): any username logs in with
  password "pw" (users are made on demand, in memory, in every worker); redirects to /.
- GET /logout: flashes "Goodbye, NAME", logs out, redirects to /.
- POST /cart/add (item): appends to session["cart"] (no flash), redirects to /cart.
- GET /cart: the visitor's cart. GET /me: the logged-in visitor's own page (else to /login).
- /static/app.css, and /_stats: the request log (../request_log.py), JSON, not logged itself.
- GET /files/video.bin: 1 MiB of deterministic bytes (byte i is (i * 7 + i // 256) % 256) through
  Flask's send_file, which answers Range, If-Range and conditionals itself; ETag "video-v1".
- Any method on /echo-method/<anything>: "METHOD BODY" as text (BAN, PURGE, ... reach the app).

Cookies, as a proxy sees them: a visitor without cookies never gets a Set-Cookie (pages say
`Vary: Cookie`). The `session` cookie appears with a cart, a flashed message or a login;
"remember me" adds `remember_token` (its value starts with the user id, in clear). Flask-Login
runs with its default session protection ("basic"), which writes `_fresh: false` into a
non-empty session without `_id` (a cart, a flash) on the next request: such visitors get a
Set-Cookie on a public page once. Showing the flashes removes `_flashes` (another Set-Cookie).
SECRET_KEY comes from the environment. Run: gunicorn -w 2 -b 127.0.0.1:8000 --chdir tests/e2e/apps/members_flask app:app
"""
import io
import os
import sys

from flask import (Flask, flash, jsonify, redirect, render_template, request, send_file,
                   session)
from flask_login import LoginManager, UserMixin, current_user, login_user, logout_user
from jinja2 import DictLoader
from markupsafe import Markup

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
import request_log  # noqa: E402

app = Flask(__name__, static_folder="static", static_url_path="/static")
app.config["SECRET_KEY"] = os.environ["SECRET_KEY"]
login_manager = LoginManager(app)


class User(UserMixin):
    def __init__(self, name):
        self.id = name
        self.name = name


USERS = {}  # made on demand; a user's id is their name, so every worker can load any user


@login_manager.user_loader
def load_user(user_id):
    return USERS.setdefault(user_id, User(user_id))


@app.before_request
def log_request():
    if request.path != "/_stats":
        request_log.record(request.method, request.path, request.headers.get("Cookie"),
                           request.headers.get("Authorization"))


PAGE = """<!doctype html>
<html><head><title>{{ title }}</title><link rel="stylesheet" href="/static/app.css"></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/contact">Contact</a>
<a href="/cart">Cart</a> {% if current_user.is_authenticated %}<a href="/me">Me</a>
<a href="/logout">Log out</a>{% else %}<a href="/login">Log in</a>{% endif %}</nav>
{% with messages = get_flashed_messages() %}{% if messages %}<ul class="messages">
{% for m in messages %}<li>{{ m }}</li>{% endfor %}</ul>{% endif %}{% endwith %}
<p class="greeting">Hello, {{ current_user.name if current_user.is_authenticated else "visitor" }}</p>
<h1>{{ title }}</h1>
{{ content }}
</body></html>
"""
app.jinja_loader = DictLoader({"page.html": PAGE})  # compiled once, not per request


def page(title, content, status=200):
    return render_template("page.html", title=title, content=content), status


def public(title):
    served = request_log.count(request.path)
    return page(title, Markup("<p>This page has been served %d times.</p>") % served)


@app.route("/")
def index():
    return public("Members")


@app.route("/about")
def about():
    return public("About")


@app.route("/project/<n>")
def project(n):
    return public("Project %s" % n)


CONTACT_FORM = Markup("""<form method="post" action="/contact"><input name="name">
<textarea name="message"></textarea><button>Send</button></form>""")


@app.route("/contact", methods=["GET", "POST"])
def contact():
    if request.method == "GET":
        return page("Contact", CONTACT_FORM)
    flash("Thanks for your message, %s" % request.form.get("name", ""))
    return redirect("/")


LOGIN_FORM = Markup("""<form method="post" action="/login"><input name="username">
<input name="password" type="password"><input name="remember" type="checkbox" value="1">
<button>Log in</button></form>""")


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return page("Log in", LOGIN_FORM)
    name = request.form.get("username", "")
    if not name or request.form.get("password") != "pw":
        return page("Log in", LOGIN_FORM, 401)
    login_user(load_user(name), remember=request.form.get("remember") == "1")
    return redirect("/")


@app.route("/logout")
def logout():
    if current_user.is_authenticated:
        flash("Goodbye, %s" % current_user.name)
    logout_user()
    return redirect("/")


@app.route("/cart/add", methods=["POST"])
def cart_add():
    session["cart"] = session.get("cart", []) + [request.form.get("item", "")]
    return redirect("/cart")


@app.route("/cart")
def cart():
    items = session.get("cart", [])
    listed = Markup("").join(Markup("<li>%s</li>") % i for i in items)
    return page("Your cart",
                Markup('<ul class="cart">%s</ul><p>%d items</p>') % (listed, len(items)))


@app.route("/me")
def me():
    if not current_user.is_authenticated:
        return redirect("/login")
    return page("Your page", Markup("<p>This is the page of %s.</p>") % current_user.name)


VIDEO = bytes((i * 7 + i // 256) % 256 for i in range(1024 * 1024))
VIDEO_MODIFIED = 1_700_000_000  # Tue, 14 Nov 2023 22:13:20 GMT


@app.route("/files/video.bin")
def video():
    return send_file(io.BytesIO(VIDEO), mimetype="video/mp4", conditional=True, etag="video-v1",
                     last_modified=VIDEO_MODIFIED, max_age=3600)


ANY_METHOD = ["GET", "HEAD", "POST", "PUT", "DELETE", "PATCH", "OPTIONS", "BAN", "PURGE",
              "REPORT"]


@app.route("/echo-method/<path:rest>", methods=ANY_METHOD)
def echo_method(rest):
    return "%s %s" % (request.method, request.get_data(as_text=True)), 200, {
        "Content-Type": "text/plain"}


@app.route("/_stats")
def stats():
    return jsonify(request_log.snapshot(log=request.args.get("log") == "1",
                                        since=int(request.args.get("since", "0"))))
