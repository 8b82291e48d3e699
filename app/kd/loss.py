"""The KD loss of lesson 4.3: alpha·CE(student, gold) + (1 − alpha)·T²·KL.

`kd_loss` with the default `kl_reduction="seed"` is the course's code, line for line:

    ce = F.cross_entropy(student.view(-1, V), labels.view(-1), ignore_index=-100)
    kl = F.kl_div(log_softmax(student / T), softmax(teacher / T), reduction="batchmean") * T²

Two things about that code the lesson points out (DESIGN.md, "facts"):

* `F.kl_div(input, target)` computes KL(target ‖ exp(input)), so this is KL(teacher_T ‖ student_T),
  the forward KL, whatever the seed's notation says.
* "batchmean" divides by `input.size(0)`. On (batch, seq, vocab) tensors that is the batch size, so the
  KL grows with sequence length and counts positions whose label is -100 (prompt, padding).

`kl_reduction="token_mean"` sums the KL over the vocabulary at each position whose label is not -100
and averages over those positions: the per-token mean that DistilBERT and TRL use.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import torch
import torch.nn.functional as F

IGNORE_INDEX = -100
KLReduction = Literal["seed", "token_mean"]
KL_REDUCTIONS: tuple[str, ...] = ("seed", "token_mean")


@dataclass(frozen=True)
class KDLossParts:
    """Every piece of the loss, as 0-dim tensors that keep their autograd graph."""

    ce: torch.Tensor           # CE(student, gold), mean over labelled positions
    kl: torch.Tensor           # KL(teacher_T ‖ student_T), reduced as asked, without T²
    temperature: float
    alpha: float

    @property
    def kd_term(self) -> torch.Tensor:
        """T²·KL: the soft term at the scale the gradients need (Hinton et al. 2015, §2)."""
        return self.kl * (self.temperature * self.temperature)

    @property
    def weighted_ce(self) -> torch.Tensor:
        return self.alpha * self.ce

    @property
    def weighted_kd(self) -> torch.Tensor:
        return (1.0 - self.alpha) * self.kd_term

    @property
    def loss(self) -> torch.Tensor:
        return self.weighted_ce + self.weighted_kd


def _check_args(student_logits: torch.Tensor, teacher_logits: torch.Tensor, alpha: float, T: float,
                kl_reduction: str) -> None:
    if student_logits.shape != teacher_logits.shape:
        raise ValueError(f"student {tuple(student_logits.shape)} and teacher "
                         f"{tuple(teacher_logits.shape)} logits must have the same shape")
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    if not T > 0:
        raise ValueError(f"temperature must be > 0, got {T}")
    if kl_reduction not in KL_REDUCTIONS:
        raise ValueError(f"kl_reduction must be one of {KL_REDUCTIONS}, got {kl_reduction!r}")


def kl_per_position(student_logits: torch.Tensor, teacher_logits: torch.Tensor, T: float) -> torch.Tensor:
    """KL(teacher_T ‖ student_T) summed over the last (vocabulary) axis: shape (...,)."""
    s_log = F.log_softmax(student_logits / T, dim=-1)
    t_prob = F.softmax(teacher_logits / T, dim=-1)
    # kl_div with reduction="none" gives t·(log t − s) elementwise, 0 where t == 0.
    return F.kl_div(s_log, t_prob, reduction="none").sum(dim=-1)


def kd_loss_parts(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                  alpha: float = 0.5, T: float = 2.0, *, kl_reduction: KLReduction = "seed") -> KDLossParts:
    """The loss split into its terms. Logits (..., V), labels (...) with -100 where there is no label."""
    _check_args(student_logits, teacher_logits, alpha, T, kl_reduction)
    vocab = student_logits.size(-1)
    ce = F.cross_entropy(student_logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=IGNORE_INDEX)

    if kl_reduction == "seed":
        s_log = F.log_softmax(student_logits / T, dim=-1)
        t_prob = F.softmax(teacher_logits / T, dim=-1)
        kl = F.kl_div(s_log, t_prob, reduction="batchmean")  # sum / size(0): the seed, unchanged
    else:
        labelled = labels.reshape(-1) != IGNORE_INDEX                     # (N,)
        per_pos = kl_per_position(student_logits, teacher_logits, T).reshape(-1)  # (N,)
        # Mean over labelled positions; with none labelled the term is 0, not NaN.
        kl = (per_pos * labelled).sum() / labelled.sum().clamp(min=1)
    return KDLossParts(ce=ce, kl=kl, temperature=float(T), alpha=float(alpha))


def kd_loss(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
            alpha: float = 0.5, T: float = 2.0, *, kl_reduction: KLReduction = "seed") -> torch.Tensor:
    """alpha·CE(student, gold) + (1 − alpha)·T²·KL(teacher_T ‖ student_T), as a 0-dim tensor."""
    return kd_loss_parts(student_logits, teacher_logits, labels, alpha, T, kl_reduction=kl_reduction).loss
