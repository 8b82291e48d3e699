"""The answers to the class questions, computed from the instructor's state with the app's own torch code.

Each solver takes a widget state checked against the registry (app/widgets) and returns the answer
(a parameter value, or the index of the right option), or None when this state has no answer in the
slider's range (the instructor is told before the question is asked).
"""
from __future__ import annotations

from collections.abc import Callable

import torch

from app.kd import kd_loss_parts, soften
from app.kd.gradients import kl_gradient_norms
from app.kd.temperature import runner_up_index, temperature_for_share
from app.widgets.params import Number

GRID_POINTS = 1001
BISECTION_STEPS = 40
Curve = Callable[[torch.Tensor], torch.Tensor]     # (K,) parameter values → (K,) quantity


def _grid(param: Number, low: float, high: float) -> torch.Tensor:
    if param.scale == "log":
        return torch.logspace(torch.log10(torch.tensor(low)), torch.log10(torch.tensor(high)), GRID_POINTS,
                              dtype=torch.float64)
    return torch.linspace(low, high, GRID_POINTS, dtype=torch.float64)


def first_crossing(curve: Curve, param: Number, target: float, *, rising: bool,
                   low: float | None = None) -> float | None:
    """The smallest parameter value in (low, high] where `curve` crosses `target` (upwards when `rising`,
    downwards otherwise), to within 1e-9; None when it does not cross it in the range (never reaches it,
    or is already past it at the range's start)."""
    xs = _grid(param, param.low if low is None else low, param.high)
    ys = curve(xs)
    reached = ys >= target if rising else ys <= target
    hits = torch.nonzero(reached).flatten()
    if hits.numel() == 0:
        return None
    first = int(hits[0])
    if first == 0:
        return None
    lo, hi = float(xs[first - 1]), float(xs[first])
    for _ in range(BISECTION_STEPS):
        mid = (lo + hi) / 2
        y = float(curve(torch.tensor([mid], dtype=torch.float64))[0])
        if (y >= target) if rising else (y <= target):
            hi = mid
        else:
            lo = mid
    return hi


def _logits(state: dict, key: str) -> torch.Tensor | None:
    values = state.get(key)
    return torch.tensor(values, dtype=torch.float64) if values else None


def top_falls_to(state: dict, param: Number, share: float) -> float | None:
    """T where the top class's probability falls to `share` (it only falls as T rises, for distinct
    logits); None when it is already below at the slider's lowest T or still above at its highest."""
    logits = _logits(state, "logits")
    if logits is None or logits.numel() < 2:
        return None
    top = int(torch.argmax(logits))
    if float(soften(logits, torch.tensor([param.low], dtype=torch.float64))[0, top]) <= share:
        return None
    return temperature_for_share(logits, top, share, param.low, param.high)


def runner_up_direction(state: dict, t_from: float, t_to: float) -> int | None:
    """0: the runner-up gains probability from T = t_from to t_to; 1: it loses; 2: no change (< 0.001)."""
    logits = _logits(state, "logits")
    if logits is None or logits.numel() < 2:
        return None
    p = soften(logits, torch.tensor([t_from, t_to], dtype=torch.float64))[:, runner_up_index(logits)]
    change = float(p[1] - p[0])
    return 2 if abs(change) < 1e-3 else (0 if change > 0 else 1)


def terms_weigh_the_same(state: dict) -> float | None:
    """alpha where alpha·CE = (1 − alpha)·T²·KL: alpha = T²·KL / (CE + T²·KL)."""
    student, teacher = _logits(state, "student"), _logits(state, "teacher")
    if student is None or teacher is None or "label" not in state or "T" not in state:
        return None
    parts = kd_loss_parts(student.unsqueeze(0), teacher.unsqueeze(0), torch.tensor([state["label"]]),
                          alpha=0.5, T=float(state["T"]))
    ce, kd = float(parts.ce), float(parts.kd_term)
    return kd / (ce + kd) if ce + kd > 0 else None


def pull_falls_to_a_tenth(state: dict, param: Number) -> float | None:
    """T above 1 where ‖∂KL/∂z‖ (no T²) first falls to a tenth of its value at T = 1."""
    student, teacher = _logits(state, "student"), _logits(state, "teacher")
    if student is None or teacher is None:
        return None
    at_one = float(kl_gradient_norms(student, teacher, torch.tensor([1.0], dtype=torch.float64))[0][0])
    if at_one == 0:
        return None
    return first_crossing(lambda ts: kl_gradient_norms(student, teacher, ts)[0], param, at_one / 10,
                          rising=False, low=1.0)
