"""What one live-socket client can cost the others: sockets per client and in all, a heavy client waiting
its own turn, a client that reads nothing, and the message limit on the wire under `uvicorn app.main:app`."""
from __future__ import annotations

import json
import socket
import threading
import time
from contextlib import ExitStack
from pathlib import Path

import httpx
import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from app.main import create_app
from bench._server import running_server_process
from tests.live_server import serve
from tests.log_capture import captured_logs, text_of

SOFTEN = {"logits": [1.0, 2.0, 0.5], "temperatures": [1.0, 2.0]}
HEAVY = {"logits": [0.25 * (i % 40) for i in range(4096)], "temperatures": [1.0, 2.0, 3.0, 4.0]}   # ~360 KB answer


def ws_url(base_url: str) -> str:
    return base_url.replace("http://", "ws://") + "/api/live"


def open_from(base_url: str, source: str, **kwargs):
    """A live socket from the loopback address `source` (127.0.0.x): another client, as the server sees it."""
    port = int(base_url.rsplit(":", 1)[1])
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    return connect(ws_url(base_url), sock=sock, origin=base_url, open_timeout=10, **kwargs)


def refusal(ws) -> ConnectionClosed:
    """The close that ends a socket the server accepted only to refuse."""
    with pytest.raises(ConnectionClosed) as closed:
        ws.recv(timeout=10)
    return closed.value


def test_sockets_are_capped_per_client_address_and_in_all(test_settings):
    settings = test_settings.model_copy(update={"live_sockets_per_client": 3, "live_sockets_total": 5})
    app = create_app(settings)
    with serve(app) as url, ExitStack() as sockets:
        mine = [sockets.enter_context(open_from(url, "127.0.0.1")) for _ in range(3)]
        closed = refusal(sockets.enter_context(open_from(url, "127.0.0.1")))
        assert closed.rcvd.code == 1013 and "at most 3 live sockets per client address" in closed.rcvd.reason
        others = [sockets.enter_context(open_from(url, "127.0.0.2")) for _ in range(2)]
        closed = refusal(sockets.enter_context(open_from(url, "127.0.0.3")))
        assert closed.rcvd.code == 1013 and "its 5 live sockets in use" in closed.rcvd.reason
        for ws in mine + others:          # the sockets that were let in all work
            ws.send(json.dumps({"id": 1, "path": "/api/kd/soften", "body": SOFTEN}))
            assert json.loads(ws.recv(timeout=10))["status"] == 200
        mine[0].close()
        deadline = time.monotonic() + 10
        while app.state.live_sockets.held("127.0.0.1") != 2 and time.monotonic() < deadline:
            time.sleep(0.02)
        again = sockets.enter_context(open_from(url, "127.0.0.1"))    # a closed socket frees its place
        again.send(json.dumps({"id": 2, "path": "/api/kd/soften", "body": SOFTEN}))
        assert json.loads(again.recv(timeout=10))["status"] == 200


def test_a_heavy_socket_waits_its_turn_while_another_client_is_answered(test_settings):
    """Four sockets of one client each queue 25 heavy requests at once (the probe's attack, ~360 KB answers);
    with a small work budget they are still waiting while a second client's 20 requests, over its own
    socket and over HTTP, have all been answered."""
    settings = test_settings.model_copy(update={"live_work_per_second": 0.02, "live_work_burst_seconds": 0.01})
    with serve(create_app(settings)) as url, ExitStack() as sockets:
        hostile = [sockets.enter_context(open_from(url, "127.0.0.1", max_size=None)) for _ in range(4)]
        for ws in hostile:
            for i in range(25):
                ws.send(json.dumps({"id": i, "path": "/api/kd/soften", "body": HEAVY}))
        answered = [0] * 4

        def drain(k: int) -> None:
            try:
                while answered[k] < 25:
                    assert json.loads(hostile[k].recv(timeout=60))["status"] == 200
                    answered[k] += 1
            except (ConnectionClosed, TimeoutError):
                pass

        readers = [threading.Thread(target=drain, args=(k,), daemon=True) for k in range(4)]
        for t in readers:
            t.start()
        with open_from(url, "127.0.0.2") as polite, httpx.Client(base_url=url, timeout=30) as http:
            for i in range(10):
                polite.send(json.dumps({"id": i, "path": "/api/kd/soften", "body": SOFTEN}))
                assert json.loads(polite.recv(timeout=30))["status"] == 200
                assert http.post("/api/kd/soften", json=SOFTEN).status_code == 200
        assert sum(answered) < 100, "the heavy client was done before the polite one: nothing was bounded"


def test_a_socket_that_reads_nothing_is_closed_and_counted_until_it_is_gone(test_settings):
    settings = test_settings.model_copy(update={"live_send_timeout_seconds": 0.5})
    app = create_app(settings)
    with serve(app) as url, captured_logs() as records, ExitStack() as sockets:
        # max_queue=1: the client library stops reading after one message, as a client that reads nothing
        stuck = sockets.enter_context(open_from(url, "127.0.0.1", max_queue=1, max_size=None))
        for i in range(60):
            stuck.send(json.dumps({"id": i, "path": "/api/kd/soften", "body": HEAVY}))
        deadline = time.monotonic() + 30
        while "read nothing" not in text_of(records) and time.monotonic() < deadline:
            time.sleep(0.05)
        assert "it read nothing for 0.5 s" in text_of(records)
        assert app.state.live_sockets.held("127.0.0.1") == 1      # what it left unread is still held
        with open_from(url, "127.0.0.2") as other:                 # and nobody else noticed
            other.send(json.dumps({"id": 1, "path": "/api/kd/soften", "body": SOFTEN}))
            assert json.loads(other.recv(timeout=10))["status"] == 200
        stuck.socket.close()
        while app.state.live_sockets.held("127.0.0.1") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert app.state.live_sockets.held() == 0


def _rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


@pytest.fixture(scope="module")
def plain_uvicorn(cache_dir):
    """`python -m uvicorn app.main:app`, as the README's other start command: uvicorn's own defaults."""
    with running_server_process({"BREWSLM_CACHE_DIR": str(cache_dir)}) as (url, proc):
        yield url, proc.pid


def test_plain_uvicorn_serves_the_socket_without_per_message_deflate(plain_uvicorn):
    url, _ = plain_uvicorn
    with connect(ws_url(url), origin=url, open_timeout=10, compression="deflate") as ws:
        assert "sec-websocket-extensions" not in {k.lower() for k in ws.response.headers.keys()}
        ws.send(json.dumps({"id": 1, "path": "/api/kd/soften", "body": SOFTEN}))
        assert json.loads(ws.recv(timeout=10))["status"] == 200


def test_plain_uvicorn_closes_a_socket_whose_message_passes_the_wire_limit_and_memory_stays_flat(
        plain_uvicorn, test_settings):
    """The probe: 20 messages of 16 MB (15.6 KB each, compressed) took the server from 465 MB to 1.25 GB.
    Now no deflate is negotiated, and a message past twice the live limit closes its socket (1009) before
    the server has kept more than that of it."""
    url, pid = plain_uvicorn
    before = _rss_kib(pid)
    wire = 2 * test_settings.live_max_message_bytes
    message = '{"id": 1, "path": "/api/kd/soften", "body": {"logits": [' + "0," * (wire // 2) + "0]}}"
    for _ in range(20):
        with connect(ws_url(url), origin=url, open_timeout=10, max_size=None) as ws:
            ws.send(message)
            with pytest.raises(ConnectionClosed) as closed:
                ws.recv(timeout=10)
            assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009
    grown_mib = (_rss_kib(pid) - before) / 1024
    assert grown_mib < 60, f"the server grew {grown_mib:.0f} MiB"
    with connect(ws_url(url), origin=url, open_timeout=10) as ws:       # and it still answers
        ws.send(json.dumps({"id": 2, "path": "/api/kd/soften", "body": SOFTEN}))
        assert json.loads(ws.recv(timeout=10))["status"] == 200
