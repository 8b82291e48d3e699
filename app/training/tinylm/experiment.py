"""Live tiny-LM distillation for POST /api/runs (experiment "tinylm") and lesson 4.4's comparison.

It keeps the run contract of app/training/runs.py:

    TinyLMExperiment(cache_dir).run(config: dict, device, cancel_event) -> Iterator[dict]
    config_problems(config) -> {field: reason}      # app/training/tinylm/config.py; the API's 422s

A run captures the teacher's top-k logprobs in memory (the same records `brewslm capture` writes, the
same validation), then trains the student with the offline kd_trainer's loop.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path
from typing import Callable, Iterator

import torch

from app.device import use_one_cpu_thread
from app.training.tinylm import evaluation, task
from app.training.tinylm.config import TinyLMRunConfig, run_config
from app.training.tinylm.capture import CaptureMeta, capture_from_records, capture_records, to_tensors
from app.training.tinylm.kd_trainer import StudentTrainer
from app.training.tinylm.models import STUDENT, TinyLMConfig, n_params
from app.training.tinylm.teacher import TinyLMTeacher, TinyLMTeacherCache

LIVE_EVAL_EXAMPLES = 500      # the held-out subset scored during a run; the final record uses all 2000


def live_metrics(model: torch.nn.Module) -> dict[str, float]:
    """Accuracy and KL to the truth on a held-out subset: cheap enough for every logged step."""
    m = evaluation.evaluate(model, n=LIVE_EVAL_EXAMPLES)
    return {"accuracy": m["accuracy"], "kl_to_truth": m["kl_to_truth"], "perplexity": m["perplexity"]}


class TinyLMExperiment:
    """The tiny-LM experiment with what it keeps between runs: its teacher, and a small memo of the
    teacher's captures and scores (a lesson page asks for the same ones again and again).

    One per app (or CLI command, or worker): nothing lives in module globals.
    """

    MEMO_SIZE = 16

    def __init__(self, cache_dir: Path) -> None:
        self.teachers = TinyLMTeacherCache(cache_dir)
        self._lock = threading.Lock()
        self._memo: OrderedDict[tuple, object] = OrderedDict()

    def teacher(self) -> TinyLMTeacher:
        return self.teachers.get()

    def _memoised(self, key: tuple, make: Callable[[], object]) -> object:
        with self._lock:
            if key not in self._memo:
                if len(self._memo) >= self.MEMO_SIZE:
                    self._memo.popitem(last=False)
                self._memo[key] = make()
            return self._memo[key]

    def captured_data(self, top_k: int, examples: int) -> dict[str, torch.Tensor]:
        """The transfer set's top-k capture, validated like a file, as training tensors."""
        teacher = self.teacher()

        def make() -> dict[str, torch.Tensor]:
            meta = CaptureMeta(teacher.id, task.VOCAB, top_k, 1.0, examples)
            tokens = task.sample(examples, task.TRANSFER_SEED)
            return to_tensors(capture_from_records(meta, capture_records(teacher.model, tokens,
                                                                         task.PROMPT_LEN, top_k)))
        return self._memoised(("capture", top_k, examples), make)

    def teacher_metrics(self) -> dict:
        """The teacher's own held-out scores (its KL to itself is 0)."""
        model = self.teacher().model
        return dict(self._memoised(("teacher",), lambda: evaluation.evaluate(model, model)))

    def train_one(self, cfg: TinyLMRunConfig, device: torch.device,
                  cancel_event: threading.Event | None = None) -> Iterator[dict]:
        """Step records with held-out accuracy/KL every log interval, then a "done" record."""
        use_one_cpu_thread()
        teacher = self.teacher()
        data = self.captured_data(cfg.top_k, cfg.examples)
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
        teacher_m = self.teacher_metrics()
        yield {"type": "done", "experiment": "tinylm", "config": cfg.as_dict(), "device": str(device),
               "student": student, "teacher": teacher_m, "truth": evaluation.truth_reference(),
               "student_params": n_params(trainer.model), "teacher_params": n_params(teacher.model),
               # DESIGN.md: quality_kept = student ÷ teacher (here on held-out next-token accuracy)
               "quality_kept": evaluation.ratio(student["accuracy"], teacher_m["accuracy"])}

    def run(self, config: dict, device: torch.device, cancel_event: threading.Event) -> Iterator[dict]:
        """The run manager's experiment function: `config` holds the settings a client chose."""
        yield from self.train_one(run_config(config), device, cancel_event)
