"""The offline trainer's recipe: what `brewslm train RECIPE.yaml` reads.

    training_mode: distillation        # or sft (hard labels only; kd is then ignored)
    teacher_capture: runs/teacher_capture.jsonl
    kd: {alpha: 0.5, temperature: 2.0, top_k: 8}   # top_k: null or absent = the capture's k
    steps: 300
    seed: 0
    output: runs/kd-student
    # optional: batch_size (64), learning_rate (0.005), device (auto | cpu | cuda)

Plain dataclasses with explicit checks (no pydantic): app.training must run on a box with torch and
nothing else of the web stack. Every error is a RecipeError whose message starts with the field's
dotted name, e.g. "kd.alpha: must be a number in [0, 1], got 1.5".
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TRAINING_MODES = ("distillation", "sft")
DEVICES = ("auto", "cpu", "cuda")
MAX_STEPS = 100_000


class RecipeError(ValueError):
    """A recipe that cannot run; the message names the field."""


@dataclass(frozen=True)
class KDRecipe:
    alpha: float = 0.5
    temperature: float = 2.0
    top_k: int | None = None


@dataclass(frozen=True)
class Recipe:
    training_mode: str
    teacher_capture: Path
    output: Path
    kd: KDRecipe = field(default_factory=KDRecipe)
    steps: int = 300
    seed: int = 0
    batch_size: int = 64
    learning_rate: float = 5e-3
    device: str = "auto"


_TOP_FIELDS = {"training_mode", "teacher_capture", "output", "kd", "steps", "seed", "batch_size",
               "learning_rate", "device"}
_REQUIRED = ("training_mode", "teacher_capture", "output")
_KD_FIELDS = {"alpha", "temperature", "top_k"}


def _number(name: str, value: Any, lo: float, hi: float, *, lo_open: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or value > hi or value < lo or (lo_open and value == lo):
        bracket = "(" if lo_open else "["
        raise RecipeError(f"{name}: must be a number in {bracket}{lo:g}, {hi:g}], got {value!r}")
    return float(value)


def _integer(name: str, value: Any, lo: int, hi: int) -> int:
    if not (isinstance(value, int) and not isinstance(value, bool) and lo <= value <= hi):
        raise RecipeError(f"{name}: must be an integer in [{lo}, {hi}], got {value!r}")
    return value


def _unknown(prefix: str, data: dict, allowed: set[str]) -> None:
    for key in data:
        if key not in allowed:
            raise RecipeError(f"{prefix}{key}: unknown field (expected one of {', '.join(sorted(allowed))})")


def _path(name: str, value: Any, base_dir: Path | None) -> Path:
    if not isinstance(value, str) or not value.strip():
        raise RecipeError(f"{name}: must be a path (a non-empty string), got {value!r}")
    path = Path(value).expanduser()
    # Relative paths: the current directory first, then the recipe's own folder.
    if not path.is_absolute() and not path.exists() and base_dir is not None and (base_dir / path).exists():
        return base_dir / path
    return path


def parse_kd(data: Any) -> KDRecipe:
    if data is None:
        return KDRecipe()
    if not isinstance(data, dict):
        raise RecipeError(f"kd: must be a mapping with alpha, temperature, top_k, got {data!r}")
    _unknown("kd.", data, _KD_FIELDS)
    top_k = data.get("top_k")
    return KDRecipe(alpha=_number("kd.alpha", data.get("alpha", 0.5), 0.0, 1.0),
                    temperature=_number("kd.temperature", data.get("temperature", 2.0), 0.0, 100.0,
                                        lo_open=True),
                    top_k=None if top_k is None else _integer("kd.top_k", top_k, 1, 1_000_000))


def parse_recipe(data: Any, base_dir: Path | None = None) -> Recipe:
    """A validated Recipe from a mapping (a parsed YAML file)."""
    if not isinstance(data, dict):
        raise RecipeError(f"recipe: must be a mapping of fields, got {type(data).__name__}")
    _unknown("", data, _TOP_FIELDS)
    for name in _REQUIRED:
        if name not in data:
            raise RecipeError(f"{name}: required field is missing")
    mode = data["training_mode"]
    if mode not in TRAINING_MODES:
        raise RecipeError(f"training_mode: must be one of {', '.join(TRAINING_MODES)}, got {mode!r}")
    device = data.get("device", "auto")
    if device not in DEVICES:
        raise RecipeError(f"device: must be one of {', '.join(DEVICES)}, got {device!r}")
    capture = _path("teacher_capture", data["teacher_capture"], base_dir)
    if not capture.is_file():
        raise RecipeError(f"teacher_capture: file not found: {capture} (relative paths are looked up "
                          f"in the current directory, then next to the recipe)")
    output = _path("output", data["output"], None)
    if output.exists() and not output.is_dir():
        raise RecipeError(f"output: {output} exists and is not a directory")
    return Recipe(training_mode=mode, teacher_capture=capture, output=output, kd=parse_kd(data.get("kd")),
                  steps=_integer("steps", data.get("steps", 300), 1, MAX_STEPS),
                  seed=_integer("seed", data.get("seed", 0), 0, 2**31 - 1),
                  batch_size=_integer("batch_size", data.get("batch_size", 64), 1, 4096),
                  learning_rate=_number("learning_rate", data.get("learning_rate", 5e-3), 0.0, 1.0,
                                        lo_open=True),
                  device=device)


def load_recipe(path: Path) -> Recipe:
    """Read RECIPE.yaml and validate it."""
    import yaml  # here, not at import time: only the CLI path needs it

    path = Path(path)
    if not path.is_file():
        raise RecipeError(f"recipe: file not found: {path}")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as err:
        raise RecipeError(f"recipe: {path} is not valid YAML: {err}") from None
    return parse_recipe(data, base_dir=path.parent)
