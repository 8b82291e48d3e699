"""train_digits_student: the digits distillation loop as a generator of metrics records.

It is the training loop every learner knows; only the loss is `app.kd.kd_loss_parts`. One record per
logging interval, then one final record:

    {"type": "step", "step", "steps", "loss", "ce", "kl", "kd_term", "weighted_ce", "weighted_kd",
     "train_acc", "test_acc", "omitted_class_acc" (None without a left-out class), "elapsed_s"}
    {"type": "done", ... see `final_record`}

Losses in a step record are means over the steps since the previous record, so the curve is smooth
without hiding anything. Same config, seed and teacher give identical numbers on CPU: the student's
weights and the batch order come from one torch.Generator seeded with the run's seed, never from the
global RNG (which other threads share).
"""
from __future__ import annotations

import threading
import time
from typing import Iterator, Optional

import torch

from app.kd import kd_loss_parts
from app.training.digits.bias_fix import prior_matching_bias, with_bias
from app.training.digits.data import NUM_CLASSES, DigitsSplit
from app.training.digits.config import DigitsRunConfig
from app.device import use_one_cpu_thread
from app.training.digits.models import describe, student
from app.training.digits.teacher import DigitsTeacher, per_class_accuracy


class NonFiniteLoss(RuntimeError):
    """The loss became NaN or infinite; the message says at which step and in which term."""


def _batches(n: int, batch_size: int, generator: torch.Generator) -> Iterator[torch.Tensor]:
    """Index batches forever: a fresh permutation per epoch, the last partial batch dropped."""
    batch_size = min(batch_size, n)
    while True:
        order = torch.randperm(n, generator=generator)
        for start in range(0, n - batch_size + 1, batch_size):
            yield order[start:start + batch_size]


@torch.no_grad()
def _accuracy(model: torch.nn.Module, x: torch.Tensor, y: torch.Tensor) -> float:
    if y.numel() == 0:
        return float("nan")
    return (model(x).argmax(-1) == y).float().mean().item()


def _non_finite_reason(step: int, parts) -> str:
    bad = [name for name, v in (("ce", parts.ce), ("kl", parts.kl)) if not torch.isfinite(v)]
    return f"the loss became {parts.loss.item()} at step {step} (non-finite term: {', '.join(bad) or 'loss'})"


def train_digits_student(config: DigitsRunConfig, *, teacher: DigitsTeacher, split: DigitsSplit,
               cancel_event: Optional[threading.Event] = None) -> Iterator[dict]:
    """Train a fresh student on `split` (on the teacher's device) and yield its metrics records.

    Returns early, without a "done" record, once `cancel_event` is set (checked every step).
    Raises NonFiniteLoss when the loss stops being a number.
    """
    use_one_cpu_thread()
    device = teacher.device
    gen = torch.Generator().manual_seed(config.seed)
    model = student(config.student_hidden, gen).to(device)
    opt = torch.optim.Adam(model.parameters(), lr=config.lr)

    keep = torch.ones_like(split.y_train, dtype=torch.bool)
    if config.omit_class is not None:
        keep = split.y_train != config.omit_class
    x, y, t_logits = split.x_train[keep], split.y_train[keep], teacher.train_logits[keep]
    omitted_test = split.y_test == config.omit_class if config.omit_class is not None else None

    started = time.perf_counter()
    interval = config.logging_interval
    sums = torch.zeros(3, device=device)  # loss, ce, kl since the last record
    since_last = 0
    batches = _batches(x.shape[0], config.batch_size, gen)
    for step in range(1, config.steps + 1):
        if cancel_event is not None and cancel_event.is_set():
            return
        idx = next(batches).to(device)
        parts = kd_loss_parts(model(x[idx]), t_logits[idx], y[idx], config.alpha, config.temperature)
        if not torch.isfinite(parts.loss):
            raise NonFiniteLoss(_non_finite_reason(step, parts))
        opt.zero_grad(set_to_none=True)
        parts.loss.backward()
        opt.step()
        sums += torch.stack([parts.loss.detach(), parts.ce.detach(), parts.kl.detach()])
        since_last += 1
        if step % interval == 0 or step == config.steps:
            loss, ce, kl = (sums / since_last).tolist()
            sums.zero_()
            since_last = 0
            T2 = config.temperature ** 2
            model.eval()
            yield {
                "type": "step", "step": step, "steps": config.steps,
                "loss": loss, "ce": ce, "kl": kl, "kd_term": T2 * kl,
                "weighted_ce": config.alpha * ce, "weighted_kd": (1 - config.alpha) * T2 * kl,
                "train_acc": _accuracy(model, x, y),
                "test_acc": _accuracy(model, split.x_test, split.y_test),
                "omitted_class_acc": (None if omitted_test is None else
                                      _accuracy(model, split.x_test[omitted_test], split.y_test[omitted_test])),
                "elapsed_s": time.perf_counter() - started,
            }
            model.train()
    yield final_record(model, config, teacher, split, elapsed_s=time.perf_counter() - started)


@torch.no_grad()
def final_record(model: torch.nn.Module, config: DigitsRunConfig, teacher: DigitsTeacher, split: DigitsSplit,
                 *, elapsed_s: float) -> dict:
    """Per-class test accuracy, the teacher's, quality kept and (with a left-out class) the bias fix."""
    model.eval()
    test_logits = model(split.x_test)
    test_acc = (test_logits.argmax(-1) == split.y_test).float().mean().item()
    per_class = per_class_accuracy(test_logits, split.y_test, NUM_CLASSES)
    record = {
        "type": "done", "step": config.steps, "steps": config.steps,
        "student": describe(model), "device": str(teacher.device),
        "test_acc": test_acc, "per_class_test_acc": per_class,
        "teacher_test_acc": teacher.test_acc, "teacher_per_class_test_acc": teacher.per_class_test_acc,
        "quality_kept": test_acc / teacher.test_acc,
        "omitted_class": config.omit_class,
        "omitted_class_acc": None if config.omit_class is None else per_class[config.omit_class],
        "bias_fix": None,
        "elapsed_s": elapsed_s, "steps_per_s": config.steps / elapsed_s if elapsed_s > 0 else None,
    }
    if config.omit_class is not None:
        c = config.omit_class
        share = (split.y_train == c).float().mean().item()  # the class's share in the teacher's labels
        bias = prior_matching_bias(model(split.x_val), c, share)
        fixed = with_bias(test_logits, c, bias)
        fixed_acc = (fixed.argmax(-1) == split.y_test).float().mean().item()
        record["bias_fix"] = {
            "bias": bias, "prior_share": share, "method": "prior-matching on unlabelled validation images",
            "test_acc": fixed_acc, "omitted_class_acc": per_class_accuracy(fixed, split.y_test, NUM_CLASSES)[c],
            "quality_kept": fixed_acc / teacher.test_acc,
        }
    return record
