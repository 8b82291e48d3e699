"""Held-out measurements for lesson 4.4: accuracy, perplexity, KL to the teacher and to the truth.

All measured on the same held-out orders (independent draws from the task, EVAL_SEED), on the
response positions only, in float64. "Truth" is the task's exact next-token distribution.
"""
from __future__ import annotations

import math
from functools import lru_cache

import torch
import torch.nn.functional as F

from app.kd.kl import kl_divergence
from app.training.tinylm import task

EVAL_EXAMPLES = 2000


@lru_cache(maxsize=4)
def eval_set(n: int = EVAL_EXAMPLES, seed: int = task.EVAL_SEED) -> tuple[torch.Tensor, torch.Tensor]:
    """(tokens (n, L), truth (n, RESPONSE_LEN, V) float64), cached: the truth takes a moment."""
    tokens = task.sample(n, seed)
    return tokens, task.true_response_probs(tokens)


@torch.no_grad()
def response_logprobs(model: torch.nn.Module, tokens: torch.Tensor) -> torch.Tensor:
    """log p_model(. | prefix) at each response position: (N, RESPONSE_LEN, V) float64, on CPU."""
    device = next(model.parameters()).device
    was_training = model.training
    model.eval()
    logits = model(tokens[:, :-1].to(device)).double().cpu()
    model.train(was_training)
    return F.log_softmax(logits[:, task.PROMPT_LEN - 1:], dim=-1)


def evaluate(model: torch.nn.Module, teacher: torch.nn.Module | None = None,
             n: int = EVAL_EXAMPLES) -> dict[str, float | None]:
    """The model's held-out metrics; kl_to_teacher is None without a teacher."""
    tokens, truth = eval_set(n)
    lp = response_logprobs(model, tokens)                         # (N, R, V)
    gold = tokens[:, task.PROMPT_LEN:]                            # (N, R)
    nll = -lp.gather(-1, gold.unsqueeze(-1)).squeeze(-1)
    out: dict[str, float | None] = {
        "accuracy": float((lp.argmax(-1) == gold).double().mean()),
        "perplexity": math.exp(float(nll.mean())),
        "kl_to_truth": float(kl_divergence(truth.log(), lp).mean()),   # log 0 = -inf: those terms count 0
        "kl_to_teacher": None,
    }
    if teacher is not None:
        out["kl_to_teacher"] = float(kl_divergence(response_logprobs(teacher, tokens), lp).mean())
    return out


def truth_reference(n: int = EVAL_EXAMPLES) -> dict[str, float]:
    """What the true distribution itself scores: the floor no model can beat on average."""
    tokens, truth = eval_set(n)
    gold = tokens[:, task.PROMPT_LEN:]
    logp = torch.log(truth.gather(-1, gold.unsqueeze(-1)).squeeze(-1))
    return {"accuracy": float((truth.argmax(-1) == gold).double().mean()),
            "perplexity": math.exp(float(-logp.mean())), "kl_to_truth": 0.0}


def ratio(student: float, teacher: float) -> float:
    """Quality kept as a ratio, e.g. DistilBERT's GLUE 77.0 / 79.5 = 0.97."""
    return student / teacher


def gap_closed(baseline: float, distilled: float, teacher: float) -> float:
    """Share of the teacher–baseline gap the distilled model closed: (146 − 74)/(146 − 67) = 0.91.

    Works for higher-is-better and lower-is-better metrics alike; undefined (nan) with no gap.
    """
    gap = baseline - teacher
    return (baseline - distilled) / gap if gap != 0 else float("nan")
