"""`brewslm worker`: execute live runs from the Redis queue (BREWSLM_REDIS_URL) as a Celery worker.

One worker takes one run at a time (each run trains on one CPU core, or the GPU), from the queue of
its device: `--device cuda` on a GPU machine takes the cuda runs, and only those. Start as many as the
machine has cores (or GPUs), on as many machines as you like; they need the same BREWSLM_REDIS_URL
and, for the teachers, a cache directory (BREWSLM_CACHE_DIR) of their own or shared.

SIGTERM or Ctrl-C stops the worker cleanly: a run in progress ends at its next step with an error
event saying the worker shut down (start it again), and the worker exits. SIGKILL cannot be handled:
the web processes notice the missing heartbeat and fail the run (BREWSLM_RUN_HEARTBEAT_TIMEOUT_S).
"""
from __future__ import annotations

import argparse
import os
import socket
import sys

SHUTDOWN_REASON = "the worker running it was shut down before the run finished; start the run again"


def add_worker(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("worker", help="execute live runs from the Redis queue (needs BREWSLM_REDIS_URL)")
    p.add_argument("--device", choices=("cpu", "cuda"), default="cpu",
                   help="the queue to take runs from: cpu (default) or cuda (needs a CUDA device)")
    p.add_argument("--concurrency", type=int, default=1,
                   help="runs at once in this process (default 1; start more processes to use more cores)")
    p.add_argument("--name", help="worker name (default DEVICE-PID@HOST)")
    p.add_argument("--nice", type=int, default=10, choices=range(0, 20), metavar="0..19",
                   help="CPU priority offset (default 10): runs are batch work, so a worker on the web "
                        "server's machine leaves the CPU to the pages and explorers first")
    p.add_argument("--loglevel", default="info", choices=("debug", "info", "warning", "error"))
    p.set_defaults(func=run_worker)


def run_worker(args: argparse.Namespace) -> int:
    from app.settings import get_settings

    settings = get_settings()
    if not settings.redis_url:
        print("brewslm worker: BREWSLM_REDIS_URL is not set (e.g. redis://127.0.0.1:6379/0); the web "
              "processes must use the same one", file=sys.stderr)
        return 2
    if args.concurrency < 1:
        print("brewslm worker: --concurrency must be at least 1", file=sys.stderr)
        return 2

    import redis
    import torch
    from celery import signals

    from app.device import use_one_cpu_thread
    from app.training.engine.celery_app import make_celery
    from app.training.engine.store import queue_name, redacted
    from app.training.engine.worker import RunExecutor, WorkerBeat
    from app.training.experiments import registry_for
    from app.training.runs import RunLimits

    if args.device == "cuda" and not torch.cuda.is_available():
        print("brewslm worker: --device cuda, but torch sees no CUDA device on this machine", file=sys.stderr)
        return 2
    use_one_cpu_thread()
    os.nice(args.nice)
    name = args.name or f"{args.device}-{os.getpid()}@{socket.gethostname()}"
    client = redis.Redis.from_url(settings.redis_url, decode_responses=True, socket_connect_timeout=5)
    try:
        client.ping()
    except redis.RedisError as exc:
        print(f"brewslm worker: cannot reach Redis at {redacted(settings.redis_url)}: {exc}", file=sys.stderr)
        return 2
    executor = RunExecutor(client, registry_for(settings.cache_dir), name, max_wall_s=settings.max_run_seconds,
                           max_events=RunLimits().max_events, finished_ttl_s=settings.finished_run_ttl_s)
    app = make_celery(settings.redis_url, executor.execute)
    beat = WorkerBeat(client, args.device, name, stale_s=settings.run_heartbeat_timeout_s)
    signals.worker_ready.connect(lambda **_: beat.start(), weak=False)
    signals.worker_shutting_down.connect(lambda **_: executor.stop_all(SHUTDOWN_REASON), weak=False)
    argv = ["worker", "--queues", queue_name(args.device), "--hostname", name,
            "--pool", "solo" if args.concurrency == 1 else "threads", "--concurrency", str(args.concurrency),
            "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel", args.loglevel]
    try:
        app.worker_main(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else 0
    finally:
        beat.stop()
    return 0
