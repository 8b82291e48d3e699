"""Forward against reverse KL: fit a one-peak student to a two-peak teacher on a grid of outcomes.

KL(teacher ‖ student) (forward; what the seed's `F.kl_div` computes) punishes a student that puts little
mass where the teacher has some, so its best one-peak fit spreads over both peaks: mode covering.
KL(student ‖ teacher) (reverse; MiniLLM's choice) punishes a student that puts mass where the teacher has
little, so its best fit sits on one peak: mode seeking.
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

GRID = torch.linspace(-8.0, 8.0, 161, dtype=torch.float64)        # the outcomes, like a vocabulary
MEANS = torch.linspace(-7.0, 7.0, 281, dtype=torch.float64)       # student family: peak position …
WIDTHS = torch.exp(torch.linspace(-1.0, 1.8, 57, dtype=torch.float64))  # … and width (0.37 to 6.0)


def bump_logits(centre: torch.Tensor | float, width: torch.Tensor | float) -> torch.Tensor:
    """Logits of a discretised Gaussian bump over GRID: −(x − centre)² / (2·width²)."""
    centre = torch.as_tensor(centre, dtype=torch.float64).unsqueeze(-1)
    width = torch.as_tensor(width, dtype=torch.float64).unsqueeze(-1)
    return -((GRID - centre) ** 2) / (2 * width ** 2)


def two_peak_teacher(separation: float, left_weight: float, width: float) -> torch.Tensor:
    """log-probabilities over GRID of a mixture of two bumps `separation` apart, weights w and 1 − w."""
    left = torch.log_softmax(bump_logits(-separation / 2, width), dim=-1) + torch.log(torch.tensor(left_weight, dtype=torch.float64))
    right = torch.log_softmax(bump_logits(separation / 2, width), dim=-1) + torch.log1p(torch.tensor(-left_weight, dtype=torch.float64))
    return torch.logaddexp(left, right)


def kl(log_p: torch.Tensor, log_q: torch.Tensor) -> torch.Tensor:
    """KL(p ‖ q) = Σ p (log p − log q) over the last axis; 0·log 0 counts as 0."""
    p = log_p.exp()
    return torch.where(p > 0, p * (log_p - log_q), torch.zeros_like(p)).sum(dim=-1)


@dataclass(frozen=True)
class BestFit:
    mean: float
    width: float
    kl: float
    log_probs: torch.Tensor   # (len(GRID),)


@dataclass(frozen=True)
class DirectionFits:
    teacher: torch.Tensor          # log-probabilities over GRID
    forward: BestFit               # argmin over the family of KL(teacher ‖ student)
    reverse: BestFit               # argmin of KL(student ‖ teacher)
    forward_by_mean: torch.Tensor  # (len(MEANS),): the best forward KL at each peak position
    reverse_by_mean: torch.Tensor


def fit_directions(teacher_log_probs: torch.Tensor) -> DirectionFits:
    """Search the whole student family (every mean × width) and keep the best under each direction."""
    students = torch.log_softmax(bump_logits(MEANS.unsqueeze(1), WIDTHS.unsqueeze(0)), dim=-1)  # (M, W, G)
    forward = kl(teacher_log_probs, students)                     # (M, W)
    reverse = kl(students, teacher_log_probs.expand_as(students))  # (M, W)

    def best(table: torch.Tensor) -> BestFit:
        flat = int(table.argmin())
        m, w = divmod(flat, table.shape[1])
        return BestFit(mean=float(MEANS[m]), width=float(WIDTHS[w]), kl=float(table[m, w]), log_probs=students[m, w])

    return DirectionFits(teacher=teacher_log_probs, forward=best(forward), reverse=best(reverse),
                         forward_by_mean=forward.min(dim=1).values, reverse_by_mean=reverse.min(dim=1).values)
