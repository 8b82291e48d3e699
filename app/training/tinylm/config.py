"""A tiny-LM run's config: what POST /api/runs (experiment "tinylm") and lesson 4.4's comparison set."""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields

from app.training.tinylm import task
from app.training.tinylm.models import STUDENT


@dataclass(frozen=True)
class TinyLMRunConfig:
    training_mode: str = "distillation"
    alpha: float = 0.5
    temperature: float = 2.0
    top_k: int = 8
    examples: int = 300          # captured transfer-set orders the student learns from
    steps: int = 400
    seed: int = 0
    student_hidden: int = STUDENT.d_model
    batch_size: int = 64
    lr: float = 5e-3
    log_every: int | None = None  # None: about 50 records per run

    def as_dict(self) -> dict:
        return asdict(self)


_FIELDS = {f.name for f in fields(TinyLMRunConfig)}
# Fields POST /api/runs sends for every experiment that mean nothing here: accepted only when unset.
_IGNORED_WHEN_NULL = {"omit_class"}


def _num(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)


def _int(v) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


def config_problems(config: dict) -> dict[str, str]:
    """Field -> what is wrong with it (empty when the run can start); unset fields take defaults."""
    out: dict[str, str] = {}
    for name, value in config.items():
        if name in _IGNORED_WHEN_NULL:
            if value is not None:
                out[name] = "not a tinylm run setting (leave it null)"
        elif name not in _FIELDS:
            out[name] = "not a tinylm run setting"
    c = {**TinyLMRunConfig().as_dict(), **{k: v for k, v in config.items() if k in _FIELDS}}
    checks = [
        ("training_mode", c["training_mode"] in ("distillation", "sft"), "must be distillation or sft"),
        ("alpha", _num(c["alpha"]) and 0 <= c["alpha"] <= 1, "must lie in [0, 1]"),
        ("temperature", _num(c["temperature"]) and 0.1 <= c["temperature"] <= 20, "must lie in [0.1, 20]"),
        ("top_k", _int(c["top_k"]) and 1 <= c["top_k"] <= task.V, f"must be an integer in [1, {task.V}]"),
        ("examples", _int(c["examples"]) and 16 <= c["examples"] <= 5000, "must be an integer in [16, 5000]"),
        ("steps", _int(c["steps"]) and c["steps"] >= 1, "must be an integer >= 1"),
        ("seed", _int(c["seed"]) and 0 <= c["seed"] < 2**31, "must be an integer in [0, 2^31)"),
        ("student_hidden", _int(c["student_hidden"]) and 8 <= c["student_hidden"] <= 64
         and c["student_hidden"] % STUDENT.n_head == 0,
         f"must be a multiple of {STUDENT.n_head} in [8, 64] (the student's width)"),
        ("batch_size", _int(c["batch_size"]) and 1 <= c["batch_size"] <= 1024, "must be an integer in [1, 1024]"),
        ("lr", _num(c["lr"]) and 0 < c["lr"] <= 1, "must lie in (0, 1]"),
        ("log_every", c["log_every"] is None or (_int(c["log_every"]) and c["log_every"] >= 1),
         "must be null or an integer >= 1"),
    ]
    for name, ok, reason in checks:
        if not ok and name not in out:
            out[name] = reason
    return out


def run_config(config: dict) -> TinyLMRunConfig:
    """The full config from the settings a client chose; ValueError naming every bad field."""
    problems = config_problems(config)
    if problems:
        raise ValueError("; ".join(f"{k}: {v}" for k, v in problems.items()))
    return TinyLMRunConfig(**{k: v for k, v in config.items() if k in _FIELDS})
