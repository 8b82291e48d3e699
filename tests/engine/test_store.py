"""The Redis scripts one by one, on a real redis-server: what every engine process relies on."""
from __future__ import annotations

import json

import pytest
import redis

from app.training.engine.store import (QUEUED, RUNNING, SCRIPTS, RunKeys, client_runs_key, encode, events_key,
                                       run_key, snapshot, workers_key)

MAX_EVENTS, TTL = 10, 120


@pytest.fixture()
def r(redis_server):
    client = redis.Redis.from_url(redis_server.url, decode_responses=True)
    yield client
    client.close()


def call(r, name, keys: RunKeys, *args):
    return r.register_script(SCRIPTS[name])(keys=keys.keys(), args=[keys.run_id, MAX_EVENTS, TTL, *args])


def admit(r, run_id="run1", client="10.0.0.1", max_queued=5, max_per_client=5):
    keys = RunKeys(run_id, client)
    return keys, call(r, "admit", keys, max_queued, max_per_client, "digits", "cpu", encode({"steps": 9}), client, 60)


def test_admission_counts_against_both_limits_and_a_finished_run_frees_them(r):
    keys, verdict = admit(r)
    assert verdict == ["ok"] and r.zcard(QUEUED) == 1 and r.zcard(client_runs_key("10.0.0.1")) == 1
    assert snapshot(r.hgetall(run_key("run1"))) == {"id": "run1", "experiment": "digits", "status": "queued",
                                                    "device": "cpu", "config": {"steps": 9}, "final": None,
                                                    "error": None}
    assert admit(r, "run2", max_per_client=1)[1] == ["client", 1]
    assert admit(r, "run3", client="10.0.0.2", max_queued=1)[1] == ["server", 1]
    assert call(r, "claim", keys, "w1") == "running" and r.zcard(QUEUED) == 0 and r.zcard(RUNNING) == 1
    call(r, "append", keys, "done", encode({"test_acc": 0.9}), "done", "")
    assert r.zcard(RUNNING) == 0 and r.zcard(client_runs_key("10.0.0.1")) == 0
    assert 0 < r.ttl(run_key("run1")) <= TTL and 0 < r.ttl(events_key("run1")) <= TTL
    assert snapshot(r.hgetall(run_key("run1")))["final"] == {"test_acc": 0.9}


def test_events_are_numbered_bounded_and_nothing_follows_the_terminal_one(r):
    keys, _ = admit(r)
    call(r, "claim", keys, "w1")
    ids = [call(r, "append", keys, "step", encode({"step": i}), "", "") for i in range(1, 15)]
    assert ids == list(range(1, 15))
    assert call(r, "append", keys, "error", encode({"reason": "boom"}), "failed", "boom") == 15
    assert call(r, "append", keys, "step", encode({"step": 99}), "", "") == 0           # after the end: refused
    assert call(r, "append", keys, "done", encode({}), "done", "") == 0
    entries = r.xrange(events_key("run1"))
    assert len(entries) == MAX_EVENTS and entries[-1][0] == "0-15"                       # oldest steps dropped
    assert json.loads(entries[-1][1]["data"]) == {"reason": "boom"}
    assert snapshot(r.hgetall(run_key("run1")))["error"] == "boom"


def test_only_a_queued_run_can_be_claimed_and_cancel_depends_on_the_state(r):
    keys, _ = admit(r)
    assert call(r, "cancel", keys) == "cancelled"                # queued: cancelled at once
    assert call(r, "claim", keys, "w1") == "cancelled"           # a late message finds it over
    assert [e[1]["type"] for e in r.xrange(events_key("run1"))] == ["cancelled"]
    keys2, _ = admit(r, "run2")
    call(r, "claim", keys2, "w1")
    heartbeat = r.register_script(SCRIPTS["heartbeat"])
    assert heartbeat(keys=[run_key("run2")]) == 0
    assert call(r, "cancel", keys2) == "running"                 # running: flagged for its worker…
    assert heartbeat(keys=[run_key("run2")]) == 1                # …which learns it at its next beat
    assert call(r, "claim", keys2, "w2") == "running" and r.hget(run_key("run2"), "worker") == "w1"


def test_the_reaper_fails_a_silent_worker_and_a_run_nobody_takes(r):
    running, _ = admit(r, "run1")
    call(r, "claim", running, "w1")
    assert call(r, "reap", running, 60, 600) == "running"        # beating recently: left alone
    r.hset(run_key("run1"), "heartbeat", 0)                      # its last beat long ago
    assert call(r, "reap", running, 60, 600) == "failed"
    assert "w1" in r.hget(run_key("run1"), "error") and "no heartbeat for 60 s" in r.hget(run_key("run1"), "error")
    waiting, _ = admit(r, "run2")
    r.hset(run_key("run2"), "created", 0)
    assert call(r, "reap", waiting, 60, 600) == "failed"
    assert "no worker took the run within 600 s" in r.hget(run_key("run2"), "error")
    assert call(r, "reap", RunKeys("nothing", "x")) == "gone"


def test_live_workers_are_counted_per_device(r):
    beat = r.register_script(SCRIPTS["worker_beat"])
    assert beat(keys=[workers_key("cpu")], args=["a", 10, 1]) == 1
    assert beat(keys=[workers_key("cpu")], args=["b", 10, 1]) == 2
    assert beat(keys=[workers_key("cuda")], args=["", 10, 1]) == 0
    r.zadd(workers_key("cpu"), {"a": 0})                         # a's last beat long ago
    assert beat(keys=[workers_key("cpu")], args=["", 10, 1]) == 1
    assert beat(keys=[workers_key("cpu")], args=["b", 10, 0]) == 0   # b left
