"""The experiments a RunManager can run, by name (the `experiment` field of POST /api/runs).

Each entry keeps the contract in `app.training.runs`. To add one (tinylm), write its run function in
its own module and add one line to `build_registry`.
"""
from __future__ import annotations

import dataclasses
import threading
from pathlib import Path
from typing import Iterator

import torch

from app.training.tinylm import experiment as tinylm_experiment
from app.training.digits.data import load_split
from app.training.digits.experiment import DigitsRunConfig, config_problems
from app.training.runs import Experiment
from app.training.digits.teacher import TeacherCache
from app.training.digits.trainer import train_digits_student

_DIGITS_FIELDS = {f.name for f in dataclasses.fields(DigitsRunConfig)}


def digits_problems(config: dict) -> dict[str, str]:
    """What a digits run cannot accept in `config`, by field (unset fields take their defaults)."""
    unknown = {name: "not a digits run setting" for name in sorted(set(config) - _DIGITS_FIELDS)}
    return unknown or config_problems({**DigitsRunConfig().as_dict(), **config})


def digits_experiment(teachers: TeacherCache) -> Experiment:
    def run(config: dict, device: torch.device, cancel_event: threading.Event) -> Iterator[dict]:
        cfg = DigitsRunConfig(**config)
        teacher = teachers.get(device)  # trains and caches the teacher the first time
        yield from train_digits_student(cfg, teacher=teacher, split=load_split(device), cancel_event=cancel_event)

    return Experiment(run=run, problems=digits_problems)


def build_registry(cache_dir: Path) -> dict[str, Experiment]:
    """Every experiment this server offers, with its caches under `cache_dir`."""
    return {
        "digits": digits_experiment(TeacherCache(cache_dir)),
        "tinylm": Experiment(run=tinylm_experiment.make_run(cache_dir), problems=tinylm_experiment.config_problems),
    }
