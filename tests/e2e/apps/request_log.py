"""The request log both test apps keep: one SQLite row per request the app served.

gunicorn runs several worker processes, so the log lives in a SQLite file (APP_REQUEST_LOG, WAL
mode) that they all write. Each row is the method, the path and the Cookie and Authorization
headers exactly as the app received them, so a test can tell whether Larder forwarded a
visitor's cookies on a fetch whose response it stored. `snapshot()` is what the apps' /_stats
endpoint returns: {"paths": {path: count}, "last_id": N, "requests": [[id, method, path, cookie,
authorization], ...]} (the list only with log=True, rows after `since`).
"""
import os
import sqlite3
import tempfile

__all__ = ["record", "snapshot", "count"]


def _path():
    return os.environ.get("APP_REQUEST_LOG") or os.path.join(
        tempfile.gettempdir(), "larder-app-requests-%d.sqlite" % os.getppid())


_db = {}  # pid -> connection: one per worker process, opened after gunicorn forks


def _connect():
    db = _db.get(os.getpid())
    if db is None:
        db = sqlite3.connect(_path(), timeout=20, isolation_level=None, check_same_thread=False)
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("PRAGMA synchronous=NORMAL")
        db.execute("CREATE TABLE IF NOT EXISTS requests (id INTEGER PRIMARY KEY, method TEXT, "
                   "path TEXT, cookie TEXT, authorization TEXT)")
        db.execute("CREATE INDEX IF NOT EXISTS requests_path ON requests(path)")
        _db[os.getpid()] = db
    return db


def record(method, path, cookie, authorization):
    _connect().execute("INSERT INTO requests(method, path, cookie, authorization) "
                        "VALUES(?, ?, ?, ?)", (method, path, cookie, authorization))


def count(path):
    """How many requests for `path` the app has served (the pages show it: nothing personal)."""
    return _connect().execute("SELECT COUNT(*) FROM requests WHERE path = ?",
                              (path,)).fetchone()[0]


def snapshot(log=False, since=0):
    db = _connect()
    paths = dict(db.execute("SELECT path, COUNT(*) FROM requests GROUP BY path").fetchall())
    last = db.execute("SELECT COALESCE(MAX(id), 0) FROM requests").fetchone()[0]
    out = {"paths": paths, "last_id": last}
    if log:
        out["requests"] = [list(row) for row in db.execute(
            "SELECT id, method, path, cookie, authorization FROM requests WHERE id > ? "
            "ORDER BY id", (since,))]
    return out
