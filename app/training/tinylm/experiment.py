"""Live tinylm distillation for POST /api/runs (experiment "tinylm") and lesson 4.4's comparison.

The run keeps the RunManager contract (app/training/runs.py on branch lab):

    run(config: dict, device, cancel_event) -> Iterator[dict]   # "step" records, then one "done"
    config_problems(config) -> {field: reason}                 # what the API answers 422 with

It captures the teacher's top-k logprobs in memory (the same records `brewslm capture` writes, the
same validation), then trains the student with the offline trainer's loop. Register it with
`"tinylm": Experiment(run=make_run(cache_dir), problems=config_problems)`.
"""
from __future__ import annotations

import math
import threading
from dataclasses import asdict, dataclass, fields
from pathlib import Path
from typing import Callable, Iterator

import torch

from app.training.tinylm import evaluation, task
from app.training.tinylm.capture import CaptureMeta, capture_from_records, capture_records, to_tensors
from app.training.tinylm.kd_trainer import StudentTrainer
from app.device import use_one_cpu_thread
from app.training.tinylm.models import STUDENT, TinyLMConfig, n_params
from app.training.tinylm.teacher import Teacher, get_teacher

LIVE_EVAL_EXAMPLES = 500      # the held-out subset scored during a run; the final record uses all 2000


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


_lock = threading.Lock()
_memo: dict[tuple, object] = {}


def _memoised(key: tuple, make: Callable[[], object]) -> object:
    """A small bounded memo: a lesson page asks for the same capture and teacher scores again and again."""
    with _lock:
        if key not in _memo:
            if len(_memo) >= 16:
                _memo.pop(next(iter(_memo)))
            _memo[key] = make()
        return _memo[key]


def captured_data(teacher: Teacher, top_k: int, examples: int) -> dict[str, torch.Tensor]:
    """The transfer set's top-k capture, validated like a file, as training tensors."""
    def make() -> dict[str, torch.Tensor]:
        meta = CaptureMeta(teacher.id, task.VOCAB, top_k, 1.0, examples)
        tokens = task.sample(examples, task.TRANSFER_SEED)
        return to_tensors(capture_from_records(meta, capture_records(teacher.model, tokens,
                                                                     task.PROMPT_LEN, top_k)))
    return _memoised(("capture", str(teacher.path), top_k, examples), make)


def teacher_metrics(teacher: Teacher) -> dict:
    """The teacher's own held-out scores (its KL to itself is 0)."""
    return dict(_memoised(("teacher", str(teacher.path)),
                          lambda: evaluation.evaluate(teacher.model, teacher.model)))


def live_metrics(model: torch.nn.Module) -> dict[str, float]:
    """Accuracy and KL to the truth on a held-out subset: cheap enough for every logged step."""
    m = evaluation.evaluate(model, n=LIVE_EVAL_EXAMPLES)
    return {"accuracy": m["accuracy"], "kl_to_truth": m["kl_to_truth"], "perplexity": m["perplexity"]}


def train_one(cfg: TinyLMRunConfig, teacher: Teacher, device: torch.device,
              cancel_event: threading.Event | None = None) -> Iterator[dict]:
    """Step records with held-out accuracy/KL every log interval, then a "done" record."""
    use_one_cpu_thread()
    data = captured_data(teacher, cfg.top_k, cfg.examples)
    student_cfg = TinyLMConfig(d_model=cfg.student_hidden, n_layer=STUDENT.n_layer, n_head=STUDENT.n_head)
    trainer = StudentTrainer(data, mode=cfg.training_mode, alpha=cfg.alpha, temperature=cfg.temperature,
                             capture_temperature=1.0, steps=cfg.steps, seed=cfg.seed,
                             batch_size=cfg.batch_size, learning_rate=cfg.lr, device=device, cfg=student_cfg)
    every = cfg.log_every or max(1, cfg.steps // 50)
    for record in trainer.run(cancel_event):
        if record["step"] % every == 0 or record["step"] == cfg.steps:
            yield {**record, **live_metrics(trainer.model)}
    if cancel_event is not None and cancel_event.is_set():
        return
    student = evaluation.evaluate(trainer.model, teacher.model)
    teacher_m = teacher_metrics(teacher)
    yield {"type": "done", "experiment": "tinylm", "config": cfg.as_dict(), "device": str(device),
           "student": student, "teacher": teacher_m, "truth": evaluation.truth_reference(),
           "student_params": n_params(trainer.model), "teacher_params": n_params(teacher.model),
           # DESIGN.md: quality_kept = student ÷ teacher (here on held-out next-token accuracy)
           "quality_kept": evaluation.ratio(student["accuracy"], teacher_m["accuracy"])}


def make_run(cache_dir: Path) -> Callable[[dict, torch.device, threading.Event], Iterator[dict]]:
    """The experiment function for the RunManager registry, its teacher cached under `cache_dir`."""
    def run(config: dict, device: torch.device, cancel_event: threading.Event) -> Iterator[dict]:
        problems = config_problems(config)
        if problems:
            raise ValueError("; ".join(f"{k}: {v}" for k, v in problems.items()))
        cfg = TinyLMRunConfig(**{k: v for k, v in config.items() if k in _FIELDS})
        yield from train_one(cfg, get_teacher(cache_dir), device, cancel_event)

    return run
