"""The `brewslm` command. Each subcommand registers itself here; its work lives in its own module."""
from __future__ import annotations

import argparse
import sys

from app.cli_distill import add_distill
from app.cli_tinylm import add_tinylm_commands


def _serve(args: argparse.Namespace) -> int:
    import uvicorn

    from app.settings import get_settings
    from app.web.server_limits import uvicorn_options

    settings = get_settings()
    # The app would lower uvicorn's limits to these at start-up anyway (app/web/server_limits.py); saying
    # them here keeps them visible where the server is started.
    uvicorn.run("app.main:app", host=args.host or settings.host, port=args.port or settings.port,
                reload=args.reload, log_level="info", **uvicorn_options(settings),
                # Open live-run event streams would otherwise hold a Ctrl-C for up to a run's time limit.
                timeout_graceful_shutdown=5)
    return 0


def add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="serve the lessons at http://127.0.0.1:8000")
    p.add_argument("--host", help="interface to bind (default 127.0.0.1, or BREWSLM_HOST)")
    p.add_argument("--port", type=int, help="port (default 8000, or BREWSLM_PORT)")
    p.add_argument("--reload", action="store_true", help="restart when the code changes (development)")
    p.set_defaults(func=_serve)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="brewslm", description="BrewSLM Learn: knowledge distillation, live.")
    sub = parser.add_subparsers(dest="command", required=True)
    add_serve(sub)
    add_distill(sub)
    add_tinylm_commands(sub)  # capture, train, train-teacher
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
