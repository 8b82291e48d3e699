"""app.kd and app.training import no web code: a GPU machine with torch and scikit-learn runs them."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter in which importing any web package fails.
PROBE = """
import builtins
real = builtins.__import__
def refuse(name, *args, **kwargs):
    if name.split(".")[0] in ("fastapi", "starlette", "pydantic", "pydantic_settings", "jinja2", "uvicorn"):
        raise ImportError("web import: " + name)
    if name.startswith("app.web") or name == "app.settings" or name == "app.main":
        raise ImportError("web import: " + name)
    return real(name, *args, **kwargs)
builtins.__import__ = refuse
import app.kd, app.kd.topk, app.kd.divergence, app.kd.gradients
import app.training.experiments, app.training.runs, app.training.config_fields
import app.training.engine, app.training.engine.embedded
import app.training.digits.experiment, app.training.digits.bias_fix
import app.training.tinylm.experiment, app.training.tinylm.compare, app.training.tinylm.inspect_teacher
import app.training.tinylm.kd_trainer, app.training.tinylm.recipe
print("ok")
"""


def test_the_math_and_the_runs_import_without_the_web_stack():
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr[-2000:]
