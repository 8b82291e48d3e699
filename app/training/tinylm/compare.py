"""Lesson 4.4's experiment: teacher vs SFT student vs KD student, same data, same steps, same seed.

Both students learn from the same captured transfer set; the SFT one uses only its tokens (alpha = 1),
the KD one the teacher's top-k logprobs too. Quality kept is reported two ways: as a ratio to the
teacher (DistilBERT's "97% of BERT") and as the share of the teacher–SFT gap closed (Hinton et al.'s
146 → 74 errors against the teacher's 67).
"""
from __future__ import annotations

import math
import threading
import time

import torch

from app.training.tinylm import evaluation
from app.training.tinylm.config import TinyLMRunConfig
from app.training.tinylm.experiment import TinyLMExperiment


def _run(cfg: TinyLMRunConfig, experiment: TinyLMExperiment, device: torch.device,
         cancel: threading.Event | None) -> tuple[list[dict], dict]:
    curve, final = [], None
    for rec in experiment.train_one(cfg, device, cancel):
        if rec["type"] == "step":
            curve.append({k: rec[k] for k in ("step", "loss", "accuracy", "kl_to_truth")})
        else:
            final = rec
    if final is None:
        raise RuntimeError("the comparison was cancelled")
    return curve, final["student"]


def _finite(table: dict) -> dict:
    # NaN (no gap to close) is not JSON: send null
    return {k: {m: (v if math.isfinite(v) else None) for m, v in row.items()} for k, row in table.items()}


def quality_kept(teacher: dict, sft: dict, kd: dict) -> dict:
    """Ratios to the teacher and shares of the gap closed, for each student where they make sense."""
    return _finite({
        "accuracy_ratio": {"sft": evaluation.ratio(sft["accuracy"], teacher["accuracy"]),
                           "kd": evaluation.ratio(kd["accuracy"], teacher["accuracy"])},
        # perplexity: lower is better, so the ratio is teacher ÷ student (1.0 = as good as the teacher)
        "perplexity_ratio": {"sft": evaluation.ratio(teacher["perplexity"], sft["perplexity"]),
                             "kd": evaluation.ratio(teacher["perplexity"], kd["perplexity"])},
        "gap_closed": {
            "accuracy": evaluation.gap_closed(sft["accuracy"], kd["accuracy"], teacher["accuracy"]),
            "perplexity": evaluation.gap_closed(sft["perplexity"], kd["perplexity"], teacher["perplexity"]),
            "kl_to_truth": evaluation.gap_closed(sft["kl_to_truth"], kd["kl_to_truth"],
                                                  teacher["kl_to_truth"]),
        },
    })


def compare(experiment: TinyLMExperiment, *, alpha: float, temperature: float, top_k: int, examples: int, steps: int,
            seed: int, device: torch.device = torch.device("cpu"),
            cancel: threading.Event | None = None) -> dict:
    """Train both students and score all three on the held-out orders."""
    start = time.perf_counter()
    common = dict(top_k=top_k, examples=examples, steps=steps, seed=seed, log_every=max(1, steps // 30))
    sft_curve, sft = _run(TinyLMRunConfig(training_mode="sft", **common), experiment, device, cancel)
    kd_curve, kd = _run(TinyLMRunConfig(training_mode="distillation", alpha=alpha, temperature=temperature,
                                        **common), experiment, device, cancel)
    t = experiment.teacher_metrics()
    return {
        "config": {"alpha": alpha, "temperature": temperature, "top_k": top_k, "examples": examples,
                   "steps": steps, "seed": seed},
        "teacher": t, "sft": sft, "kd": kd, "truth": evaluation.truth_reference(),
        "quality_kept": quality_kept(t, sft, kd),
        "curves": {"sft": sft_curve, "kd": kd_curve},
        "eval_examples": evaluation.EVAL_EXAMPLES,
        "seconds": round(time.perf_counter() - start, 3),
    }
