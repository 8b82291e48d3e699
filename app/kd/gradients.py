"""What each part of the KD loss asks of the student's logits, and how the KL's pull scales with T.

Hinton, Vinyals and Dean (2015, §2): ∂KL(p_T ‖ q_T)/∂z_i = (q_i − p_i)/T, where q = softmax(z/T) is the
student and p = softmax(v/T) the teacher. For T large against the logits, q_i − p_i ≈ (z_i − v_i)/(N·T)
with zero-mean logits, so the gradient shrinks like 1/T² — the shrink that the T² factor undoes.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch

from app.kd.kl import kl_divergence
from app.kd.loss import KDLossParts, KLReduction, kd_loss_parts


@dataclass(frozen=True)
class LossWithGradients:
    """The loss's parts (detached) and the gradients of the weighted parts w.r.t. the student logits."""

    parts: KDLossParts
    grad_ce: torch.Tensor      # ∂(alpha·CE)/∂z, shape of the student logits
    grad_kd: torch.Tensor      # ∂((1 − alpha)·T²·KL)/∂z
    grad_total: torch.Tensor   # ∂loss/∂z = grad_ce + grad_kd


@dataclass(frozen=True)
class PartGradients:
    """The loss's two terms, unweighted (detached), and their gradients w.r.t. the student logits."""

    ce: torch.Tensor           # CE(student, gold); 0 when no position has a label
    kl: torch.Tensor           # KL(teacher_T ‖ student_T), reduced as asked
    temperature: float
    grad_ce: torch.Tensor      # ∂CE/∂z
    grad_kd_term: torch.Tensor  # ∂(T²·KL)/∂z

    def weighted(self, alpha: float | torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """∂(alpha·CE)/∂z and ∂((1 − alpha)·T²·KL)/∂z; alpha may be (P,) for P weightings at once."""
        a = torch.as_tensor(alpha, dtype=self.grad_ce.dtype).reshape(-1, *[1] * self.grad_ce.dim())
        grad_ce, grad_kd = a * self.grad_ce, (1.0 - a) * self.grad_kd_term
        return (grad_ce, grad_kd) if torch.is_tensor(alpha) else (grad_ce[0], grad_kd[0])


def part_gradients(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor, T: float,
                   *, kl_reduction: KLReduction = "seed") -> PartGradients:
    """kd_loss_parts plus autograd gradients of CE and of T²·KL. No labelled position: CE is 0."""
    student = student_logits.detach().clone().requires_grad_(True)
    parts = kd_loss_parts(student, teacher_logits.detach(), labels, 0.5, T, kl_reduction=kl_reduction)
    ce = parts.ce
    if not bool((labels != -100).any()):
        # cross_entropy over no labelled position is 0/0; the CE term then asks nothing of the logits.
        ce = student.sum() * 0.0
    (grad_ce,) = torch.autograd.grad(ce, student, retain_graph=True)
    (grad_kd,) = torch.autograd.grad(parts.kd_term, student)
    return PartGradients(ce=ce.detach(), kl=parts.kl.detach(), temperature=parts.temperature,
                         grad_ce=grad_ce, grad_kd_term=grad_kd)


def loss_with_gradients(student_logits: torch.Tensor, teacher_logits: torch.Tensor, labels: torch.Tensor,
                        alpha: float, T: float, *, kl_reduction: KLReduction = "seed") -> LossWithGradients:
    """kd_loss_parts plus the gradients of alpha·CE and (1 − alpha)·T²·KL: alpha times the unweighted ones,
    the same products the alpha explorer's table takes for every alpha (app/kd/sweeps.py)."""
    g = part_gradients(student_logits, teacher_logits, labels, T, kl_reduction=kl_reduction)
    grad_ce, grad_kd = g.weighted(alpha)
    parts = KDLossParts(ce=g.ce, kl=g.kl, temperature=g.temperature, alpha=float(alpha))
    return LossWithGradients(parts=parts, grad_ce=grad_ce, grad_kd=grad_kd, grad_total=grad_ce + grad_kd)


def kl_gradient_norms(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                      temperatures: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """‖∂KL(teacher_T ‖ student_T)/∂z‖ at each T, without and with the T² factor.

    student_logits, teacher_logits: (V,); temperatures: (K,) -> two (K,) tensors. Computed by autograd
    on all temperatures at once (the K rows are independent, so the gradient of the sum is per row).
    """
    T = temperatures.reshape(-1, 1)                                            # (K, 1)
    z = student_logits.detach().reshape(1, -1).expand(T.shape[0], -1).clone().requires_grad_(True)  # (K, V)
    log_q = torch.log_softmax(z / T, dim=-1)                                   # student, softened
    log_p = torch.log_softmax(teacher_logits.detach().reshape(1, -1) / T, dim=-1)  # teacher, softened
    kl = kl_divergence(log_p, log_q)                                           # (K,)
    (grad,) = torch.autograd.grad(kl.sum(), z)
    norms = grad.norm(dim=-1)
    return norms, norms * temperatures.reshape(-1) ** 2


def logit_matching_limit(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                         temperatures: torch.Tensor) -> torch.Tensor:
    """Hinton's high-T limit of ‖∂KL/∂z‖: ‖(z − v)/N‖ / T² with zero-mean logits (softmax ignores a shift)."""
    z = student_logits - student_logits.mean()
    v = teacher_logits - teacher_logits.mean()
    return (z - v).norm() / z.numel() / temperatures ** 2


def same_up_to_a_shift(student_logits: torch.Tensor, teacher_logits: torch.Tensor, tol: float = 1e-9) -> bool:
    """True when softmax cannot tell them apart at any T: z − v is constant, so the KL and its pull are 0."""
    gap = student_logits - teacher_logits
    return bool((gap - gap.mean()).abs().max() <= tol * max(1.0, float(gap.abs().max())))


def log_log_slopes(temperatures: torch.Tensor, values: torch.Tensor, keep: torch.Tensor) -> torch.Tensor:
    """Least-squares slope of log(values) against log(T) over the points `keep` marks, along the last axis.

    temperatures, values, keep: (..., n) -> (...,). -2 means the values fall like 1/T². NaN where fewer
    than two points are usable (values that are 0 have no logarithm) or all usable T are equal.
    """
    keep = keep & (values > 0)
    count = keep.sum(dim=-1)
    ones = torch.ones_like(values, dtype=torch.float64)
    x = torch.where(keep, temperatures.double(), ones).log()   # log 1 = 0 where a point is not used
    y = torch.where(keep, values.double(), ones).log()
    n = count.clamp(min=1)
    x_centered = torch.where(keep, x - x.sum(dim=-1, keepdim=True) / n.unsqueeze(-1), 0.0)
    y_centered = torch.where(keep, y - y.sum(dim=-1, keepdim=True) / n.unsqueeze(-1), 0.0)
    denominator = (x_centered * x_centered).sum(dim=-1)
    slope = (x_centered * y_centered).sum(dim=-1) / denominator
    return torch.where((count >= 2) & (denominator > 0), slope, torch.nan)


def log_log_slope(temperatures: torch.Tensor, values: torch.Tensor) -> float | None:
    """log_log_slopes over every point of one curve, as a number; None when there is no slope."""
    slope = float(log_log_slopes(temperatures, values, torch.ones_like(values, dtype=torch.bool)))
    return None if slope != slope else slope


def high_temperature_range(temperatures: torch.Tensor, fraction: float = 0.2) -> torch.Tensor:
    """The mask of temperatures at least `fraction` of the largest (along the last axis): where the
    high-T slope is fitted."""
    return temperatures >= fraction * temperatures.max(dim=-1, keepdim=True).values


# The temperatures the lessons recommend for classification (Hinton et al. 2015 found 2.5–4 best for a
# small net), where the high-T limit behind the T² factor holds only roughly.
PRACTICAL_RANGE = (1.0, 4.0)


def pull_ratio_t2(student_logits: torch.Tensor, teacher_logits: torch.Tensor,
                  t_from: float, t_to: float) -> float | None:
    """‖∂(T²·KL)/∂z‖ at t_to divided by its value at t_from; None when there is no pull at t_from."""
    _, with_t2 = kl_gradient_norms(student_logits, teacher_logits,
                                   torch.tensor([t_from, t_to], dtype=torch.float64))
    if same_up_to_a_shift(student_logits, teacher_logits) or float(with_t2[0]) == 0.0:
        return None
    return float(with_t2[1] / with_t2[0])


PRACTICAL_POINTS = 16


def practical_slopes(student_logits: torch.Tensor, teacher_logits: torch.Tensor) -> tuple[float, float] | None:
    """Log-log slopes of ‖∂KL/∂z‖ without and with T² over PRACTICAL_RANGE (16 temperatures, even in log T).

    −2 and 0 would mean the high-T limit holds there; None when the student matches the teacher.
    """
    if same_up_to_a_shift(student_logits, teacher_logits):
        return None
    low, high = PRACTICAL_RANGE
    temps = torch.logspace(math.log10(low), math.log10(high), PRACTICAL_POINTS, dtype=torch.float64)
    norms, norms_t2 = kl_gradient_norms(student_logits, teacher_logits, temps)
    return log_log_slope(temps, norms), log_log_slope(temps, norms_t2)
