"""Larder's demo Flask app: the case Larder was built for.

Pages that look the same to every anonymous visitor (/, /about, /project/<name>) but greet a
logged-in user by name ("Hello, alice") -- so serving a cached personalised page to someone else
is visible in a test. Like most real Flask apps it puts something in the session for anonymous
visitors too (a CSRF token), so a first visit gets `Set-Cookie: session=...` and every page
carries `Vary: Cookie`. Flask-Login with users alice and bob (password "password"); "remember me" adds
the `remember_token` cookie. /counter reports how many requests reached the app per path, shared
between gunicorn workers through a small SQLite file (DEMO_COUNTER_DB).

Run: gunicorn -w 2 -b 127.0.0.1:8000 --chdir bench/apps/flask_demo app:app
"""
import json
import os
import secrets
import sqlite3
import tempfile
import time

from flask import (Flask, Response, abort, redirect, render_template_string, request, session,
                   url_for)
from flask_login import (LoginManager, UserMixin, current_user, login_required, login_user,
                         logout_user)

app = Flask(__name__, static_folder="static", static_url_path="/static")
app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY", "larder-demo-dev-secret-change-me")
app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600  # static files: Cache-Control: public, max-age=3600

login_manager = LoginManager(app)
login_manager.login_view = "login"


class User(UserMixin):
    def __init__(self, user_id, name, password):
        self.id = user_id
        self.name = name
        self.password = password


USERS = {"alice": User("1", "alice", "password"), "bob": User("2", "bob", "password")}
USERS_BY_ID = {u.id: u for u in USERS.values()}


@login_manager.user_loader
def load_user(user_id):
    return USERS_BY_ID.get(user_id)


# -- request counter, shared by all workers ----------------------------------------------------
def _counter_db():
    path = os.environ.get("DEMO_COUNTER_DB")
    if not path:
        # One file per gunicorn master (workers share their parent); fine for a demo.
        path = os.path.join(tempfile.gettempdir(), "larder-flask-demo-%d.sqlite" % os.getppid())
    db = sqlite3.connect(path, timeout=10, isolation_level=None)
    db.execute("CREATE TABLE IF NOT EXISTS hits (path TEXT PRIMARY KEY, n INTEGER NOT NULL)")
    return db


def _count(path):
    db = _counter_db()
    try:
        db.execute("INSERT INTO hits(path, n) VALUES(?, 1) "
                   "ON CONFLICT(path) DO UPDATE SET n = n + 1", (path,))
    finally:
        db.close()


@app.before_request
def before():
    if request.path != "/counter":
        _count(request.path)
    # Like many Flask apps: a session (here a CSRF token) even for anonymous visitors, so a
    # first visit gets Set-Cookie and every page gets Vary: Cookie. Static files stay cookie-free.
    if request.endpoint != "static" and "csrf" not in session:
        session["csrf"] = secrets.token_hex(8)


# -- pages -------------------------------------------------------------------------------------
PAGE = """<!doctype html>
<html><head><title>{{ title }}</title><link rel="stylesheet" href="/static/style.css"></head>
<body>
<nav><a href="/">Home</a> <a href="/about">About</a> <a href="/project/larder">Project</a>
{% if current_user.is_authenticated %}<a href="/profile">Profile</a> <a href="/logout">Log out</a>
{% else %}<a href="/login">Log in</a>{% endif %}</nav>
<p class="greeting">Hello, {{ current_user.name if current_user.is_authenticated else "visitor" }}</p>
<h1>{{ title }}</h1>
{{ content|safe }}
</body></html>
"""

LOGIN_FORM = """<form method="post" action="/login">
<input type="hidden" name="csrf" value="{{ csrf }}">
<label>User <input name="username"></label>
<label>Password <input name="password" type="password"></label>
<label><input type="checkbox" name="remember" value="on"> Remember me</label>
<button>Log in</button></form>{% if error %}<p class="error">{{ error }}</p>{% endif %}"""


def page(title, content, status=200):
    return render_template_string(PAGE, title=title, content=content), status


@app.route("/")
def index():
    return page("Larder demo", "<p>A page every anonymous visitor sees the same way.</p>")


@app.route("/about")
def about():
    return page("About", "<p>Larder caches this page for anonymous visitors.</p>")


@app.route("/project/<name>")
def project(name):
    from markupsafe import escape
    return page("Project %s" % escape(name), "<p>Project <b>%s</b>.</p>" % escape(name))


@app.route("/profile")
@login_required
def profile():
    return page("Profile", "<p>Private page of <b>%s</b> (user id %s).</p>"
                % (current_user.name, current_user.id))


@app.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return page("Log in", render_template_string(LOGIN_FORM, csrf=session["csrf"], error=None))
    user = USERS.get(request.form.get("username", ""))
    if user is None or request.form.get("password") != user.password:
        form = render_template_string(LOGIN_FORM, csrf=session["csrf"], error="Wrong user or password")
        return page("Log in", form, 401)
    login_user(user, remember=request.form.get("remember") in ("on", "1", "true", "yes"))
    return redirect(request.args.get("next") or url_for("profile"))


@app.route("/logout")
def logout():
    logout_user()
    return redirect(url_for("index"))


@app.route("/slow")
def slow():
    time.sleep(0.5)
    return page("Slow", "<p>This page took half a second.</p>")


@app.route("/storm")
def storm():
    # The benchmarks' expiry-storm page: one hot URL whose rendering costs 20 ms of the app's
    # time, so every request that reaches the app during a storm is visible in its latency.
    time.sleep(0.02)
    return page("Storm", "<p>A popular page that takes 20 ms to render.</p>")


@app.route("/counter")
def counter():
    db = _counter_db()
    try:
        rows = dict(db.execute("SELECT path, n FROM hits ORDER BY path").fetchall())
    finally:
        db.close()
    return Response(json.dumps(rows, sort_keys=True), mimetype="application/json")


if __name__ == "__main__":
    app.run(host="127.0.0.1", port=int(os.environ.get("PORT", "8000")))
