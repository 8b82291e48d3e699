"""The experiments a run engine can run, by name (the `experiment` field of POST /api/runs).

Each experiment lives in its own folder (`digits/`, `tinylm/`) and keeps the contract in
`app.training.runs`: a run function, a `problems(config)` check and its config dataclass. To add a
third, write its folder the same way and add one line to `build_registry`.
"""
from __future__ import annotations

from pathlib import Path

from app.training.digits.config import DigitsRunConfig, digits_problems
from app.training.digits.experiment import DigitsExperiment
from app.training.runs import Experiment
from app.training.tinylm.config import TinyLMRunConfig, config_problems
from app.training.tinylm.experiment import TinyLMExperiment


# Each experiment's settings, by name: POST /api/runs validates `config` with a model built from these.
CONFIGS: dict[str, type] = {"digits": DigitsRunConfig, "tinylm": TinyLMRunConfig}


def build_registry(digits: DigitsExperiment, tinylm: TinyLMExperiment) -> dict[str, Experiment]:
    """Every experiment this server offers, from the experiment objects that hold their caches."""
    return {
        "digits": Experiment(run=digits.run, problems=digits_problems, config=CONFIGS["digits"]),
        "tinylm": Experiment(run=tinylm.run, problems=config_problems, config=CONFIGS["tinylm"]),
    }


def registry_for(cache_dir: Path) -> dict[str, Experiment]:
    """Every experiment, each with its own caches under `cache_dir` (a worker, the CLI)."""
    return build_registry(DigitsExperiment(cache_dir), TinyLMExperiment(cache_dir))
