"""The KD loss when the teacher is known only through its top-k logprobs (a capture, lesson 4.2).

A capture keeps, at each response position, the teacher's k most likely token ids and their
logprobs at the capture temperature T_c: lp_i = log softmax(z / T_c)_i for i in the kept set K.
`softmax(teacher_logits / T)` cannot be formed from that, so the trainer uses the scheme
"renormalise the teacher over its k ids" (Gemma 3's report, DistillKit's default):

    p~_i = softmax(lp · T_c / T)_i over i in K,   0 outside K
    KL   = sum_{i in K} p~_i (log p~_i − log q_i),   q = softmax(student_logits / T) over all V

Why it is exact to re-temper the stored logprobs: lp_i · T_c / T = z_i / T − (T_c/T)·log Z, and the
constant shift cancels inside a softmax, so p~ is the T-tempered teacher restricted to K and
renormalised. With k = V nothing is dropped, p~ is the full tempered teacher, and the loss equals
`kd_loss(..., kl_reduction="token_mean")` (tests/unit/test_topk.py checks it in float64).

What it loses: the tail mass 1 − sum_K p_i is moved onto K, so the student is told the tail is
empty (a bias that shrinks as k covers the mass; Anshumann et al. 2025). The k+1 "rest" bucket
keeps that mass but needs the tail's mass *at the training temperature*, which top-k logprobs at T_c
do not determine when T != T_c; see docs/teacher_capture.md.
"""
from __future__ import annotations

import torch
import torch.nn.functional as F

from app.kd.kl import kl_divergence
from app.kd.loss import IGNORE_INDEX, KDLossParts


def retemper(teacher_logprobs: torch.Tensor, T: float, capture_temperature: float = 1.0) -> torch.Tensor:
    """Stored top-k logprobs (..., k) at T_c -> log p~ (..., k): the T-tempered teacher renormalised on K."""
    return F.log_softmax(teacher_logprobs * (capture_temperature / T), dim=-1)


def topk_kl_per_position(student_logits: torch.Tensor, teacher_ids: torch.Tensor,
                         teacher_logprobs: torch.Tensor, T: float,
                         capture_temperature: float = 1.0) -> torch.Tensor:
    """KL(p~_T ‖ q_T) at each position: student (..., V), ids and logprobs (..., k) -> (...)."""
    if teacher_ids.shape != teacher_logprobs.shape:
        raise ValueError(f"teacher ids {tuple(teacher_ids.shape)} and logprobs "
                         f"{tuple(teacher_logprobs.shape)} must have the same shape")
    if teacher_ids.shape[:-1] != student_logits.shape[:-1]:
        raise ValueError(f"teacher positions {tuple(teacher_ids.shape[:-1])} do not match student "
                         f"positions {tuple(student_logits.shape[:-1])}")
    s_log = F.log_softmax(student_logits / T, dim=-1).gather(-1, teacher_ids)   # (..., k) log q_i, i in K
    t_log = retemper(teacher_logprobs.to(s_log.dtype), T, capture_temperature)  # (..., k) log p~_i
    return kl_divergence(t_log, s_log)


def topk_kd_loss_parts(student_logits: torch.Tensor, teacher_ids: torch.Tensor,
                       teacher_logprobs: torch.Tensor, labels: torch.Tensor, alpha: float = 0.5,
                       T: float = 2.0, *, capture_temperature: float = 1.0) -> KDLossParts:
    """alpha·CE + (1 − alpha)·T²·KL with the top-k teacher; KL is the token mean over labelled positions.

    Positions labelled -100 (prompt, padding) count in neither term; their teacher entries may hold
    any finite filler.
    """
    if not 0.0 <= alpha <= 1.0:
        raise ValueError(f"alpha must lie in [0, 1], got {alpha}")
    if not T > 0 or not capture_temperature > 0:
        raise ValueError(f"temperatures must be > 0, got T={T}, capture_temperature={capture_temperature}")
    vocab = student_logits.size(-1)
    ce = F.cross_entropy(student_logits.reshape(-1, vocab), labels.reshape(-1), ignore_index=IGNORE_INDEX)
    labelled = labels != IGNORE_INDEX                                            # (...)
    per_pos = topk_kl_per_position(student_logits, teacher_ids, teacher_logprobs, T, capture_temperature)
    kl = per_pos.masked_fill(~labelled, 0.0).sum() / labelled.sum().clamp(min=1)
    return KDLossParts(ce=ce, kl=kl, temperature=float(T), alpha=float(alpha))


def topk_kd_loss(student_logits: torch.Tensor, teacher_ids: torch.Tensor, teacher_logprobs: torch.Tensor,
                 labels: torch.Tensor, alpha: float = 0.5, T: float = 2.0, *,
                 capture_temperature: float = 1.0) -> torch.Tensor:
    """The top-k KD loss as a 0-dim tensor."""
    return topk_kd_loss_parts(student_logits, teacher_ids, teacher_logprobs, labels, alpha, T,
                              capture_temperature=capture_temperature).loss


def capture_topk(teacher_logits: torch.Tensor, k: int, capture_temperature: float = 1.0
                 ) -> tuple[torch.Tensor, torch.Tensor]:
    """What a capture stores: the k largest logprobs at T_c, sorted descending, and their ids."""
    logprobs = F.log_softmax(teacher_logits / capture_temperature, dim=-1)
    values, ids = logprobs.topk(k, dim=-1, sorted=True)
    return ids, values


def mass_kept(teacher_logits: torch.Tensor, temperature: float = 1.0) -> torch.Tensor:
    """Coverage curve: the teacher's probability mass in its top k, for k = 1..V: (..., V)."""
    probs = F.softmax(teacher_logits / temperature, dim=-1)
    return probs.sort(dim=-1, descending=True).values.cumsum(dim=-1)


def smallest_k_for_coverage(coverage: torch.Tensor, share: float) -> int:
    """The fewest ids whose mass reaches `share`, from a coverage curve (V,) as mass_kept gives it.

    Compared with a hair of slack (1e-12) so that a curve summing to 1 in floating point still reaches
    share = 1.0 at k = V.
    """
    if not 0.0 < share <= 1.0:
        raise ValueError(f"share must lie in (0, 1], got {share}")
    reached = (coverage >= share - 1e-12).nonzero()
    if reached.numel() == 0:
        raise ValueError(f"the coverage curve never reaches {share} (it ends at {float(coverage[-1])})")
    return int(reached[0]) + 1
