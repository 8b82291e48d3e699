"""One digits run called directly (no server, no engine), printing its seconds: the machine's own speed.

    .venv/bin/python bench/_direct_run.py STEPS
"""
from __future__ import annotations

import sys
import time

from _engine import CACHE, teacher_on_disk  # noqa: F401 - sets up sys.path

from app.device import use_one_cpu_thread  # noqa: E402
from app.training.digits.config import DigitsRunConfig  # noqa: E402
from app.training.digits.data import load_split  # noqa: E402
from app.training.digits.teacher import DigitsTeacherCache  # noqa: E402
from app.training.digits.trainer import train_digits_student  # noqa: E402

use_one_cpu_thread()
teacher, split = DigitsTeacherCache(CACHE).get("cpu"), load_split("cpu")
started = time.perf_counter()
for _ in train_digits_student(DigitsRunConfig(steps=int(sys.argv[1])), teacher=teacher, split=split):
    pass
print(f"{time.perf_counter() - started:.3f}")
