"""Settings from the environment (prefix BREWSLM_), one cached instance per process."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

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
    class_lead_rate: float = Field(default=60, gt=0)          # messages a second from an instructor's page
    class_follow_rate: float = Field(default=4, gt=0)         # … from a follower's page (bursts twice that)


@lru_cache
def get_settings() -> Settings:
    return Settings()
