"""One digits run called directly (no server, no engine), printing its seconds: the machine's own speed.

    .venv/bin/python bench/_direct_run.py STEPS
"""
from __future__ import annotations

import sys

from _engine import CACHE, teacher_on_disk  # noqa: F401 - sets up sys.path
from run_overhead import direct_run

from app.device import use_one_cpu_thread  # noqa: E402

use_one_cpu_thread()
print(f"{direct_run(int(sys.argv[1]), 0, CACHE):.3f}")
