"""Benchmark of the interactive check (iAPI) endpoint over HTTP on loopback.

Starts `borderwatch serve --workers N` in a separate process (1 worker, then 2) on an instance
loaded with the full UN and OFAC lists, and drives `POST /api/check` from this process: latency of
one-traveller and 400-traveller requests (p50/p99), and throughput with concurrent clients.
`GET /health` in the same run is the baseline (the cost of HTTP, auth-free, no work).
Targets (issue 6): p99 < 5 ms for one traveller, < 50 ms for a 400-passenger flight; judged at the end
(exit 1 when one is missed), with the run's /health p99 beside them.

The load loop is the standard library's `http.client` on one keep-alive connection per client: on
these 2 cores httpx itself adds ~0.6 ms to the median and ~3 ms to the p99 of a request to a bare
ASGI app (measured), which would be counted as server latency. The one-traveller latency is also
measured through httpx, for comparison with earlier runs.

Run: .venv/bin/python bench/bench_api.py [--single 1000] [--flights 30] [--seconds 10]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx

from borderwatch._compiled import describe
from borderwatch.domain.audit import Role
from borderwatch.domain.simulation import CASABLANCA_LONDON_MIX, simulate_travellers
from borderwatch.services import auth
from borderwatch.services.instance import init_instance
from borderwatch.services.lists import import_list
from borderwatch.services.simulation import load_name_pools
from borderwatch.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
UN = ROOT / "src" / "borderwatch" / "data" / "lists" / "UN_consolidated.xml"
OFAC = ROOT / "tests" / "data" / "lists" / "ofac" / "sdn.csv"
PASSWORD = "benchmark passphrase 2026"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def prepare(data_dir: Path) -> None:
    settings = Settings(data_dir=data_dir, secure_cookies=False)
    instance, _ = init_instance(settings)
    actor = instance.actor(channel="bench")
    import_list(instance.db, actor, "un", UN)
    import_list(instance.db, actor, "ofac", OFAC)
    auth.create_user(
        instance.db,
        actor,
        username="bench.officer",
        role=Role.OFFICER,
        password=PASSWORD,
        now=datetime.now(UTC),
    )
    instance.close()


def traveller_bodies(count: int) -> list[dict[str, Any]]:
    pools = load_name_pools()
    mix = CASABLANCA_LONDON_MIX
    travellers = simulate_travellers(pools, mix, count, seed=11, today=date(2026, 11, 29))
    return [
        {
            "reference": str(i),
            "family_name": t.family_name,
            "given_names": t.given_names,
            "birth_date": t.birth_date.isoformat() if t.birth_date else None,
            "gender": t.gender.value,
            "nationality": t.nationality,
            "documents": [
                {
                    "type": "P",
                    "number": d.number,
                    "issuing_state": d.issuing_state,
                    "expiry_date": d.expiry_date.isoformat() if d.expiry_date else None,
                }
                for d in t.documents
            ],
        }
        for i, t in enumerate(travellers)
    ]


class Server:
    """A uvicorn process serving the instance in `data_dir`."""

    def __init__(self, data_dir: Path, workers: int) -> None:
        self.port = free_port()
        # The server's log goes to a file: an unread pipe fills up and blocks the server.
        self.log = data_dir / f"server-{workers}.log"
        self._log_file = self.log.open("wb")
        env = {**os.environ, "BORDERWATCH_DATA_DIR": str(data_dir), "BORDERWATCH_SECURE_COOKIES": "false"}
        # `borderwatch serve --workers N`: worker listeners keep TCP_NODELAY (see http/serving.py).
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "borderwatch.cli.main",
                "serve",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--workers",
                str(workers),
            ],
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the server did not start within 60 s")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self._log_file.close()

    def errors(self) -> list[str]:
        """Return the error lines the server logged."""
        text = self.log.read_text(encoding="utf-8", errors="replace")
        return [line for line in text.splitlines() if "Error" in line or "Traceback" in line]


def login(client: httpx.Client) -> dict[str, str]:
    response = client.post(
        "/api/auth/login", json={"agency": "DGSN", "username": "bench.officer", "password": PASSWORD}
    )
    response.raise_for_status()
    return {"Authorization": f"Bearer {response.json()['token']}"}


class Connection:
    """One keep-alive HTTP/1.1 connection of the standard library (the light load client)."""

    def __init__(self, base: str, headers: dict[str, str]) -> None:
        host, port = base.removeprefix("http://").split(":")
        self.connection = http.client.HTTPConnection(host, int(port), timeout=30)
        self.headers = {**headers, "Content-Type": "application/json"}

    def timed(self, method: str, path: str, body: Any = None) -> float:
        """Send one request and read the whole answer; return the milliseconds it took."""
        payload = json.dumps(body).encode() if body is not None else None
        started = time.perf_counter()
        self.connection.request(method, path, body=payload, headers=self.headers)
        response = self.connection.getresponse()
        text = response.read()
        elapsed = (time.perf_counter() - started) * 1000
        if response.status != 200:
            raise RuntimeError(f"{method} {path}: {response.status} {text[:200]!r}")
        return elapsed

    def close(self) -> None:
        self.connection.close()


def timed(client: httpx.Client, method: str, path: str, **kwargs: Any) -> float:
    started = time.perf_counter()
    response = client.request(method, path, **kwargs)
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:200]}")
    return elapsed


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


FLIGHT = {"carrier": "AT", "number": "800", "departure_port": "CMN", "arrival_port": "LHR"}


def latency(
    base: str,
    single: list[dict[str, Any]],
    flight: list[dict[str, Any]],
    flights: int,
    others: list[dict[str, Any]],
    warm: list[dict[str, Any]],
) -> dict[str, Any]:
    """Time one-traveller checks (`single`, then `others` through httpx: travellers not sent before)
    and whole-flight checks, after `warm` travellers were checked."""
    with httpx.Client(base_url=base, timeout=30) as client:
        headers = login(client)
        for body in warm:  # warm-up: the first requests of a worker set up its caches
            timed(client, "POST", "/api/check", json={"travellers": [body]}, headers=headers)
        # The same requests through httpx, for comparison with earlier runs (see the docstring).
        via_httpx = [
            timed(client, "POST", "/api/check", json={"flight": FLIGHT, "travellers": [b]}, headers=headers)
            for b in others
        ]
    connection = Connection(base, headers)
    try:
        health = [connection.timed("GET", "/health") for _ in range(len(single))]
        one = [
            connection.timed("POST", "/api/check", {"flight": FLIGHT, "travellers": [body]})
            for body in single
        ]
        many = [
            connection.timed("POST", "/api/check", {"flight": FLIGHT, "travellers": flight})
            for _ in range(flights)
        ]
    finally:
        connection.close()
    return {"health": health, "one": one, "flight": many, "one_httpx": via_httpx}


def throughput(base: str, bodies: list[dict[str, Any]], seconds: float, clients: int) -> float:
    with httpx.Client(base_url=base, timeout=30) as client:
        headers = login(client)
    done = [0] * clients
    stop_at = time.monotonic() + seconds

    def run(slot: int) -> None:
        connection = Connection(base, headers)
        try:
            i = slot
            while time.monotonic() < stop_at:
                connection.timed("POST", "/api/check", {"travellers": [bodies[i % len(bodies)]]})
                done[slot] += 1
                i += clients
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(done) / seconds


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--single", type=int, default=1000, help="one-traveller requests timed (p99 = the 10th worst)"
    )
    parser.add_argument("--flights", type=int, default=30, help="400-traveller requests timed")
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each throughput run")
    parser.add_argument("--clients", type=int, default=8, help="concurrent clients in the throughput runs")
    args = parser.parse_args()
    print(f"hot modules: {describe()}")
    bodies = traveller_bodies(max(args.single, 400) + args.single // 2 + 50)
    with tempfile.TemporaryDirectory() as folder:
        data_dir = Path(folder)
        print("preparing an instance with the UN and OFAC lists ...", flush=True)
        prepare(data_dir)
        rows = []
        for workers in (1, 2):
            server = Server(data_dir, workers)
            try:
                measured = (
                    latency(
                        server.base,
                        bodies[: args.single],
                        bodies[:400],
                        args.flights,
                        bodies[-(args.single // 2) - 50 : -50],
                        bodies[-50:],
                    )
                    if workers == 1
                    else None
                )
                rate = throughput(server.base, bodies, args.seconds, args.clients)
            finally:
                server.stop()
            for line in server.errors()[:10]:
                print(f"server ({workers} worker(s)) logged: {line}")
            if os.environ.get("BENCH_KEEP_LOG"):
                print(server.log.read_text(encoding="utf-8", errors="replace")[-3000:])
            rows.append((workers, measured, rate))
    print(
        f"\nmachine: {os.cpu_count()} cores; loopback HTTP; UN + OFAC loaded; clients in this process "
        f"(http.client keep-alive unless named)"
    )
    print(f"{'what':<46}{'p50 ms':>10}{'p99 ms':>10}{'mean ms':>10}{'target':>12}")
    measured = rows[0][1]
    assert measured is not None
    for name, values, target in (
        ("GET /health (baseline)", measured["health"], ""),
        ("POST /api/check, 1 traveller", measured["one"], "p99 < 5"),
        ("POST /api/check, 400 travellers", measured["flight"], "p99 < 50"),
        ("POST /api/check, 1 traveller, httpx client", measured["one_httpx"], ""),
    ):
        print(
            f"{name:<46}{percentile(values, 0.5):>10.2f}{percentile(values, 0.99):>10.2f}"
            f"{statistics.fmean(values):>10.2f}{target:>12}"
        )
    ratio = percentile(measured["one"], 0.5) / percentile(measured["health"], 0.5)
    print(f"\none-traveller check / health, p50: {ratio:.1f}x")
    # Judged like the other benchmarks (make bench names the misses). On these shared 2-core machines
    # a noisy run can push even /health's p99 past 5 ms: it is printed beside the verdicts.
    verdicts = (
        ("p99 < 5 ms, 1 traveller", percentile(measured["one"], 0.99) < 5.0),
        ("p99 < 50 ms, 400 travellers", percentile(measured["flight"], 0.99) < 50.0),
    )
    health_p99 = percentile(measured["health"], 0.99)
    for what, ok in verdicts:
        print(f"target {what}: {'met' if ok else 'MISSED'} (/health p99 in this run: {health_p99:.2f} ms)")
    for workers, _, rate in rows:
        print(
            f"throughput, {workers} worker(s), {args.clients} clients, 1 traveller/request: "
            f"{rate:,.0f} requests/s"
        )
    return 0 if all(ok for _, ok in verdicts) else 1


if __name__ == "__main__":
    sys.exit(main())
