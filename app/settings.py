"""Settings from the environment (prefix BREWSLM_), one cached instance per process."""
from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Literal, Optional

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BREWSLM_", frozen=True)

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)

    lessons_dir: Path = PROJECT_ROOT / "lessons"
    templates_dir: Path = PROJECT_ROOT / "templates"
    static_dir: Path = PROJECT_ROOT / "static"
    # Teacher checkpoints and other things the app makes for itself; ignored by git.
    cache_dir: Path = PROJECT_ROOT / "var" / "cache"

    # Request bodies above this get 413 before any parsing.
    max_body_bytes: int = Field(default=1_000_000, ge=1_024)

    # Which device runs take when a request says "auto".
    device: Literal["auto", "cpu", "cuda"] = "auto"

    # Live-run limits: a classroom of browsers must not be able to hog the server.
    max_concurrent_runs: int = Field(default=2, ge=1)
    max_queued_runs: int = Field(default=8, ge=0)
    max_run_steps: int = Field(default=5_000, ge=1)
    max_run_seconds: float = Field(default=60.0, gt=0)
    # Queued or training runs of one client (its address), in either engine. A class behind one
    # school router shares one address: raise it for a room (e.g. 40) when the server has the capacity.
    max_runs_per_client: int = Field(default=4, ge=1)

    # Redis for what several processes share (BREWSLM_REDIS_URL, e.g. redis://127.0.0.1:6379/0). Unset:
    # everything stays in this process. Set: live runs are Celery tasks executed by `brewslm worker`.
    redis_url: Optional[str] = None
    # The Celery engine: a running run whose worker has not beaten for this long fails (worker killed);
    # a run no worker takes within run_queue_timeout_s fails; finished runs are kept this long.
    run_heartbeat_timeout_s: float = Field(default=10.0, ge=1)
    run_queue_timeout_s: float = Field(default=600.0, ge=1)
    finished_run_ttl_s: int = Field(default=3600, ge=60)

    # Shared state between server processes: class sessions (and runs) on Redis. Unset: all in this process.
    redis_url: str | None = None

    # Class sessions ("Teach the room", app/classroom). The address learners open, when the server cannot
    # tell it (behind a proxy or a name): e.g. http://192.168.1.20:8000. Unset: found from the request or
    # the machine's network address.
    public_url: str | None = None
    class_max_classes: int = Field(default=50, ge=1)          # live classes, all processes together
    class_max_followers: int = Field(default=250, ge=1)       # follower pages per class
    class_idle_minutes: float = Field(default=15, gt=0)       # after the last instructor page closed
    class_max_hours: float = Field(default=12, gt=0)
    class_failed_joins: int = Field(default=50, ge=1)         # wrong codes per client per 10 minutes
    class_creates_per_hour: int = Field(default=20, ge=1)     # classes one client may start
    class_message_bytes: int = Field(default=16_384, ge=1_024)
    class_sockets_per_client: int = Field(default=300, ge=1)   # a lecture hall behind one router
    class_sockets_total: int = Field(default=1_000, ge=1)
    class_lead_rate: float = Field(default=60, gt=0)          # messages a second from an instructor's page
    class_follow_rate: float = Field(default=4, gt=0)         # … from a follower's page (bursts twice that)

    # --- Hardening: what one client may cost the others (docs/ARCHITECTURE.md, "Limits"). A whole class
    # behind one school router shares one address, so per-address caps are sized for a room of forty.
    # Host names the app answers besides localhost, 127.0.0.1 and [::1] (and the --host it is bound to):
    # BREWSLM_ALLOWED_HOSTS=room.local,192.168.1.20 (comma-separated, or a JSON list). Anything else is a
    # DNS-rebinding page and gets 400.
    allowed_hosts: Annotated[tuple[str, ...], NoDecode] = ()
    # JSON bodies and live messages nested deeper than this get 400 before validation.
    max_json_depth: int = Field(default=32, ge=2, le=200)
    # WS /api/live: the largest message (bigger gets 413; past 2× the server closes the socket, 1009),
    # sockets per client address and in all, the work budget of each socket and of each client address
    # (estimated seconds of compute per second, and the burst it may save up), and how long a reply may
    # wait on a client that reads nothing before its socket is closed.
    live_max_message_bytes: int = Field(default=512 * 1024, ge=4096)
    live_sockets_per_client: int = Field(default=100, ge=1)
    live_sockets_total: int = Field(default=500, ge=1)
    live_work_per_second: float = Field(default=0.25, gt=0)
    live_work_per_client_per_second: float = Field(default=0.5, gt=0)
    live_work_per_client_burst_seconds: float = Field(default=0.02, gt=0)
    live_work_burst_seconds: float = Field(default=1.0, gt=0)
    live_send_timeout_seconds: float = Field(default=10.0, gt=0)
    # Requests estimated to cost more than this much compute leave the event loop for the heavy lane: a
    # few worker threads shared fairly (round-robin) between client addresses.
    inline_work_seconds: float = Field(default=0.0005, ge=0)
    heavy_lane_workers: int = Field(default=1, ge=1)
    heavy_per_client: int = Field(default=64, ge=1)   # a room of forty, each with one request out
    heavy_waiting: int = Field(default=256, ge=1)
    # Tiny-LM comparisons (seconds each): one client may have this many waiting or running, all clients
    # together this many waiting.
    compare_per_client: int = Field(default=16, ge=1)
    compare_waiting: int = Field(default=32, ge=1)
    # Every open connection (HTTP and WebSocket) together; past it the server answers 503.
    max_connections: int = Field(default=1000, ge=16)

    @field_validator("allowed_hosts", mode="before")
    @classmethod
    def comma_separated(cls, value: object) -> object:
        """BREWSLM_ALLOWED_HOSTS as "a,b" or as a JSON list; names compared lower-case."""
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                value = json.loads(text)
            else:
                value = [part for part in text.split(",")]
        if isinstance(value, (list, tuple)):
            return tuple(str(v).strip().lower().rstrip(".") for v in value if str(v).strip())
        return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
