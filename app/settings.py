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


@lru_cache
def get_settings() -> Settings:
    return Settings()
