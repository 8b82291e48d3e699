"""The tiny-LM teacher: trained by the project in seconds, cached on disk, reproducible from its id.

`TinyLMTeacherCache(cache_dir).get()` loads the cached checkpoint or trains it (deterministically, on
CPU) and keeps it in memory; the server holds one cache per app, the CLI one per command.
The teacher id names the task, the architecture and the training recipe, so a capture made by one
teacher can never be silently paired with another.
"""
from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import torch
import torch.nn.functional as F

from app.device import use_one_cpu_thread
from app.training.tinylm import task
from app.training.checkpoint import load_or_train_state
from app.training.tinylm.models import TEACHER, TinyLM, TinyLMConfig, build

# The teacher's training recipe. Changing any of it changes the teacher id (and the cache file).
TEACHER_CODE_VERSION = 2      # bump when the model or training code changes what a recipe produces
TEACHER_RECIPE = {"examples": 20000, "steps": 800, "batch_size": 128, "lr": 5e-3, "seed": 0}


def teacher_id(cfg: TinyLMConfig = TEACHER, recipe: dict = TEACHER_RECIPE) -> str:
    blob = json.dumps({"code": TEACHER_CODE_VERSION, "task": task.TASK_ID, "model": cfg.as_dict(),
                       "recipe": recipe}, sort_keys=True)
    return f"{task.TASK_ID}-teacher-{hashlib.sha256(blob.encode()).hexdigest()[:10]}"


def lm_batch(tokens: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Sequences (N, L) -> inputs (N, L-1) and labels (N, L-1) with the prompt labelled -100.

    Label i is token i+1; tokens 1 .. PROMPT_LEN-1 are the prompt, so labels 0 .. PROMPT_LEN-2 are masked.
    """
    inputs, labels = tokens[:, :-1], tokens[:, 1:].clone()
    labels[:, : task.PROMPT_LEN - 1] = -100
    return inputs, labels


def train_teacher(cfg: TinyLMConfig = TEACHER, recipe: dict = TEACHER_RECIPE,
                  on_step: Callable[[int, float], None] | None = None) -> TinyLM:
    """Plain next-token cross-entropy on samples of the task; response positions only.

    Trained on one CPU thread: the same bits whatever the machine's thread count (and faster here).
    """
    use_one_cpu_thread()
    model = build(cfg, recipe["seed"])
    data = task.sample(recipe["examples"], task.TEACHER_DATA_SEED)
    gen = torch.Generator().manual_seed(recipe["seed"])
    opt = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=0.0)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=recipe["steps"])
    model.train()
    for step in range(recipe["steps"]):
        idx = torch.randint(len(data), (recipe["batch_size"],), generator=gen)
        inputs, labels = lm_batch(data[idx])
        loss = F.cross_entropy(model(inputs).reshape(-1, cfg.vocab), labels.reshape(-1), ignore_index=-100)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        if on_step is not None:
            on_step(step, loss.item())
    return model.eval()


@dataclass(frozen=True)
class TinyLMTeacher:
    id: str
    model: TinyLM      # eval mode, on the CPU, no gradients
    path: Path


class TinyLMTeacherCache:
    """The teacher checkpointed under one cache directory, loaded (or trained) once and kept in memory."""

    def __init__(self, cache_dir: Path) -> None:
        self.path = Path(cache_dir) / f"{teacher_id()}.pt"
        self._lock = threading.Lock()
        self._teacher: TinyLMTeacher | None = None

    def get(self, retrain: bool = False, on_step: Callable[[int, float], None] | None = None) -> TinyLMTeacher:
        """The teacher, trained and saved first if there is no checkpoint (a few seconds)."""
        with self._lock:  # one training at a time, even when several requests arrive at once
            if self._teacher is not None and not retrain:
                return self._teacher
            model = build(TEACHER, 0)
            model.load_state_dict(load_or_train_state(
                self.path, lambda: train_teacher(on_step=on_step).state_dict(), retrain=retrain))
            model.eval()
            for p in model.parameters():
                p.requires_grad_(False)
            self._teacher = TinyLMTeacher(id=teacher_id(), model=model, path=self.path)
            return self._teacher
