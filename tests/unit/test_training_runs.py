"""RunManager with stand-in experiments: queue, cap, cancel, limits, failures, the event log."""
from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time

import pytest
import torch

from app.training.runs import Experiment, RunLimitReached, RunLimits, RunManager, UnknownExperiment

CPU = torch.device("cpu")


def counting(config, device, cancel):
    """Yields `n` steps, pausing `pause` s each, then done; honours cancel every step."""
    for i in range(1, config.get("n", 3) + 1):
        if cancel.is_set():
            return
        time.sleep(config.get("pause", 0.0))
        yield {"type": "step", "step": i, "loss": 1.0 / i}
    yield {"type": "done", "test_acc": 0.5}


def blocked_until(gate: threading.Event):
    def run(config, device, cancel):
        while not gate.wait(0.01):
            if cancel.is_set():
                return
        yield {"type": "done"}
    return run


def wait_finished(run, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not run.finished:
        assert time.monotonic() < deadline, f"run still {run.status}"
        time.sleep(0.005)
    return run


@pytest.fixture()
def make_manager():
    managers = []

    def make(registry, **limits):
        m = RunManager(registry, RunLimits(**limits))
        managers.append(m)
        return m

    yield make
    for m in managers:
        m.shutdown()


def test_a_run_logs_its_steps_then_done(make_manager):
    m = make_manager({"count": counting})
    run = wait_finished(m.submit("count", {"n": 3}, CPU))
    events = run.events_after(0)
    assert [e.type for e in events] == ["step", "step", "step", "done"]
    assert [e.id for e in events] == [1, 2, 3, 4]
    assert run.status == "done" and run.final == {"test_acc": 0.5}
    assert [e.id for e in run.events_after(2)] == [3, 4]  # what a reconnect after id 2 receives


def test_unknown_experiment(make_manager):
    with pytest.raises(UnknownExperiment):
        make_manager({"count": counting}).submit("tinylm", {}, CPU)


def test_concurrency_cap_and_bounded_queue(make_manager):
    gate = threading.Event()
    m = make_manager({"wait": blocked_until(gate)}, max_concurrent=1, max_queued=2)
    first = m.submit("wait", {}, CPU)
    queued = [m.submit("wait", {}, CPU) for _ in range(2)]
    with pytest.raises(RunLimitReached, match="1 run\\(s\\) training and 2 waiting"):
        m.submit("wait", {}, CPU)
    time.sleep(0.05)
    assert first.status == "running" and [r.status for r in queued] == ["queued", "queued"]
    gate.set()
    for r in [first, *queued]:
        assert wait_finished(r).status == "done"
    m.submit("wait", {}, CPU)  # room again


def test_cancel_a_running_and_a_queued_run(make_manager):
    gate = threading.Event()
    m = make_manager({"wait": blocked_until(gate)}, max_concurrent=1, max_queued=1)
    running, queued = m.submit("wait", {}, CPU), m.submit("wait", {}, CPU)
    m.cancel(queued.id)
    assert queued.status == "cancelled" and queued.events_after(0)[-1].type == "cancelled"
    time.sleep(0.02)
    m.cancel(running.id)
    assert wait_finished(running).status == "cancelled"
    assert [e.type for e in running.events_after(0)] == ["cancelled"]


def test_wall_time_limit_fails_the_run_with_a_reason(make_manager):
    m = make_manager({"count": counting}, max_wall_s=0.1)
    run = wait_finished(m.submit("count", {"n": 1000, "pause": 0.01}, CPU))
    assert run.status == "failed" and "wall-time limit of 0.1 s" in run.error
    assert run.events_after(0)[-1].type == "error"


def nan_at_step_2(config, device, cancel):
    yield {"type": "step", "step": 1, "loss": 1.0}
    yield {"type": "step", "step": 2, "loss": math.nan}
    yield {"type": "done"}


def raises(config, device, cancel):
    yield {"type": "step", "step": 1, "loss": 1.0}
    raise RuntimeError("out of teachers")


def no_done(config, device, cancel):
    yield {"type": "step", "step": 1, "loss": 1.0}


@pytest.mark.parametrize("fn, reason", [
    (nan_at_step_2, "the loss became nan at step 2"),
    (raises, "RuntimeError: out of teachers"),
    (no_done, "ended without a final record"),
])
def test_failures_end_in_an_error_event_naming_why(make_manager, fn, reason):
    run = wait_finished(make_manager({"x": fn}).submit("x", {}, CPU))
    assert run.status == "failed" and reason in run.error
    last = run.events_after(0)[-1]
    assert last.type == "error" and reason in last.data["reason"]


def test_the_event_log_is_bounded_and_keeps_the_end(make_manager):
    m = make_manager({"count": counting}, max_events=10)
    run = wait_finished(m.submit("count", {"n": 50}, CPU))
    events = run.events_after(0)
    assert len(events) == 10 and events[-1].type == "done" and events[0].id == 42


def test_old_finished_runs_are_forgotten(make_manager):
    m = make_manager({"count": counting}, keep_finished=2)
    runs = [wait_finished(m.submit("count", {"n": 1}, CPU)) for _ in range(4)]
    m.submit("count", {"n": 1}, CPU)
    assert m.get(runs[0].id) is None and m.get(runs[-1].id) is not None


def test_non_finite_numbers_are_sent_as_null(make_manager):
    def with_nan_metric(config, device, cancel):
        yield {"type": "done", "omitted_class_acc": math.nan, "nested": [math.inf, 1.0]}
    run = wait_finished(make_manager({"x": with_nan_metric}).submit("x", {}, CPU))
    assert run.final == {"omitted_class_acc": None, "nested": [None, 1.0]}


def test_async_subscriber_is_woken_by_the_worker_thread(make_manager):
    m = make_manager({"count": counting})

    async def follow():
        run = m.submit("count", {"n": 5, "pause": 0.02}, CPU)
        seen, last = [], 0
        while True:
            for e in run.events_after(last):
                seen.append(e.type)
                last = e.id
            if run.finished and not run.events_after(last):
                return seen
            started = time.monotonic()
            await run.wait_for_events(last, timeout=5)
            assert time.monotonic() - started < 1.0  # woken by the event, not by the timeout

    # A thread of its own: Playwright's sync API may have left an event loop running in this one.
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        assert pool.submit(asyncio.run, follow()).result() == ["step"] * 5 + ["done"]


def test_experiment_problems_are_kept_on_the_entry():
    entry = Experiment(run=counting, problems=lambda c: {"steps": "too many"} if c.get("steps", 0) > 5 else {})
    m = RunManager({"count": entry})
    assert m.registry["count"].problems({"steps": 9}) == {"steps": "too many"}
    assert RunManager({"plain": counting}).registry["plain"].problems({"anything": 1}) == {}
