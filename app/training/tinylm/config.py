"""A tiny-LM run's config: what POST /api/runs (experiment "tinylm") and lesson 4.4's comparison set.

Each field carries its bounds (app/training/config_fields.py), read by the API's 422s and /openapi.json.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Optional

from app.training.config_fields import raise_for_problems, setting, settings_problems
from app.training.tinylm import task
from app.training.tinylm.models import STUDENT

TRAINING_MODES = ("distillation", "sft")


@dataclass(frozen=True)
class TinyLMRunConfig:
    training_mode: str = setting("distillation", "distillation (the KD loss) or sft (hard labels only, alpha = 1)",
                                 choices=TRAINING_MODES)
    alpha: float = setting(0.5, "weight of the hard-label cross-entropy; 1 − alpha weighs T²·KL", ge=0, le=1)
    temperature: float = setting(2.0, "KD temperature T", ge=0.1, le=20)
    top_k: int = setting(8, "teacher ids kept per position in the capture", ge=1, le=task.V)
    examples: int = setting(300, "captured transfer-set orders the student learns from", ge=16, le=5000)
    steps: int = setting(400, "optimiser steps (the server caps them: BREWSLM_MAX_RUN_STEPS)", ge=1)
    seed: int = setting(0, "seed of the student's weights and the batch order", ge=0, le=2**31 - 1)
    student_hidden: int = setting(STUDENT.d_model, "the student's width (d_model)", ge=8, le=64,
                                  multiple_of=STUDENT.n_head)
    batch_size: int = setting(64, "orders per step", ge=1, le=1024)
    lr: float = setting(5e-3, "AdamW learning rate", gt=0, le=1)
    log_every: Optional[int] = setting(None, "steps between records; null: about 50 records per run",
                                       ge=1, le=100_000)

    def as_dict(self) -> dict:
        return asdict(self)


def config_problems(config: dict) -> dict[str, str]:
    """Field -> what is wrong with it (empty when the run can start); unset fields take defaults."""
    return settings_problems(TinyLMRunConfig, config, "tinylm run")


def run_config(config: dict) -> TinyLMRunConfig:
    """The full config from the settings a client chose; ValueError naming every bad field."""
    raise_for_problems(TinyLMRunConfig, config, "tinylm run")
    return TinyLMRunConfig(**config)
