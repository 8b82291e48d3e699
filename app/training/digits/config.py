"""A digits run's config: what a learner chooses in the lab, `brewslm distill` and POST /api/runs."""
from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Optional

from app.training.digits.data import NUM_CLASSES
from app.training.digits.models import STUDENT_HIDDEN_MAX, STUDENT_HIDDEN_MIN

TEMPERATURE_MIN, TEMPERATURE_MAX = 0.5, 20.0


@dataclass(frozen=True)
class DigitsRunConfig:
    alpha: float = 0.5               # weight of the hard-label CE; 1 - alpha on T²·KL
    temperature: float = 4.0
    steps: int = 2000
    seed: int = 0
    omit_class: Optional[int] = None  # a class removed from the student's training data
    student_hidden: int = 32
    batch_size: int = 64
    lr: float = 3e-3
    log_every: Optional[int] = None   # None: about 100 records per run

    def __post_init__(self) -> None:
        errors = config_problems(asdict(self))
        if errors:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in errors.items()))

    @property
    def logging_interval(self) -> int:
        return self.log_every or max(1, self.steps // 100)

    def as_dict(self) -> dict:
        return asdict(self)


def config_problems(c: dict) -> dict[str, str]:
    """Field -> what is wrong with it, for a full set of DigitsRunConfig values (empty when valid)."""
    out: dict[str, str] = {}
    if not 0.0 <= c["alpha"] <= 1.0:
        out["alpha"] = "must lie in [0, 1]"
    if not TEMPERATURE_MIN <= c["temperature"] <= TEMPERATURE_MAX:
        out["temperature"] = f"must lie in [{TEMPERATURE_MIN}, {TEMPERATURE_MAX}]"
    if c["steps"] < 1:
        out["steps"] = "must be at least 1"
    if c["seed"] < 0:
        out["seed"] = "must be >= 0"
    if c["omit_class"] is not None and not 0 <= c["omit_class"] < NUM_CLASSES:
        out["omit_class"] = f"must be null or a class in 0..{NUM_CLASSES - 1}"
    if not STUDENT_HIDDEN_MIN <= c["student_hidden"] <= STUDENT_HIDDEN_MAX:
        out["student_hidden"] = f"must lie in [{STUDENT_HIDDEN_MIN}, {STUDENT_HIDDEN_MAX}]"
    if c["batch_size"] < 1:
        out["batch_size"] = "must be at least 1"
    if not c["lr"] > 0:
        out["lr"] = "must be > 0"
    if c["log_every"] is not None and c["log_every"] < 1:
        out["log_every"] = "must be at least 1"
    return out


_FIELDS = {f.name for f in fields(DigitsRunConfig)}


def digits_problems(config: dict) -> dict[str, str]:
    """What a digits run cannot accept in `config`, by field (unset fields take their defaults)."""
    unknown = {name: "not a digits run setting" for name in sorted(set(config) - _FIELDS)}
    return unknown or config_problems({**DigitsRunConfig().as_dict(), **config})

