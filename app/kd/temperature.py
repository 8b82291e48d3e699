"""Temperature: how dividing logits by T softens a softmax, and what that does to its entropy."""
from __future__ import annotations

import math

import torch


def soften(logits: torch.Tensor, temperatures: torch.Tensor) -> torch.Tensor:
    """softmax(logits / T) for each T: logits (V,), temperatures (K,) -> probabilities (K, V)."""
    return torch.softmax(logits.unsqueeze(0) / temperatures.unsqueeze(1), dim=-1)


def entropy_bits(probs: torch.Tensor) -> torch.Tensor:
    """Shannon entropy in bits along the last axis; 0·log 0 counts as 0."""
    # clamp: a one-hot distribution gives -0.0, which would read as "−0.000 bits".
    return (-torch.special.xlogy(probs, probs).sum(dim=-1) / math.log(2.0)).clamp(min=0.0)


def mass_off_top(probs: torch.Tensor) -> torch.Tensor:
    """Probability outside the top class: the 'dark knowledge' a softened target exposes."""
    return 1.0 - probs.max(dim=-1).values


def temperature_for_ratio(logit_gap: float, ratio: float) -> float:
    """The T at which two classes whose logits differ by `logit_gap` get probabilities in `ratio`.

    p1/p2 = exp(gap / T), so T = gap / ln(ratio). A 99/1 pair (gap ln 99) reaches 80/20 at
    T = ln 99 / ln 4 ≈ 3.31.
    """
    if ratio <= 1.0:
        raise ValueError("ratio must be > 1")
    return logit_gap / math.log(ratio)
