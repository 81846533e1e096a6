"""Serving the app: in worker processes for `borderwatch serve`, or on loopback inside a process
(the demo story, tests of the exchange)."""

from __future__ import annotations

import multiprocessing
import signal
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from borderwatch.http.app import asgi, create_app
from borderwatch.services.instance import Instance
from borderwatch.services.screen import freeze_built_indexes, load_lists

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


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    """Return a TCP listener made with `IPPROTO_TCP`, so accepted connections get TCP_NODELAY.

    uvicorn's own multi-worker listener is made with protocol 0; asyncio then leaves Nagle's
    algorithm on for accepted sockets and every keep-alive response waits ~40 ms for the client's
    delayed ACK (uvicorn issue #3149). With `reuse_port`, each worker binds its own listener
    and the kernel spreads new connections across them (Linux SO_REUSEPORT).
    """
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    return sock


def _run_worker(host: str, port: int, reuse_port: bool) -> None:
    """Serve the app of the environment's settings on its own listener (one worker process).

    The agency's list indexes are built before the worker accepts its first request, so an
    airline's first interactive check does not wait seconds for them.
    """
    app = asgi()
    instance: Instance = app.state.instance
    load_lists(instance.db, instance.actor(channel="serve:warm-up"))
    instance.db.checkpoint_in_background()
    # The indexes are millions of long-lived objects: move them, and those built after a list
    # import, out of the collector's generations, or every full collection walks them all and the
    # request that triggers it waits ~100 ms.
    freeze_built_indexes()
    sock = listening_socket(host, port, reuse_port=reuse_port)
    config = uvicorn.Config(app, log_level="info", lifespan="off")
    uvicorn.Server(config).run(sockets=[sock])


def serve_workers(host: str, port: int, workers: int) -> None:
    """Serve in `workers` processes on one address until interrupted; workers that die are reported."""
    if workers <= 1:
        _run_worker(host, port, reuse_port=False)
        return
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_run_worker, args=(host, port, True), name=f"borderwatch-worker-{n}")
        for n in range(workers)
    ]
    for process in processes:
        process.start()
    stop = threading.Event()

    def _stop(_signum: int, _frame: object) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        while not stop.is_set() and any(p.is_alive() for p in processes):
            stop.wait(0.5)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        for process in processes:
            if process.is_alive():
                process.terminate()
        for process in processes:
            process.join(timeout=20)
