"""The per-client limiter and the fair lane: caps per client and in all, round-robin turns, no leaks."""
from __future__ import annotations

import asyncio
import threading
import time

import pytest

from app.web.lane import FairLane
from app.web.limiter import ClientLimit, LimitExceeded
from tests.run_async import run_async


def test_a_client_limit_caps_each_client_and_the_total_and_names_which():
    limit = ClientLimit("live sockets", per_client=2, total=3, retry_after_s=7)
    a1, a2 = limit.acquire("a"), limit.acquire("a")
    with pytest.raises(LimitExceeded) as per_client:
        limit.acquire("a")
    assert per_client.value.limit == "live sockets per client" and per_client.value.retry_after == 7
    b1 = limit.acquire("b")
    with pytest.raises(LimitExceeded) as total:
        limit.acquire("c")
    assert total.value.limit == "live sockets on this server"
    a1.release()
    a1.release()                                  # releasing twice frees one slot, not two
    assert limit.held("a") == 1 and limit.held() == 2
    with limit.acquire("c"):
        assert limit.held("c") == 1
    assert limit.held("c") == 0
    a2.release()
    b1.release()
    assert limit.held() == 0


def test_limit_exceeded_rounds_retry_after_up_to_whole_seconds():
    assert LimitExceeded("x", "d", 0.01).retry_after == 1
    assert LimitExceeded("x", "d", 2.2).retry_after == 3
    assert LimitExceeded("x", "d", 2.2).body() == {"detail": "d", "limit": "x", "retry_after": 3}


def test_a_lane_starts_waiting_jobs_round_robin_across_clients():
    async def scenario() -> list[str]:
        lane = FairLane("test", workers=1, per_client=10, max_waiting=20)
        gate = threading.Event()
        order: list[str] = []

        def job(name: str):
            def run():
                gate.wait(5)
                order.append(name)
            return run

        first = asyncio.create_task(lane.run("a", job("a0")))   # holds the one worker until the gate opens
        await asyncio.sleep(0.05)
        tasks = [asyncio.create_task(lane.run("a", job(f"a{i}"))) for i in range(1, 5)]
        await asyncio.sleep(0.01)
        tasks += [asyncio.create_task(lane.run("b", job(f"b{i}"))) for i in range(2)]
        tasks += [asyncio.create_task(lane.run("c", job("c0")))]
        await asyncio.sleep(0.05)
        gate.set()
        await asyncio.gather(first, *tasks)
        lane.close()
        return order

    # a queued four jobs before b and c asked, and still b and c do not wait for all of them
    assert run_async(scenario()) == ["a0", "a1", "b0", "c0", "a2", "b1", "a3", "a4"]


def test_a_lane_refuses_past_its_caps_and_frees_slots_of_callers_that_left():
    async def scenario() -> None:
        lane = FairLane("test", workers=1, per_client=2, max_waiting=2)
        gate = threading.Event()
        running = asyncio.create_task(lane.run("a", lambda: gate.wait(5)))
        await asyncio.sleep(0.05)
        waiting = asyncio.create_task(lane.run("a", lambda: "a's second"))
        await asyncio.sleep(0.01)
        with pytest.raises(LimitExceeded) as per_client:
            await lane.run("a", lambda: None)
        assert per_client.value.limit == "test requests per client"
        b = asyncio.create_task(lane.run("b", lambda: "b"))
        await asyncio.sleep(0.01)
        with pytest.raises(LimitExceeded) as total:
            await lane.run("c", lambda: None)
        assert total.value.limit == "test requests on this server"
        waiting.cancel()                          # a caller gone while waiting: its slot comes free
        await asyncio.sleep(0.01)
        assert lane.limit.held("a") == 1 and lane.waiting() == 1
        gate.set()
        assert await running is True and await b == "b"
        assert lane.limit.held() == 0
        assert await lane.run("c", lambda: 42) == 42
        lane.close()

    run_async(scenario())


def test_a_job_whose_caller_left_still_runs_once_and_passes_its_turn_on():
    async def scenario() -> None:
        lane = FairLane("test", workers=1, per_client=4, max_waiting=4)
        ran = threading.Event()

        def slow():
            time.sleep(0.1)
            ran.set()

        task = asyncio.create_task(lane.run("a", slow))
        await asyncio.sleep(0.02)
        task.cancel()
        assert await lane.run("b", lambda: "next") == "next"     # waits for slow(), then runs
        assert ran.is_set() and lane.limit.held() == 0
        lane.close()

    run_async(scenario())


def test_a_failing_job_raises_to_its_caller_and_frees_its_slot():
    async def scenario() -> None:
        lane = FairLane("test", workers=1, per_client=1, max_waiting=1)

        def broken():
            raise ValueError("no")

        with pytest.raises(ValueError):
            await lane.run("a", broken)
        assert await lane.run("a", lambda: 1) == 1
        lane.close()

    run_async(scenario())
