"""The `brewslm` command. Each subcommand registers itself here; its work lives in its own module."""
from __future__ import annotations

import argparse
import sys

from app.cli_distill import add_distill
from app.cli_tinylm import add_tinylm_commands
from app.cli_worker import add_worker


def workers_problem(workers: int, reload: bool, redis_url: str | None) -> str | None:
    """Why `serve --workers N` cannot run as asked, or None.

    Each worker is a process of its own. The stateless API (the lessons, /api/kd, /api/tables, the live
    socket) is answered alike by any of them, but a live run or a class session lives in the process that
    made it unless it is kept in Redis: a run started through one worker would be unknown to the worker
    that answers its event stream. So more than one worker needs BREWSLM_REDIS_URL (with which the runs
    go to the job engine's `brewslm worker` processes, and the class sessions through Redis).
    """
    if workers < 1:
        return f"--workers must be at least 1, not {workers}"
    if workers > 1 and reload:
        return "--reload restarts a single process: use it without --workers"
    if workers > 1 and not redis_url:
        return (f"--workers {workers} needs BREWSLM_REDIS_URL (e.g. redis://127.0.0.1:6379/0): live runs and "
                "class sessions live in one process unless Redis holds them, and another worker would not "
                "know them. Set it (the runs then train on `brewslm worker` processes: start one), or serve with one "
                "worker.")
    return None


def _serve(args: argparse.Namespace) -> int:
    import os

    import uvicorn

    from app.settings import get_settings
    from app.web.server_limits import uvicorn_options

    # The app reads the interface it listens on (a class's join link needs the room's address).
    if args.host:
        os.environ["BREWSLM_HOST"] = args.host
    if args.port:
        os.environ["BREWSLM_PORT"] = str(args.port)
    get_settings.cache_clear()
    settings = get_settings()
    problem = workers_problem(args.workers, args.reload, settings.redis_url)
    if problem:
        print(f"brewslm serve: {problem}", file=sys.stderr)
        return 2
    _say_where_the_room_can_reach(settings.host, args.port or settings.port)
    # The app would lower uvicorn's limits to these at start-up anyway (app/web/server_limits.py); saying
    # them here keeps them visible where the server is started.
    uvicorn.run("app.main:app", host=args.host or settings.host, port=args.port or settings.port,
                reload=args.reload, workers=args.workers, log_level="info", **uvicorn_options(settings),
                # uvicorn kills a worker that misses a 5 s health ping; one still importing torch on a busy
                # machine can, and would be restarted forever.
                timeout_worker_healthcheck=60,
                # Open live-run event streams would otherwise hold a Ctrl-C for up to a run's time limit.
                timeout_graceful_shutdown=5)
    return 0


def _say_where_the_room_can_reach(host: str, port: int) -> None:
    from app.web.room import ALL_INTERFACES, lan_addresses

    if host in ALL_INTERFACES:
        addresses = lan_addresses()
        where = ", ".join(f"http://{a}:{port}" for a in addresses) or "this machine's network address"
        print(f"Listening on every interface: anyone on this network can open the app at {where}. "
              f"Learners join a class at {where.split(', ')[0]}/join.", flush=True)


def add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the lessons at http://127.0.0.1:8000")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1, or BREWSLM_HOST); 0.0.0.0 lets the "
                                  "room's phones and laptops join a class")
    p.add_argument("--port", type=int, help="port (default 8000, or BREWSLM_PORT)")
    p.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    p.add_argument("--workers", type=int, default=1,
                   help="worker processes (default 1); more than 1 needs BREWSLM_REDIS_URL for runs and classes")
    p.set_defaults(func=_serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brewslm", description="BrewSLM Learn: knowledge distillation, live.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_serve(sub)
    add_distill(sub)
    add_tinylm_commands(sub)  # capture, train, train-teacher
    add_worker(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
