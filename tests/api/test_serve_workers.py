"""`brewslm serve --workers N`: refused without Redis, and with it two processes that answer as one does."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.cli import workers_problem
from tests.class_client import Room, soften_move, start_class
from tests.live_server import free_port, wait_until_healthy
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


def _worker_of(page, port: int, workers: list[int]) -> int:
    inode = _server_inode(port, page.ws.socket.getsockname()[1])
    return next(pid for pid in workers if inode in _socket_inodes(pid))


def _class_across_workers(url: str, port: int, workers: list[int]) -> None:
    """A class made through one connection, its followers' sockets on both workers: all follow, via Redis."""
    room = Room(url)
    try:
        session = start_class(url)
        lead = room.lead(session)
        followers = []
        while len({_worker_of(p, port, workers) for p in followers}) < 2:
            assert len(followers) < 24, "the kernel gave every socket to one worker"
            followers.append(room.follow(session))
        lead.send(soften_move(3.31, [4.595, 0.0]))
        answer = lead.next("reply")["body"]
        for page in followers:
            frame = page.next("state")
            assert frame["state"]["T"] == 3.31 and frame["answer"] == answer
    finally:
        room.close()


def test_two_workers_serve_the_same_answers_and_one_class(redis_server, client):
    port = free_port()
    proc = _serve("--workers", "2", "--port", str(port), env=_env(BREWSLM_REDIS_URL=redis_server.url))
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
    finally:
        proc.terminate()
        proc.communicate(timeout=30)
    assert not [pid for pid in workers if Path(f"/proc/{pid}").exists()], "a worker outlived the server"
