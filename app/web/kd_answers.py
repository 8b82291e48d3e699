"""The KD math of app.kd as answers: one plain function per /api/kd endpoint, request model → answer model.

Synchronous and free of web machinery, so the same function answers a POST, a live-socket message and,
for heavy requests, a worker thread (app/web/kd_operations.py decides which).
"""
from __future__ import annotations

import torch

from app.kd.divergence import GRID, MEANS, fit_directions, two_peak_teacher
from app.kd.gradients import (PRACTICAL_POINTS, PRACTICAL_RANGE, kl_gradient_norms, logit_matching_limit,
                              loss_with_gradients, practical_slopes, pull_ratio_t2, same_up_to_a_shift)
from app.kd.loss import IGNORE_INDEX
from app.kd.reduction import reduction_by_length, sequence_example
from app.kd.sweeps import SWEEP_ALPHAS, alpha_sweep, high_temperature_fit
from app.kd.temperature import entropy_bits, mass_off_top, soften, weighted_mean_logit
from app.web.kd_bodies import (AlphaSweep, KLDirectionRequest, KLDirectionResponse, LossGradients,
                               LossProbabilities, LossRequest, LossResponse, ReductionRequest, ReductionResponse,
                               SoftenRequest, SoftenResponse, StudentFit, TemperatureGradientsRequest,
                               TemperatureGradientsResponse)


def soften_answer(body: SoftenRequest) -> SoftenResponse:
    """softmax(logits / T) at each temperature, with its entropy in bits and the mass off the top class."""
    logits = torch.tensor(body.logits, dtype=torch.float64)
    temps = torch.tensor(body.temperatures, dtype=torch.float64)
    probs = soften(logits, temps)
    return SoftenResponse(temperatures=body.temperatures, probs=probs.tolist(),
                          entropy_bits=entropy_bits(probs).tolist(), mass_off_top=mass_off_top(probs).tolist(),
                          mean_logit=weighted_mean_logit(logits, probs).tolist())


def loss_answer(body: LossRequest) -> LossResponse:
    """The KD loss's parts and the gradients of alpha·CE and (1 − alpha)·T²·KL on the student logits."""
    student = torch.tensor(body.student_logits, dtype=torch.float64)
    teacher = torch.tensor(body.teacher_logits, dtype=torch.float64)
    result = loss_with_gradients(student, teacher, torch.tensor(body.labels), body.alpha, body.temperature,
                                 kl_reduction=body.kl_reduction)
    parts = result.parts
    sweep_ce, sweep_kd, sweep_loss = alpha_sweep(parts.ce, parts.kd_term)
    T = body.temperature
    return LossResponse(
        loss=float(parts.loss), ce=float(parts.ce), kl=float(parts.kl), kd_term=float(parts.kd_term),
        weighted_ce=float(parts.weighted_ce), weighted_kd=float(parts.weighted_kd),
        grad=LossGradients(ce=result.grad_ce.tolist(), kd=result.grad_kd.tolist(), total=result.grad_total.tolist()),
        alpha_sweep=AlphaSweep(alpha=SWEEP_ALPHAS.tolist(), weighted_ce=sweep_ce.tolist(), weighted_kd=sweep_kd.tolist(),
                               loss=sweep_loss.tolist()),
        probs=LossProbabilities(student=student.softmax(-1).tolist(), student_t=(student / T).softmax(-1).tolist(),
                                teacher_t=(teacher / T).softmax(-1).tolist()))


def temperature_gradients_answer(body: TemperatureGradientsRequest) -> TemperatureGradientsResponse:
    """‖∂KL/∂student logits‖ across T, without and with T², its slopes at T = 1–4 and at high T, Hinton's limit."""
    student = torch.tensor(body.student_logits, dtype=torch.float64)
    teacher = torch.tensor(body.teacher_logits, dtype=torch.float64)
    temps = torch.tensor(body.temperatures, dtype=torch.float64)
    norms, norms_t2 = kl_gradient_norms(student, teacher, temps)
    fit = high_temperature_fit(temps, norms, norms_t2)
    # Rounding noise (~1e-17) has no slope worth reading: identical distributions have no gradient at all.
    no_pull = same_up_to_a_shift(student, teacher)
    return TemperatureGradientsResponse(
        temperatures=body.temperatures, grad_norm=norms.tolist(), grad_norm_t2=norms_t2.tolist(),
        logit_matching_limit=logit_matching_limit(student, teacher, temps).tolist(),
        high_t_slope=None if no_pull else _number_or_none(fit.slope),
        high_t_slope_t2=None if no_pull else _number_or_none(fit.slope_t2),
        slope_fit_from=float(fit.fit_from), slope_fit_points=int(fit.points),
        **practical_regime(student, teacher))


def practical_regime(student: torch.Tensor, teacher: torch.Tensor) -> dict:
    """The answer's fields on T = 1–4 (PRACTICAL_RANGE), which the marked T does not change."""
    low = practical_slopes(student, teacher)
    _, ends_t2 = kl_gradient_norms(student, teacher, torch.tensor(PRACTICAL_RANGE, dtype=torch.float64))
    return {"practical_range": list(PRACTICAL_RANGE), "low_t_slope": None if low is None else low[0],
            "low_t_slope_t2": None if low is None else low[1], "low_t_points": PRACTICAL_POINTS,
            "practical_t2_ends": ends_t2.tolist(), "practical_t2_ratio": pull_ratio_t2(student, teacher, *PRACTICAL_RANGE)}


def _number_or_none(x: torch.Tensor) -> float | None:
    """A 0-dim tensor as a JSON number; NaN (no such number) as null."""
    value = float(x)
    return None if value != value else value


def reduction_answer(body: ReductionRequest) -> ReductionResponse:
    """The seed's batchmean KL against the token mean, for every length of a (batch, seq, vocab) example."""
    example = sequence_example(body.batch_size, body.seq_len, body.prompt_len, body.vocab, body.seed)
    result = reduction_by_length(example, body.temperature)
    return ReductionResponse(lengths=result.lengths, seed_kl=result.seed_kl, token_mean_kl=result.token_mean_kl,
                             labelled=result.labelled, masked=result.masked,
                             per_position=result.per_position.tolist(),
                             is_masked=(example.labels == IGNORE_INDEX).tolist(),
                             masked_share_of_seed_kl=result.masked_share)


def kl_direction_answer(body: KLDirectionRequest) -> KLDirectionResponse:
    """Best one-peak student for a two-peak teacher under the forward and under the reverse KL."""
    fits = fit_directions(two_peak_teacher(body.separation, body.left_weight, body.width))

    def student(fit) -> StudentFit:
        return StudentFit(mean=fit.mean, width=fit.width, kl=fit.kl, probs=fit.log_probs.exp().tolist())

    return KLDirectionResponse(x=GRID.tolist(), teacher=fits.teacher.exp().tolist(), forward=student(fits.forward),
                               reverse=student(fits.reverse), means=MEANS.tolist(),
                               forward_by_mean=fits.forward_by_mean.tolist(),
                               reverse_by_mean=fits.reverse_by_mean.tolist())
