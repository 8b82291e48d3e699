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


def weighted_mean_logit(logits: torch.Tensor, probs: torch.Tensor) -> torch.Tensor:
    """Σ_j p_j z_j for each row of probs (K, V): the mean logit under the softened distribution.

    d p_i / dT = p_i (Σ_j p_j z_j − z_i) / T², so as T rises a class gains probability exactly while its
    logit is below this mean, and loses it while above. The top class is always above it (for distinct
    logits), so it always loses; a runner-up above it loses too.
    """
    return probs @ logits


def dprob_dtemperature(logits: torch.Tensor, temperatures: torch.Tensor) -> torch.Tensor:
    """∂ softmax(logits / T)_i / ∂T for each T: (V,), (K,) -> (K, V), from the closed form above."""
    probs = soften(logits, temperatures)
    mean = weighted_mean_logit(logits, probs)                                   # (K,)
    return probs * (mean.unsqueeze(1) - logits.unsqueeze(0)) / temperatures.unsqueeze(1) ** 2


def runner_up_index(logits: torch.Tensor) -> int:
    """The class with the second-largest logit (its probability is second at every T > 0)."""
    if logits.numel() < 2:
        raise ValueError("a runner-up needs at least two classes")
    return int(logits.topk(2).indices[1])


def temperature_for_share(logits: torch.Tensor, index: int, share: float, t_min: float = 0.1,
                          t_max: float = 20.0, grid: int = 2001) -> float | None:
    """The lowest T in [t_min, t_max] at which softmax(logits / T)[index] equals `share`; None if it never does.

    A class's probability need not be monotone in T (a runner-up can rise, then fall), so the curve is
    evaluated on a log-spaced grid, the first crossing bracketed, and the bracket halved to float64
    precision. A 99/1 pair's runner-up reaches 20% at ln 99 / ln 4 ≈ 3.31.
    """
    if not 0.0 < share < 1.0:
        raise ValueError(f"share must lie strictly between 0 and 1, got {share}")
    if not 0.0 < t_min < t_max:
        raise ValueError(f"need 0 < t_min < t_max, got {t_min}, {t_max}")
    logits = logits.to(torch.float64)
    temps = torch.logspace(math.log10(t_min), math.log10(t_max), grid, dtype=torch.float64)
    gap = soften(logits, temps)[:, index] - share
    if float(gap[0]) == 0.0:
        return float(temps[0])
    crossings = ((gap[:-1] * gap[1:]) <= 0).nonzero()
    if crossings.numel() == 0:
        return None
    i = int(crossings[0])
    lo, hi = float(temps[i]), float(temps[i + 1])
    sign_lo = float(gap[i]) > 0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        above = float(soften(logits, torch.tensor([mid], dtype=torch.float64))[0, index]) - share > 0
        if above == sign_lo:
            lo = mid
        else:
            hi = mid
        if hi - lo <= 1e-13 * hi:
            break
    return 0.5 * (lo + hi)
