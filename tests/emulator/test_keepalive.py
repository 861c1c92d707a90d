"""HTTP/1.1 keep-alive: connections are reused, counted, and never wedge a worker."""
from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import requests

from kinde_iac.emulator.server import RunningEmulator, start_background

from .client import KindeClient

Control = Callable[..., Any]


@pytest.fixture
def own() -> Iterator[RunningEmulator]:
    """An emulator of its own, so the open connections counted are this test's only."""
    with start_background() as emu:
        yield emu


def test_one_session_uses_one_connection(emulator: RunningEmulator, client: KindeClient, control: Control) -> None:
    control("DELETE", "stats")  # its own connection is closed by now; only new ones count
    for i in range(20):
        response = client.post("/api/v1/permissions", json={"key": f"p{i}", "name": f"P{i}"})
        assert response.status_code == 201
        assert response.raw.version == 11 and "close" not in response.headers.get("Connection", "")
    client.ok("GET", "/api/v1/permissions")
    stats = client.ok("GET", "/_emulator/stats")  # through the same session
    assert stats["total"] == 21
    assert stats["connections"] == 1


def test_unread_bodies_are_drained_before_the_next_request(own: RunningEmulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", own.port, timeout=10)
    try:
        # Unknown routes and missing tokens are answered without reading the body.
        for method, path in (("POST", "/api/v1/nowhere"), ("PUT", "/api/v1/roles")):
            conn.request(method, path, body=b'{"padding": "' + b"x" * 50_000 + b'"}',
                         headers={"Content-Type": "application/json"})
            response = conn.getresponse()
            assert response.status in (403, 404) and response.read().startswith(b'{"errors"')
        first_socket = conn.sock
        conn.request("GET", "/_emulator/faults")
        response = conn.getresponse()
        assert response.status == 200 and b"latency_ms" in response.read()
        assert conn.sock is first_socket  # the same connection throughout
    finally:
        conn.close()
    assert own.app.services.stats.snapshot()["connections"] == 1


def test_chunked_bodies_are_read_on_a_kept_connection(own: RunningEmulator) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", own.port, timeout=10)
    try:
        conn.request("POST", "/api/v1/api_keys/verify", body=iter([b'{"api_key": ', b'"k_live_nope"}']),
                     headers={"Content-Type": "application/json", "Transfer-Encoding": "chunked"}, encode_chunked=True)
        response = conn.getresponse()
        assert response.status == 200 and b"API_KEY_INVALID" in response.read()
        conn.request("GET", "/_emulator/faults")
        assert conn.getresponse().status == 200
    finally:
        conn.close()
    assert own.app.services.stats.snapshot()["connections"] == 1


def test_connection_close_and_http_1_0_are_honoured(own: RunningEmulator) -> None:
    for request in (b"GET /_emulator/faults HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                    b"GET /_emulator/faults HTTP/1.0\r\n\r\n"):
        with socket.create_connection(("127.0.0.1", own.port), timeout=10) as sock:
            sock.sendall(request)
            received = _read_until_closed(sock)
        head = received.split(b"\r\n\r\n", 1)[0]
        assert b" 200 " in head.split(b"\r\n")[0] and b"Connection: close" in head
    assert own.wait_connections(0, accepted=2)


def test_a_client_leaving_mid_body_frees_its_worker(own: RunningEmulator) -> None:
    sock = socket.create_connection(("127.0.0.1", own.port), timeout=10)
    sock.sendall(b"POST /api/v1/api_keys/verify HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 1000\r\n\r\n{\"api_key\": \"k_li")
    sock.close()
    assert own.wait_connections(0, accepted=1), "the worker is still holding the abandoned connection"
    stats = own.app.services.stats.snapshot()
    assert stats["in_flight"] == 0 and stats["by_status"] == {"400": 1}  # a body cut short is no JSON
    assert requests.get(f"{own.url}/_emulator/faults", timeout=5).status_code == 200


def test_a_stalled_client_holds_no_one_else_up(own: RunningEmulator) -> None:
    stalled = socket.create_connection(("127.0.0.1", own.port), timeout=10)
    try:
        stalled.sendall(b"POST /api/v1/api_keys/verify HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{")
        idle = socket.create_connection(("127.0.0.1", own.port), timeout=10)  # connected, silent
        with requests.Session() as session:
            for _ in range(3):
                assert session.get(f"{own.url}/_emulator/faults", timeout=5).status_code == 200
        idle.close()
    finally:
        stalled.close()
    assert own.wait_connections(0, accepted=3)


def test_stopping_closes_idle_kept_connections() -> None:
    emu = start_background()
    with requests.Session() as session:
        assert session.get(f"{emu.url}/_emulator/faults", timeout=5).status_code == 200
        assert emu.open_connections() == 1
        stopper = threading.Thread(target=emu.stop)
        stopper.start()
        stopper.join(timeout=10)
        assert not stopper.is_alive()
        assert emu.wait_connections(0)
        with pytest.raises(requests.ConnectionError):
            session.get(f"{emu.url}/_emulator/faults", timeout=5)


def test_a_dropped_connection_is_replaced_by_a_new_one(emulator: RunningEmulator, client: KindeClient,
                                                       control: Control) -> None:
    client.ok("GET", "/api/v1/roles")
    control("POST", "faults", json={"drop_rate": 1})
    control("DELETE", "stats")
    with pytest.raises(requests.ConnectionError):
        client.get("/api/v1/roles")
    control("POST", "faults", json={"drop_rate": 0})
    client.ok("GET", "/api/v1/roles")
    client.ok("GET", "/api/v1/roles")
    stats = client.ok("GET", "/_emulator/stats")
    assert stats["dropped"] == 1 and stats["total"] == 3
    assert stats["connections"] == 2  # the fault-control call's, then one new for the session


def _read_until_closed(sock: socket.socket) -> bytes:
    chunks = []
    while chunk := sock.recv(65536):
        chunks.append(chunk)
    return b"".join(chunks)
