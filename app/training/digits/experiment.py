"""The digits experiment as the run engines see it: the run function over its cached teacher."""
from __future__ import annotations

import threading
from pathlib import Path
from typing import Iterator

import torch

from app.training.digits.config import DigitsRunConfig
from app.training.digits.data import load_split
from app.training.digits.teacher import DigitsTeacherCache
from app.training.digits.trainer import train_digits_student


class DigitsExperiment:
    """The digits experiment with its teacher, trained once per cache directory and kept per device."""

    def __init__(self, cache_dir: Path) -> None:
        self.teachers = DigitsTeacherCache(cache_dir)

    def run(self, config: dict, device: torch.device, cancel_event: threading.Event) -> Iterator[dict]:
        cfg = DigitsRunConfig(**config)
        teacher = self.teachers.get(device)  # trains and caches the teacher the first time
        yield from train_digits_student(cfg, teacher=teacher, split=load_split(device), cancel_event=cancel_event)
