"""The slider tables as answers: each explorer slider's whole range in one answer, so a drag needs no round trip.

A table is what the explorer's POST /api/kd/* endpoint answers at every value its slider can reach (the
values of app/widgets/slider_positions.py), with everything else fixed as the request says, computed in one
vectorised pass by the same app.kd functions. Arrays travel packed (app/web/packed.py). The page draws
each slider position from its table and asks the single endpoint only for a value the slider cannot
reach (typed into its exact-value field). tests/api/test_tables.py checks every table against the single
answers, position by position, to 1e-12.

Plain synchronous functions, request model → answer model, like app/web/kd_answers.py: the operations
table (app/web/kd_operations.py, TABLE_OPERATIONS) serves them over POST and the live socket, off the event
loop (the heavy lane) since each is milliseconds of torch, the KL-direction ones tens of milliseconds.
"""
from __future__ import annotations

import functools

import torch

from app.kd.divergence import GRID, MEANS, fit_directions_batch, two_peak_teachers
from app.kd.gradients import part_gradients, same_up_to_a_shift
from app.kd.reduction import kl_reductions, reductions_by_batch, reductions_by_prompt, sequence_example
from app.kd.sweeps import (SWEEP_ALPHAS, alpha_sweep, gradient_norms_across_marks, kd_term_across_temperatures,
                           loss_across_alphas)
from app.kd.temperature import entropy_bits, mass_off_top, soften, weighted_mean_logit
from app.web.kd_answers import practical_regime
from app.web.packed import pack
from app.web.table_bodies import (AlphaTableRequest, AlphaTemperatureTableRequest, KLSeparationTableRequest,
                                  KLWeightTableRequest, ReductionBatchTableRequest, ReductionLengthTableRequest,
                                  ReductionPromptTableRequest, SliderTable, SoftenTableRequest, TSquaredTableRequest)
from app.widgets import widget_spec
from app.widgets.slider_positions import reachable_values


def _log_spaced(low: float, high: float, count: int) -> torch.Tensor:
    return torch.tensor([low * (high / low) ** (i / (count - 1)) for i in range(count)], dtype=torch.float64)


# The T² explorer's curves: 48 temperatures evenly spaced in log T over its slider's range. The page asks
# for an exact T with these (they come with its table), so the curve never moves under the mark.
_T_SQUARED = widget_spec("t-squared").param("T")
T_SQUARED_CURVE = _log_spaced(_T_SQUARED.low, _T_SQUARED.high, 48)


@functools.cache
def _reachable(widget: str, param: str) -> tuple[float | int, ...]:
    return tuple(reachable_values(widget_spec(widget).param(param)))    # ~2 ms for 1,001 positions: once


def slider_values(widget: str, param: str) -> torch.Tensor:
    """The distinct values the slider reaches, ascending: a table has one row per value, not per position."""
    return torch.tensor(_reachable(widget, param), dtype=torch.float64)


def _table(widget: str, param: str, values: torch.Tensor, by_position: dict[str, torch.Tensor],
           fixed: dict[str, torch.Tensor]) -> SliderTable:
    return SliderTable(widget=widget, param=param, values=pack(values),
                       by_position={k: pack(v) for k, v in by_position.items()},
                       fixed={k: pack(torch.as_tensor(v)) for k, v in fixed.items()})


def _f64(values: list) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def temperature_table(body: SoftenTableRequest) -> SliderTable:
    """softmax(logits / T), entropy, mass off the top and mean logit at every T of the temperature explorer.

    Row i is what POST /api/kd/soften answers for temperatures [1, T] at the i-th T (the T = 1 half is fixed)."""
    logits, temps = _f64(body.logits), slider_values("temperature", "T")
    probs, at_one = soften(logits, temps), soften(logits, torch.ones(1, dtype=torch.float64))
    return _table("temperature", "T", temps,
                  {"probs": probs, "entropy_bits": entropy_bits(probs), "mass_off_top": mass_off_top(probs),
                   "mean_logit": weighted_mean_logit(logits, probs)},
                  {"probs_at_1": at_one[0], "entropy_bits_at_1": entropy_bits(at_one)[0],
                   "mass_off_top_at_1": mass_off_top(at_one)[0], "mean_logit_at_1": weighted_mean_logit(logits, at_one)[0]})


def _loss_inputs(body: AlphaTableRequest | AlphaTemperatureTableRequest) -> tuple[torch.Tensor, ...]:
    return _f64(body.student_logits), _f64(body.teacher_logits), torch.tensor(body.labels)


def alpha_table(body: AlphaTableRequest) -> SliderTable:
    """The loss's parts and its gradients (the pulls) at every alpha of the alpha explorer.

    Row i is what POST /api/kd/loss answers at the i-th alpha; the sweep across alpha is fixed."""
    student, teacher, labels = _loss_inputs(body)
    alphas = slider_values("alpha", "alpha")
    r = loss_across_alphas(student, teacher, labels, alphas, body.temperature, kl_reduction=body.kl_reduction)
    kd_term = r.parts.kl * (body.temperature * body.temperature)
    sweep_ce, sweep_kd, sweep_loss = alpha_sweep(r.parts.ce, kd_term)
    return _table("alpha", "alpha", alphas,
                  {"loss": r.loss, "weighted_ce": r.weighted_ce, "weighted_kd": r.weighted_kd,
                   "grad_ce": r.grad_ce, "grad_kd": r.grad_kd, "grad_total": r.grad_total},
                  {"ce": r.parts.ce, "kl": r.parts.kl, "kd_term": kd_term, "sweep_alpha": SWEEP_ALPHAS,
                   "sweep_weighted_ce": sweep_ce, "sweep_weighted_kd": sweep_kd, "sweep_loss": sweep_loss})


def alpha_temperature_table(body: AlphaTemperatureTableRequest) -> SliderTable:
    """The loss's parts and its gradients (the pulls) at every T of the alpha explorer.

    Row i is what POST /api/kd/loss answers at the i-th T. The sweep's lines at row i are SWEEP_ALPHAS·ce (fixed) and
    (1 − SWEEP_ALPHAS)·kd_term[i]: the page takes those two products itself rather than receive 101 of
    each per T (tests/browser/test_tables.py checks them against the single answer)."""
    student, teacher, labels = _loss_inputs(body)
    temps = slider_values("alpha", "T")
    ce_part = part_gradients(student, teacher, labels, 1.0, kl_reduction=body.kl_reduction)   # CE ignores T
    k = kd_term_across_temperatures(student, teacher, labels, temps, kl_reduction=body.kl_reduction)
    a = body.alpha
    grad_ce, _ = ce_part.weighted(a)
    weighted_ce, weighted_kd, grad_kd = a * ce_part.ce, (1.0 - a) * k.kd_term, (1.0 - a) * k.grad_kd_term
    return _table("alpha", "T", temps,
                  {"kl": k.kl, "kd_term": k.kd_term, "weighted_kd": weighted_kd, "loss": weighted_ce + weighted_kd,
                   "grad_kd": grad_kd, "grad_total": grad_ce + grad_kd},
                  {"ce": ce_part.ce, "weighted_ce": weighted_ce, "grad_ce": grad_ce, "sweep_alpha": SWEEP_ALPHAS,
                   "sweep_weighted_ce": SWEEP_ALPHAS * ce_part.ce})   # alpha_sweep's first line


def t_squared_table(body: TSquaredTableRequest) -> SliderTable:
    """The KL's gradient norms, slopes and Hinton's limit with the mark at every T of the T² explorer.

    Row i is what POST /api/kd/temperature-gradients answers for [*curve, T] at the i-th T. The curve's
    temperatures are fixed here (`curve_temperatures`): the page asks for an exact T with the same ones."""
    student, teacher = _f64(body.student_logits), _f64(body.teacher_logits)
    marks = slider_values("t-squared", "T")
    m = gradient_norms_across_marks(student, teacher, T_SQUARED_CURVE, marks)
    # Rounding noise (~1e-17) has no slope worth reading: identical distributions have no gradient at all.
    no_slope = torch.full_like(marks, torch.nan) if same_up_to_a_shift(student, teacher) else None
    return _table("t-squared", "T", marks,
                  {"grad_norm": m.norms, "grad_norm_t2": m.norms_t2, "logit_matching_limit": m.limit,
                   "high_t_slope": m.fit.slope if no_slope is None else no_slope,
                   "high_t_slope_t2": m.fit.slope_t2 if no_slope is None else no_slope,
                   "slope_fit_from": m.fit.fit_from, "slope_fit_points": m.fit.points},
                  {"curve_temperatures": T_SQUARED_CURVE, "grad_norm": m.curve_norms,
                   "grad_norm_t2": m.curve_norms_t2, "logit_matching_limit": m.curve_limit,
                   **{name: _nan_for_none(v) for name, v in practical_regime(student, teacher).items()}})


def _nan_for_none(value: float | int | list | None) -> torch.Tensor:
    """A number (int stays int), a list or None (NaN: a packed float's "no value") as a tensor."""
    if isinstance(value, int):
        return torch.tensor(value, dtype=torch.int32)
    return torch.tensor(torch.nan if value is None else value, dtype=torch.float64)


def reduction_length_table(body: ReductionLengthTableRequest) -> SliderTable:
    """Both reductions of the KL at every sequence length of the reduction explorer.

    Row L is what POST /api/kd/reduction answers at length L (prompt min(prompt_len, L)). The answer at L is the first
    L of every per-length array in `fixed` (the example is one draw, cut): only the share of the seed's KL
    from prompt positions needs a row per length."""
    lengths = slider_values("reduction", "seq_len")
    longest = int(lengths.max())
    example = sequence_example(body.batch_size, longest, min(body.prompt_len, longest), body.vocab, body.seed)
    per_position, r = kl_reductions(example, body.temperature)
    return _table("reduction", "seq_len", lengths, {"masked_share": r.masked_share[lengths.long() - 1]},
                  {"seed_kl": r.seed_kl, "token_mean_kl": r.token_mean_kl, "labelled": r.labelled,
                   "masked": r.masked, "per_position": per_position, "is_masked": r.is_masked})


def reduction_prompt_table(body: ReductionPromptTableRequest) -> SliderTable:
    """Both reductions of the KL at every prompt length up to seq_len (the page keeps the prompt inside it).

    Row q is what POST /api/kd/reduction answers with a prompt of q positions."""
    prompts = slider_values("reduction", "prompt_len")
    prompts = prompts[prompts <= body.seq_len]
    example = sequence_example(body.batch_size, body.seq_len, 0, body.vocab, body.seed)
    per_position, r = reductions_by_prompt(example, body.temperature, prompts.long())
    return _table("reduction", "prompt_len", prompts,
                  {"token_mean_kl": r.token_mean_kl, "labelled": r.labelled, "masked": r.masked,
                   "masked_share": r.masked_share[:, -1], "is_masked": r.is_masked},
                  {"seed_kl": r.seed_kl[0], "per_position": per_position})


def reduction_batch_table(body: ReductionBatchTableRequest) -> SliderTable:
    """Both reductions of the KL at every batch size of the reduction explorer.

    Row b is what POST /api/kd/reduction answers for b sequences: the first b rows of `fixed`."""
    sizes = slider_values("reduction", "batch_size")
    example = sequence_example(int(sizes.max()), body.seq_len, body.prompt_len, body.vocab, body.seed)
    per_position, r = reductions_by_batch(example, body.temperature, sizes.long())
    return _table("reduction", "batch_size", sizes,
                  {"seed_kl": r.seed_kl, "token_mean_kl": r.token_mean_kl, "labelled": r.labelled,
                   "masked": r.masked, "masked_share": r.masked_share[:, -1]},
                  {"per_position": per_position, "is_masked": r.is_masked[-1]})


def _kl_direction_table(param: str, values: torch.Tensor, separations: torch.Tensor, left_weights: torch.Tensor,
                        width: float) -> SliderTable:
    fits = fit_directions_batch(two_peak_teachers(separations, left_weights, width))
    rows = {"teacher": fits.teachers.exp(), "forward_by_mean": fits.forward_by_mean,
            "reverse_by_mean": fits.reverse_by_mean}
    for name, fit in (("forward", fits.forward), ("reverse", fits.reverse)):
        rows |= {f"{name}_mean": fit.means, f"{name}_width": fit.widths, f"{name}_kl": fit.kls,
                 f"{name}_probs": fit.log_probs.exp()}
    return _table("kl-direction", param, values, rows, {"x": GRID, "means": MEANS})


def kl_separation_table(body: KLSeparationTableRequest) -> SliderTable:
    """The best students under both KL directions at every distance between the teacher's peaks.

    Row i is what POST /api/kd/kl-direction answers at the i-th separation."""
    seps = slider_values("kl-direction", "separation")
    return _kl_direction_table("separation", seps, seps, torch.full_like(seps, body.left_weight), body.width)


def kl_weight_table(body: KLWeightTableRequest) -> SliderTable:
    """The best students under both KL directions at every share of the teacher's left peak.

    Row i is what POST /api/kd/kl-direction answers at the i-th left_weight."""
    weights = slider_values("kl-direction", "left_weight")
    return _kl_direction_table("left_weight", weights, torch.full_like(weights, body.separation), weights, body.width)
