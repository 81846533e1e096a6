"""Serving: listeners that keep TCP_NODELAY, and an instance served on loopback."""

from __future__ import annotations

import socket

import httpx

from borderwatch.http.serving import listening_socket, port_or_free, serve_on_loopback
from borderwatch.services.instance import Instance


def test_listener_is_made_for_tcp_so_accepted_sockets_get_nodelay() -> None:
    # uvicorn issue #3149: a listener made with protocol 0 makes asyncio skip TCP_NODELAY on
    # accepted connections, and every keep-alive response waits ~40 ms for a delayed ACK.
    listener = listening_socket("127.0.0.1", 0, reuse_port=True)
    try:
        assert listener.proto == socket.IPPROTO_TCP
        assert listener.getsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT) == 1
    finally:
        listener.close()


def test_taken_port_falls_back_to_a_free_one() -> None:
    taken = listening_socket("127.0.0.1", 0, reuse_port=False)
    try:
        port = taken.getsockname()[1]
        assert port_or_free(port) != port
    finally:
        taken.close()


def test_instance_served_on_loopback_answers(sqlite_instance: Instance) -> None:
    with serve_on_loopback(sqlite_instance) as url:
        assert url.startswith("http://127.0.0.1:")
        assert httpx.get(f"{url}/health", timeout=10).json()["status"] == "ok"
