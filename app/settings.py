"""Settings from the environment (prefix BREWSLM_), one cached instance per process."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal, Optional

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
