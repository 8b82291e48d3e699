"""A digits run's config: what a learner chooses in the lab, `brewslm distill` and POST /api/runs.

Each field carries its bounds (app/training/config_fields.py): the API's 422s, its /openapi.json
schema and the checks below all read them from here.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

from app.training.config_fields import raise_for_problems, setting, settings_problems
from app.training.digits.data import NUM_CLASSES
from app.training.digits.models import STUDENT_HIDDEN_MAX, STUDENT_HIDDEN_MIN

TEMPERATURE_MIN, TEMPERATURE_MAX = 0.5, 20.0
SEED_MAX = 2**31 - 1


@dataclass(frozen=True)
class DigitsRunConfig:
    alpha: float = setting(0.5, "weight of the hard-label cross-entropy; 1 − alpha weighs T²·KL", ge=0, le=1)
    temperature: float = setting(4.0, "KD temperature T", ge=TEMPERATURE_MIN, le=TEMPERATURE_MAX)
    steps: int = setting(2000, "optimiser steps (the server caps them: BREWSLM_MAX_RUN_STEPS)", ge=1)
    seed: int = setting(0, "seed of the student's weights and the batch order", ge=0, le=SEED_MAX)
    omit_class: Optional[int] = setting(None, "a digit left out of the student's data; null leaves none out",
                                        ge=0, le=NUM_CLASSES - 1)
    student_hidden: int = setting(32, "width of the 64-H-10 student", ge=STUDENT_HIDDEN_MIN, le=STUDENT_HIDDEN_MAX)
    batch_size: int = setting(64, "images per step", ge=1, le=1024)
    lr: float = setting(3e-3, "Adam learning rate", gt=0, le=1)
    log_every: Optional[int] = setting(None, "steps between records; null: about 100 records per run",
                                       ge=1, le=100_000)

    def __post_init__(self) -> None:
        raise_for_problems(DigitsRunConfig, asdict(self), "digits run")

    @property
    def logging_interval(self) -> int:
        return self.log_every or max(1, self.steps // 100)

    def as_dict(self) -> dict:
        return asdict(self)


def digits_problems(config: dict) -> dict[str, str]:
    """What a digits run cannot accept in `config`, by field (unset fields take their defaults)."""
    return settings_problems(DigitsRunConfig, config, "digits run")
