"""The Celery application: one task, `brewslm.run(run_id)`, routed to a queue per device.

The web processes only send it (by name); `brewslm worker` builds the same app with an executor and
runs it. Settings that matter:

- acks_late with a prefetch of 1: a worker takes its next run only when it has finished the last one,
  so a burst of runs spreads over every worker instead of piling up behind the first.
- no result backend: a run's state and events live in Redis under our own keys (store.py), where
  every web process reads them.
- A message redelivered after a worker died (acks_late) finds its run already failed by the reaper,
  and the worker's claim refuses it: a run never trains twice.
"""
from __future__ import annotations

from typing import Callable, Optional

from celery import Celery

from app.training.engine.store import queue_name

RUN_TASK = "brewslm.run"


def make_celery(redis_url: str, execute: Optional[Callable[[str], None]] = None) -> Celery:
    """The app for `redis_url`; with `execute` (a worker's), the task runs `execute(run_id)`."""
    app = Celery("brewslm", broker=redis_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_default_queue=queue_name("cpu"),
        broker_connection_retry_on_startup=True,
        # With acks_late, a lost broker connection would otherwise leave a run training whose message is
        # redelivered to another worker; the claim refuses it anyway, and this stops the first copy.
        worker_cancel_long_running_tasks_on_connection_loss=True,
        worker_hijack_root_logger=False,
        broker_transport_options={"visibility_timeout": 3600},
    )
    if execute is not None:
        @app.task(name=RUN_TASK, ignore_result=True)
        def run(run_id: str) -> None:
            execute(run_id)
    return app
