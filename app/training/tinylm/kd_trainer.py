"""The offline kd_trainer: a student learns from teacher_capture.jsonl through the top-k KD loss.

The loop is a generator of one metrics record per step, so the CLI (progress bar), the live runs
(server-sent events) and the tests drive the same code. Prompt positions are labelled -100 and count
in neither term; the KL is the token mean over response positions (app.kd.topk). SFT is the same
loop with alpha = 1: the KL is still measured, but it carries no weight.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Callable, Iterator

import torch

from app import device as app_device
from app.kd.topk import topk_kd_loss_parts
from app.training.tinylm import evaluation, task
from app.training.tinylm.capture import Capture, CaptureError, read_capture, to_tensors
from app.training.tinylm.recipe import Recipe, RecipeError
from app.device import use_one_cpu_thread
from app.training.tinylm.models import STUDENT, TinyLMConfig, build, n_params
from app.training.tinylm.teacher import TinyLMTeacherCache, teacher_id


def resolve_device(name: str) -> torch.device:
    """auto -> cuda when present, else cpu; asking for cuda without one is an error, not a fallback."""
    try:
        return app_device.resolve_device(name)
    except ValueError as err:
        raise RecipeError(f"device: {err}") from None


class StudentTrainer:
    """One student, one optimiser, a fixed batch order: everything follows from `seed`."""

    def __init__(self, data: dict[str, torch.Tensor], *, mode: str, alpha: float, temperature: float,
                 capture_temperature: float, steps: int, seed: int, batch_size: int = 64,
                 learning_rate: float = 5e-3, device: torch.device = torch.device("cpu"),
                 cfg: TinyLMConfig = STUDENT):
        use_one_cpu_thread()
        self.device = device
        self.data = {k: v.to(device) for k, v in data.items()}
        self.alpha = 1.0 if mode == "sft" else alpha
        self.mode, self.temperature, self.capture_temperature = mode, temperature, capture_temperature
        self.steps, self.batch_size = steps, min(batch_size, len(data["inputs"]))
        self.model = build(cfg, seed).to(device)
        self.gen = torch.Generator().manual_seed(seed)
        self.opt = torch.optim.AdamW(self.model.parameters(), lr=learning_rate, weight_decay=0.0)

    def run(self, cancel: threading.Event | None = None) -> Iterator[dict]:
        """Yield {"type": "step", step, loss, ce, kl, kd_term} after each optimiser step."""
        n = len(self.data["inputs"])
        self.model.train()
        for step in range(1, self.steps + 1):
            if cancel is not None and cancel.is_set():
                return
            idx = torch.randint(n, (self.batch_size,), generator=self.gen).to(self.device)
            logits = self.model(self.data["inputs"][idx])
            parts = topk_kd_loss_parts(logits, self.data["teacher_ids"][idx],
                                       self.data["teacher_logprobs"][idx].to(logits.dtype),
                                       self.data["labels"][idx], self.alpha, self.temperature,
                                       capture_temperature=self.capture_temperature)
            self.opt.zero_grad(set_to_none=True)
            parts.loss.backward()
            self.opt.step()
            yield {"type": "step", "step": step, "loss": parts.loss.item(), "ce": parts.ce.item(),
                   "kl": parts.kl.item(), "kd_term": parts.kd_term.item()}
        self.model.eval()


def check_capture(cap: Capture, top_k: int | None) -> int:
    """The capture fits the tinylm student; returns the top_k to use."""
    if cap.meta.vocabulary != task.VOCAB:
        raise RecipeError(f"teacher_capture: its vocabulary is not the {task.TASK_ID} task's "
                          f"({len(cap.meta.vocabulary)} tokens); the student is built for that task")
    if top_k is not None and top_k > cap.meta.k:
        raise RecipeError(f"kd.top_k: {top_k} is more than the capture's k = {cap.meta.k}")
    for e in cap.examples:
        if len(e.token_ids) != task.SEQ_LEN:
            raise RecipeError(f"teacher_capture: example {e.index} has {len(e.token_ids)} tokens; the "
                              f"{task.TASK_ID} student takes sequences of {task.SEQ_LEN}")
    if not cap.examples:
        raise RecipeError("teacher_capture: the capture has no examples to train on")
    return cap.meta.k if top_k is None else top_k


def teacher_for(cap: Capture, teachers: TinyLMTeacherCache):
    """The teacher model that made the capture, when it is this project's (for KL to the teacher)."""
    return teachers.get().model if cap.meta.teacher_id == teacher_id() else None


def run_recipe(recipe: Recipe, teachers: TinyLMTeacherCache, on_step: Callable[[dict], None] | None = None) -> dict:
    """Train from the recipe, evaluate on held-out orders, write output/{metrics.jsonl,summary.json,student.pt}."""
    try:
        cap = read_capture(recipe.teacher_capture)
    except CaptureError as err:
        raise RecipeError(f"teacher_capture: {recipe.teacher_capture}: {err}") from None
    top_k = check_capture(cap, recipe.kd.top_k)
    device = resolve_device(recipe.device)
    trainer = StudentTrainer(to_tensors(cap, top_k), mode=recipe.training_mode, alpha=recipe.kd.alpha,
                             temperature=recipe.kd.temperature,
                             capture_temperature=cap.meta.capture_temperature, steps=recipe.steps,
                             seed=recipe.seed, batch_size=recipe.batch_size,
                             learning_rate=recipe.learning_rate, device=device)
    recipe.output.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    with (recipe.output / "metrics.jsonl").open("w", encoding="utf-8") as metrics:
        for record in trainer.run():
            metrics.write(json.dumps(record) + "\n")
            if on_step is not None:
                on_step(record)
        seconds = time.perf_counter() - start
        teacher = teacher_for(cap, teachers)
        student_metrics = evaluation.evaluate(trainer.model, teacher)
        summary = {
            "type": "done", "training_mode": recipe.training_mode, "steps": recipe.steps,
            "seed": recipe.seed, "alpha": trainer.alpha, "temperature": recipe.kd.temperature,
            "top_k": top_k, "examples": len(cap.examples), "teacher_id": cap.meta.teacher_id,
            "device": str(device), "train_seconds": round(seconds, 3),
            "student_params": n_params(trainer.model),
            "student": student_metrics,
            "teacher": evaluation.evaluate(teacher, teacher) if teacher is not None else None,
            "truth": evaluation.truth_reference(),
        }
        metrics.write(json.dumps(summary) + "\n")
    (recipe.output / "summary.json").write_text(json.dumps(summary, indent=2) + "\n", encoding="utf-8")
    torch.save(trainer.model.state_dict(), recipe.output / "student.pt")
    return summary


def final_table(summary: dict) -> str:
    """The table the CLI prints at the end: student, teacher and the truth on held-out orders."""
    rows = [("student (" + summary["training_mode"] + ")", summary["student"])]
    if summary["teacher"] is not None:
        rows.append(("teacher", summary["teacher"]))
    rows.append(("true distribution", {**summary["truth"], "kl_to_teacher": None}))

    def cell(v: float | None) -> str:
        return "-" if v is None else f"{v:.4f}"

    lines = [f"{'model':<24}{'accuracy':>10}{'perplexity':>12}{'KL→truth':>10}{'KL→teacher':>12}"]
    for name, m in rows:
        lines.append(f"{name:<24}{cell(m['accuracy']):>10}{cell(m['perplexity']):>12}"
                     f"{cell(m['kl_to_truth']):>10}{cell(m.get('kl_to_teacher')):>12}")
    lines.append(f"held-out orders: {evaluation.EVAL_EXAMPLES}; {summary['steps']} steps on "
                 f"{summary['examples']} captured examples (top_k {summary['top_k']}) in "
                 f"{summary['train_seconds']:.1f} s on {summary['device']}")
    return "\n".join(lines)
