"""KL(p ‖ q) from log-probabilities: the one place the divergence is written out.

The explorers (forward against reverse KL, the gradient norms across T), the top-k KD loss and the
tiny-LM evaluation all call this. The seed's own `F.kl_div` call stays in `app.kd.loss`, as the
course wrote it.
"""
from __future__ import annotations

import torch


def kl_divergence(log_p: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    """Σ p·(log p − log q) over the last axis, with 0·log 0 = 0 where p is exactly 0: (...,V) -> (...).

    Differentiate through it only where log p is finite (autograd of 0·(−inf) is NaN); every caller's
    teacher comes from a softmax of finite logits, and the evaluation runs without gradients.
    """
    p = log_p.exp()
    terms = p * (log_p - log_q)
    return torch.where(p > 0, terms, torch.zeros_like(terms)).sum(dim=-1)
