"""Serving an instance on a loopback port from inside a process (the demo story, tests of the exchange)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from borderwatch.http.app import create_app
from borderwatch.services.instance import Instance

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    """Return a TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return int(sock.getsockname()[1])


def port_or_free(port: int) -> int:
    """Return `port` when nothing listens on it on loopback, else another free port."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        try:
            sock.bind((LOOPBACK, port))
        except OSError:
            return free_port()
    return port


@contextmanager
def serve_on_loopback(instance: Instance, port: int | None = None, *, timeout: float = 15.0) -> Iterator[str]:
    """Serve the instance's app with uvicorn in a background thread; yield its base URL; stop it after.

    `port` is a preference: when it is taken, another free port is used (the URL says which).
    """
    chosen = port_or_free(port) if port else free_port()
    config = uvicorn.Config(
        create_app(instance=instance), host=LOOPBACK, port=chosen, log_level="warning", lifespan="off"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name=f"borderwatch-{chosen}", daemon=True)
    thread.start()
    deadline = time.monotonic() + timeout
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            server.should_exit = True
            raise RuntimeError(f"the server on {LOOPBACK}:{chosen} did not start within {timeout:.0f} s")
        time.sleep(0.02)
    try:
        yield f"http://{LOOPBACK}:{chosen}"
    finally:
        server.should_exit = True
        thread.join(timeout=timeout)
