"""The alpha and T² explorers' numbers at every position of a slider at once (their tables).

A slider's table is what its explorer's endpoint would answer at each position the slider can reach,
computed in one vectorised pass by the same functions: the page then draws a drag without a round trip.
The tests check every entry against the single answer (tests/api/test_tables.py).
"""
from __future__ import annotations

from dataclasses import dataclass

import torch

from app.kd.gradients import (PartGradients, high_temperature_range, kl_gradient_norms, log_log_slopes,
                              logit_matching_limit, part_gradients)
from app.kd.loss import IGNORE_INDEX, KLReduction, kl_per_position


# The alpha explorer's sweep chart: the loss's parts at 101 values of alpha.
SWEEP_ALPHAS = torch.linspace(0.0, 1.0, 101, dtype=torch.float64)


def alpha_sweep(ce: torch.Tensor, kd_term: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """alpha·CE, (1 − alpha)·T²·KL and their sum at each of SWEEP_ALPHAS: straight lines in alpha."""
    weighted_ce, weighted_kd = SWEEP_ALPHAS * ce, (1.0 - SWEEP_ALPHAS) * kd_term
    return weighted_ce, weighted_kd, weighted_ce + weighted_kd


@dataclass(frozen=True)
class LossAcrossAlphas:
    """alpha·CE + (1 − alpha)·T²·KL and its gradients at P values of alpha, T fixed."""

    alphas: torch.Tensor          # (P,)
    parts: PartGradients          # CE, KL and their unweighted gradients: the same at every alpha
    weighted_ce: torch.Tensor     # (P,)
    weighted_kd: torch.Tensor     # (P,)
    loss: torch.Tensor            # (P,)
    grad_ce: torch.Tensor         # (P, rows, V)
    grad_kd: torch.Tensor         # (P, rows, V)
    grad_total: torch.Tensor      # (P, rows, V)


def loss_across_alphas(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                       alphas: torch.Tensor, T: float, *, kl_reduction: KLReduction = "seed") -> LossAcrossAlphas:
    """The loss is linear in alpha: one autograd pass, then the products loss_with_gradients takes."""
    g = part_gradients(student_logits, teacher_logits, labels, T, kl_reduction=kl_reduction)
    kd_term = g.kl * (g.temperature * g.temperature)
    weighted_ce, weighted_kd = alphas * g.ce, (1.0 - alphas) * kd_term
    grad_ce, grad_kd = g.weighted(alphas)
    return LossAcrossAlphas(alphas=alphas, parts=g, weighted_ce=weighted_ce, weighted_kd=weighted_kd,
                            loss=weighted_ce + weighted_kd, grad_ce=grad_ce, grad_kd=grad_kd,
                            grad_total=grad_ce + grad_kd)


@dataclass(frozen=True)
class KDTermAcrossTemperatures:
    """KL(teacher_T ‖ student_T), T²·KL and ∂(T²·KL)/∂z at P temperatures."""

    temperatures: torch.Tensor    # (P,)
    kl: torch.Tensor              # (P,)
    kd_term: torch.Tensor         # (P,)
    grad_kd_term: torch.Tensor    # (P, rows, V)


def kd_term_across_temperatures(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                                temperatures: torch.Tensor, *, kl_reduction: KLReduction = "seed"
                                ) -> KDTermAcrossTemperatures:
    """kd_loss_parts' KL at every T at once: the student's logits are copied once per T (P, rows, V), so
    one backward pass gives each T its own gradient (the copies do not interact)."""
    rows, vocab = student_logits.shape
    T = temperatures.reshape(-1, 1, 1)
    z = student_logits.detach().expand(T.shape[0], rows, vocab).clone().requires_grad_(True)
    per_position = kl_per_position(z, teacher_logits.detach(), T)                  # (P, rows)
    if kl_reduction == "seed":
        kl = per_position.sum(dim=-1) / rows                                       # batchmean: / size(0)
    else:
        labelled = labels.reshape(-1) != IGNORE_INDEX
        kl = (per_position * labelled).sum(dim=-1) / labelled.sum().clamp(min=1)
    kd_term = kl * temperatures ** 2
    (grad,) = torch.autograd.grad(kd_term.sum(), z)
    return KDTermAcrossTemperatures(temperatures=temperatures, kl=kl.detach(), kd_term=kd_term.detach(),
                                    grad_kd_term=grad)


@dataclass(frozen=True)
class HighTemperatureFit:
    """The log-log slopes of the gradient norms over the high-T part of each row of temperatures."""

    slope: torch.Tensor        # (...,): NaN where there is no slope
    slope_t2: torch.Tensor
    fit_from: torch.Tensor     # (...,): the lowest temperature of the fit
    points: torch.Tensor       # (...,): how many temperatures the fit uses


def high_temperature_fit(temperatures: torch.Tensor, norms: torch.Tensor, norms_t2: torch.Tensor) -> HighTemperatureFit:
    """temperatures, norms, norms_t2: (..., n); the fit runs over temperatures ≥ 0.2 × the largest of each row."""
    high = high_temperature_range(temperatures)
    return HighTemperatureFit(slope=log_log_slopes(temperatures, norms, high),
                              slope_t2=log_log_slopes(temperatures, norms_t2, high),
                              fit_from=torch.where(high, temperatures, torch.inf).min(dim=-1).values,
                              points=high.sum(dim=-1))


@dataclass(frozen=True)
class GradientNormsAcrossMarks:
    """The T² explorer at P marked temperatures: its fixed curves and, per mark, the point and the fit."""

    curve_norms: torch.Tensor      # (n,) ‖∂KL/∂z‖ at the curve's temperatures
    curve_norms_t2: torch.Tensor   # (n,)
    curve_limit: torch.Tensor      # (n,) Hinton's limit
    norms: torch.Tensor            # (P,) at each marked T
    norms_t2: torch.Tensor
    limit: torch.Tensor
    fit: HighTemperatureFit        # (P,) fields: the curve plus that mark, as the single answer fits it


def gradient_norms_across_marks(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                                curve: torch.Tensor, marks: torch.Tensor) -> GradientNormsAcrossMarks:
    """What POST /api/kd/temperature-gradients answers for temperatures [*curve, mark], for every mark."""
    n = curve.shape[0]
    norms, norms_t2 = kl_gradient_norms(student_logits, teacher_logits, torch.cat([curve, marks]))
    limit = logit_matching_limit(student_logits, teacher_logits, torch.cat([curve, marks]))

    def with_mark(values: torch.Tensor) -> torch.Tensor:      # (P, n + 1): the curve, then that mark
        return torch.cat([values[:n].expand(marks.shape[0], n), values[n:, None]], dim=1)

    fit = high_temperature_fit(with_mark(torch.cat([curve, marks])), with_mark(norms), with_mark(norms_t2))
    return GradientNormsAcrossMarks(curve_norms=norms[:n], curve_norms_t2=norms_t2[:n], curve_limit=limit[:n],
                                    norms=norms[n:], norms_t2=norms_t2[n:], limit=limit[n:], fit=fit)
