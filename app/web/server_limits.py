"""The server's own limits, in force however the app is started.

Some limits live in the server, not the app: the largest WebSocket message uvicorn will assemble (it
decompresses and decodes a whole message before the app sees a byte of it), whether it negotiates
per-message deflate (a 16 MB message was 15.6 KB on the wire), and how many connections it serves.
`brewslm serve` passes them to uvicorn (`uvicorn_options`). `uvicorn app.main:app` starts with uvicorn's
defaults (16 MB messages, deflate on), so at start-up (the ASGI lifespan, before the server accepts a
connection) the app finds the uvicorn config it is being served by and lowers those settings to its own;
uvicorn reads them for every new connection. If it cannot (another server, lifespan off), the live
socket stays off with a warning, and the pages use POST.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

import uvicorn
from starlette.types import Receive

from app.settings import Settings

log = logging.getLogger("brewslm")


@dataclass
class WireLimits:
    """Whether the server is known to enforce `uvicorn_options` (set at start-up)."""

    in_force: bool = False


def wire_message_bytes(settings: Settings) -> int:
    """The largest WebSocket message the server assembles. Between the live limit and this, the app still
    reads the message id and answers 413 with it; past this the server closes the socket (1009)."""
    return 2 * settings.live_max_message_bytes


def uvicorn_options(settings: Settings) -> dict[str, object]:
    return {"ws_max_size": wire_message_bytes(settings), "ws_per_message_deflate": False,
            "limit_concurrency": settings.max_connections}


def apply_to_uvicorn(config: uvicorn.Config, settings: Settings) -> None:
    """Lower the config's limits to ours (a stricter one set by whoever started the server stays)."""
    for name, ours in uvicorn_options(settings).items():
        theirs = getattr(config, name)
        if isinstance(ours, bool):
            setattr(config, name, ours and theirs)
        else:
            setattr(config, name, ours if theirs is None else min(theirs, ours))


def take_server_limits(receive: Receive, settings: Settings, wire: WireLimits) -> None:
    """Called with the lifespan's `receive`, before start-up: put the limits in force if the server is uvicorn."""
    # uvicorn hands the app its lifespan object's bound `receive`; that object holds the server's Config.
    config = getattr(getattr(receive, "__self__", None), "config", None)
    if isinstance(config, uvicorn.Config):
        apply_to_uvicorn(config, settings)
        wire.in_force = True
    else:
        log.warning("the server's WebSocket limits could not be checked, so WS /api/live is off and the "
                    "explorers use POST; start the app with `brewslm serve` or uvicorn to have it")
