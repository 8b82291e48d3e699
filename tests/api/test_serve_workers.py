"""`brewslm serve --workers N`: refused without Redis, and with it two processes that answer as one does,
follow one class (sockets on both) and report one run (trained by a `brewslm worker`)."""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from app.cli import workers_problem
from app.training.digits.teacher import DigitsTeacherCache
from tests.class_client import Room, soften_move, start_class
from tests.engine_processes import engine_env, start_worker
from tests.live_server import free_port, wait_until_healthy
from tests.sse_client import follow
from tests.tables import assert_same

ROOT = Path(__file__).resolve().parents[2]

# Single answers and tables, none of them an explorer's default state.
REQUESTS = [
    ("/api/kd/soften", {"logits": [0.3, 2.5, -1.0, 4.2], "temperatures": [0.7, 3.0]}),
    ("/api/kd/loss", {"student_logits": [[0.5, 1.0, -0.2]], "teacher_logits": [[1.5, 0.2, 0.0]], "labels": [2],
                      "alpha": 0.35, "temperature": 3.5}),
    ("/api/kd/kl-direction", {"separation": 4.5, "left_weight": 0.3, "width": 1.0}),
    ("/api/tables/temperature/T", {"logits": [1.5, -0.5, 0.25]}),
    ("/api/tables/alpha/T", {"student_logits": [[1, 2, 0]], "teacher_logits": [[2, 0, 1]], "labels": [1], "alpha": 0.2}),
    ("/api/tables/t-squared/T", {"student_logits": [0.1, 1.2, -0.4], "teacher_logits": [0.9, 2.0, -1.1]}),
    ("/api/tables/reduction/prompt_len", {"batch_size": 3, "seq_len": 12}),
    ("/api/tables/kl-direction/left_weight", {"separation": 5.5}),
]

RUN = {"experiment": "digits", "device": "cpu", "config": {"steps": 100, "seed": 3, "student_hidden": 16}}


def _serve(*args: str, env: dict[str, str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli", "serve", *args], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "BREWSLM_REDIS_URL"}
    return {**env, "PYTHONPATH": str(ROOT), **extra}


@pytest.mark.parametrize("workers,reload,redis_url,words", [
    (2, False, None, "needs BREWSLM_REDIS_URL"),
    (0, False, None, "at least 1"),
    (2, True, "redis://127.0.0.1:6379/0", "--reload"),
])
def test_workers_problems_are_named(workers, reload, redis_url, words):
    assert words in workers_problem(workers, reload, redis_url)


def test_one_worker_or_redis_is_fine():
    assert workers_problem(1, True, None) is None
    assert workers_problem(3, False, "redis://127.0.0.1:6379/0") is None


def test_serve_refuses_two_workers_without_redis():
    proc = _serve("--workers", "2", "--port", str(free_port()), env=_env())
    out, _ = proc.communicate(timeout=60)
    assert proc.returncode == 2
    assert "--workers 2 needs BREWSLM_REDIS_URL" in out


def _children(pid: int) -> list[int]:
    out = subprocess.run(["ps", "-o", "pid=", "--ppid", str(pid)], capture_output=True, text=True).stdout
    return [int(p) for p in out.split()]


def _socket_inodes(pid: int) -> set[int]:
    inodes = set()
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            target = os.readlink(fd)
        except OSError:
            continue                       # closed while we looked
        if target.startswith("socket:["):
            inodes.add(int(target[8:-1]))
    return inodes


def _server_inode(server_port: int, client_port: int) -> int | None:
    """The inode of the server's end of the loopback TCP connection from `client_port` (/proc/net/tcp)."""
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local, remote, inode = fields[1], fields[2], int(fields[9])
        if int(local.split(":")[1], 16) == server_port and int(remote.split(":")[1], 16) == client_port:
            return inode
    return None


def _worker_of(local_port: int, port: int, workers: list[int]) -> int:
    """The worker holding the server's end of our connection from `local_port`."""
    deadline = time.monotonic() + 10
    while True:       # a connection not yet accepted is in the listening socket's queue, in no worker
        inode = _server_inode(port, local_port)
        holder = next((pid for pid in workers if inode in _socket_inodes(pid)), None)
        if holder is not None:
            return holder
        assert time.monotonic() < deadline, f"no worker accepted the connection from port {local_port}"
        time.sleep(0.02)


def _get_on_a_worker(port: int, path: str, workers: list[int]) -> tuple[int, int]:
    """GET `path` on a new connection: (the worker that holds it, the status)."""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as conn:
        # The request's last line only once its worker is found: the server closes the connection after answering.
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n".encode())
        worker = _worker_of(conn.getsockname()[1], port, workers)
        conn.sendall(b"\r\n")
        head = conn.recv(64).decode("latin-1")
    return worker, int(head.split()[1])


def _class_across_workers(url: str, port: int, workers: list[int]) -> None:
    """A class made through one connection, its followers' sockets on both workers: all follow, via Redis."""
    room = Room(url)
    try:
        session = start_class(url)
        lead = room.lead(session)
        followers = []
        while len({_worker_of(p.ws.socket.getsockname()[1], port, workers) for p in followers}) < 2:
            assert len(followers) < 24, "the kernel gave every socket to one worker"
            followers.append(room.follow(session))
        lead.send(soften_move(3.31, [4.595, 0.0]))
        answer = lead.next("reply")["body"]
        for page in followers:
            frame = page.next("state")
            assert frame["state"]["T"] == 3.31 and frame["answer"] == answer
    finally:
        room.close()


def _run_across_workers(url: str, port: int, workers: list[int]) -> None:
    """A run started through one connection trains on the job engine's worker; both web workers report it."""
    created = httpx.post(url + "/api/runs", json=RUN, timeout=30)
    assert created.status_code == 202, created.text
    run = created.json()
    answered: dict[int, int] = {}
    while len(answered) < 2:
        assert sum(answered.values()) < 24, "the kernel gave every connection to one worker"
        worker, status = _get_on_a_worker(port, f"/api/runs/{run['id']}", workers)
        assert status == 200, f"worker {worker} does not know run {run['id']}"
        answered[worker] = answered.get(worker, 0) + 1
    with httpx.Client(timeout=120) as c:
        events = follow(c, url + run["events_url"])
    assert events[-1].event == "done" and {e.event for e in events[:-1]} == {"step"}
    assert [e.id for e in events] == list(range(1, len(events) + 1))
    assert events[-2].data["step"] == RUN["config"]["steps"]


def test_two_workers_serve_the_same_answers_one_class_and_one_run(redis_server, client, cache_dir, tmp_path):
    DigitsTeacherCache(cache_dir).get("cpu")            # the run's worker loads the teacher instead of training it
    env = engine_env(redis_server.url, cache_dir)
    engine_worker = start_worker({**os.environ, **env}, tmp_path)
    port = free_port()
    proc = _serve("--workers", "2", "--port", str(port), env=_env(**env))
    url = f"http://127.0.0.1:{port}"
    workers: list[int] = []
    try:
        wait_until_healthy(url, proc, timeout=120)
        # uvicorn's supervisor, and under it one process per worker (plus multiprocessing's tracker)
        workers += [pid for pid in _children(proc.pid) if "multiprocessing.spawn" in Path(f"/proc/{pid}/cmdline").read_text()]
        assert len(workers) == 2
        for path, body in REQUESTS:
            # a new connection each time, so the two workers both get some of them
            for _ in range(3):
                got = httpx.post(url + path, json=body, timeout=30)
                assert got.status_code == 200, got.text
                assert_same(got.json(), client.post(path, json=body).json(), where=path)
        _class_across_workers(url, port, workers)
        _run_across_workers(url, port, workers)
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
        engine_worker.stop()
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a worker outlived the server"
