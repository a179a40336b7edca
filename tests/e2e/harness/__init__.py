"""Test harness for Larder's end-to-end tests.

Everything here is Python 3 standard library only and binds 127.0.0.1 only:

- `daemon.Larder` starts the real larder binary with a generated config and a ready file.
- `origin.Origin` is a scripted HTTP/1.1 origin server living in the test process.
- `client.Client` is a raw-socket HTTP/1.1 client that lets a test send arbitrary bytes.
- `flask_app.FlaskDemo` runs the bundled Flask demo app under gunicorn.
"""
from .client import Client, Response, ConnectionClosed
from .daemon import Larder, larder_config, to_toml, larder_binary, source_dir
from .origin import Origin, Reply
from .flask_app import FlaskDemo, free_port

__all__ = [
    "Client", "Response", "ConnectionClosed",
    "Larder", "larder_config", "to_toml", "larder_binary", "source_dir",
    "Origin", "Reply", "FlaskDemo", "free_port",
]
