"""Numbers the lessons state about the math, computed by the code once at start-up.

A lesson writes `{{name}}` where such a number belongs, in its body or its front matter (a numeric
quiz answer too); `fill_claims` replaces it with the value below, formatted. A lesson therefore cannot
state a number the code no longer computes: change the math and the text changes with it. An unknown
name stops start-up with the file and the name.

Claims a placeholder cannot carry (a direction, a comparison, a cited figure) are listed with what
checks them in `lessons/claims.yaml`; `docs/CLAIMS.md` is generated from both (app/content/claims_doc.py).

The explorers' presets used here are the widgets' own (static/js/widgets/*.js); a test checks that the
copies agree.
"""
from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

import torch

from app.kd.gradients import (PRACTICAL_RANGE, high_temperature_range, kl_gradient_norms, log_log_slope,
                              practical_slopes, pull_ratio_t2)
from app.kd.temperature import runner_up_index, soften, temperature_for_ratio
from app.kd.topk import mass_kept, retemper

# The temperature explorer's "Next token" and "Two favourites" presets, and the T² explorer's "A
# handwritten 7" (student, teacher) with its grid of 48 temperatures from 0.5 to 50.
NEXT_TOKEN = (6.0, 4.9, 4.5, 4.2, 3.6, 3.1, 2.4, 1.0)
TWO_FAVOURITES = (5.0, 4.8, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0)
DIGIT_STUDENT = (0.2, 2.0, 0.3, 0.5, 0.6, 0.1, -0.4, 5.0, 0.9, 2.5)
DIGIT_TEACHER = (0.4, 3.2, 0.1, 1.1, 0.9, 0.3, -0.6, 9.0, 0.7, 4.4)
T2_GRID = tuple(0.5 * 100 ** (i / 47) for i in range(48))

# Lesson 4.2's quiz teacher: sorted probabilities at one position.
QUIZ_TEACHER = (0.60, 0.25, 0.10, 0.03, 0.02)

PLACEHOLDER = re.compile(r"\{\{\s*([a-z0-9-]+)\s*\}\}")


@dataclass(frozen=True)
class Computed:
    name: str
    says: str                        # what the number is, for docs/CLAIMS.md
    compute: Callable[[], float]
    fmt: Callable[[float], str]
    code: str                        # the function that computes it


COMPUTED: dict[str, Computed] = {}


def _t(values: tuple[float, ...]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


def _percent(digits: int) -> Callable[[float], str]:
    return lambda v: f"{100 * v:.{digits}f}%"


def _fixed(digits: int) -> Callable[[float], str]:
    # A minus sign, not a hyphen, as the lessons write it.
    return lambda v: f"{v:.{digits}f}".replace("-", "−")


def computed(name: str, says: str, fmt: Callable[[float], str], code: str):
    def register(fn: Callable[[], float]) -> Callable[[], float]:
        if name in COMPUTED:
            raise ValueError(f"claim {name!r} registered twice")
        COMPUTED[name] = Computed(name, says, fn, fmt, code)
        return fn
    return register


def _runner_up_share(logits: tuple[float, ...], T: float) -> float:
    z = _t(logits)
    return float(soften(z, _t((T,)))[0, runner_up_index(z)])


def _digit_norms(temperatures: tuple[float, ...]) -> tuple[torch.Tensor, torch.Tensor]:
    return kl_gradient_norms(_t(DIGIT_STUDENT), _t(DIGIT_TEACHER), _t(temperatures))


# --- lesson 4.3: temperature -------------------------------------------------------------------

@computed("t-80-20", "T at which a 99/1 pair becomes 80/20: ln 99 / ln 4", _fixed(2),
          "app.kd.temperature.temperature_for_ratio")
def _t_80_20() -> float:
    return temperature_for_ratio(math.log(99), 80 / 20)


@computed("quiz-t-90-10-to-70-30", "T at which a 90/10 pair becomes 70/30: ln 9 / ln(7/3)", _fixed(2),
          "app.kd.temperature.temperature_for_ratio")
def _t_90_10() -> float:
    return temperature_for_ratio(math.log(9), 70 / 30)


for _T in (1, 2, 4):
    computed(f"next-token-runner-up-t{_T}", f"the Next token preset's runner-up probability at T = {_T}", _percent(1),
             "app.kd.temperature.soften")(lambda T=_T: _runner_up_share(NEXT_TOKEN, T))
for _T in (1, 4):
    computed(f"two-favourites-runner-up-t{_T}", f"the Two favourites preset's runner-up probability at T = {_T}",
             _percent(0), "app.kd.temperature.soften")(lambda T=_T: _runner_up_share(TWO_FAVOURITES, T))


# --- lesson 4.3: T² ------------------------------------------------------------------------------

@computed("digit-pull-t2-at-1", "‖∂(T²·KL)/∂z‖ of the T² explorer's digit preset at T = 1", _fixed(2),
          "app.kd.gradients.kl_gradient_norms")
def _pull_1() -> float:
    return float(_digit_norms((1.0,))[1][0])


@computed("digit-pull-t2-at-3", "the same at T = 3", _fixed(2), "app.kd.gradients.kl_gradient_norms")
def _pull_3() -> float:
    return float(_digit_norms((3.0,))[1][0])


@computed("digit-pull-t2-ratio-1-4", "‖∂(T²·KL)/∂z‖ at T = 4 divided by its value at T = 1, digit preset",
          _fixed(1), "app.kd.gradients.pull_ratio_t2")
def _pull_ratio() -> float:
    return pull_ratio_t2(_t(DIGIT_STUDENT), _t(DIGIT_TEACHER), *PRACTICAL_RANGE)


def _digit_high_slopes() -> tuple[float, float]:
    """Slopes without and with T² over the high-T band of the explorer's grid, as its readouts show them."""
    temps = _t(T2_GRID)
    norms, norms_t2 = _digit_norms(T2_GRID)
    high = high_temperature_range(temps)
    return log_log_slope(temps[high], norms[high]), log_log_slope(temps[high], norms_t2[high])


@computed("digit-slope-low", "log-log slope of ‖∂KL/∂z‖ over T = 1–4, digit preset (the explorer's readout)",
          _fixed(1), "app.kd.gradients.practical_slopes")
def _slope_low() -> float:
    return practical_slopes(_t(DIGIT_STUDENT), _t(DIGIT_TEACHER))[0]


@computed("digit-slope-high", "the same over the high-T range (T ≥ 10)", _fixed(2),
          "app.kd.gradients.log_log_slope")
def _slope_high() -> float:
    return _digit_high_slopes()[0]


@computed("digit-slope-high-t2", "the slope with T² over the high-T range", _fixed(2),
          "app.kd.gradients.log_log_slope")
def _slope_high_t2() -> float:
    return _digit_high_slopes()[1]


# --- lesson 4.2: the quiz's small teacher ----------------------------------------------------------

@computed("quiz-coverage-at-3", "mass in the top 3 of (0.60, 0.25, 0.10, 0.03, 0.02)", _fixed(2),
          "app.kd.topk.mass_kept")
def _coverage_3() -> float:
    return float(mass_kept(torch.log(_t(QUIZ_TEACHER)))[2])


@computed("quiz-tail-at-3", "mass outside that top 3", _fixed(2), "app.kd.topk.mass_kept")
def _tail_3() -> float:
    return 1.0 - _coverage_3()


@computed("quiz-renormalised-top", "the top token's probability after renormalising over the top 2", _fixed(2),
          "app.kd.topk.retemper")
def _renormalised_top() -> float:
    return float(retemper(torch.log(_t(QUIZ_TEACHER[:2])), T=1.0).exp()[0])


@computed("quiz-renormalised-top-3dp", "the same, three decimals", _fixed(3), "app.kd.topk.retemper")
def _renormalised_top_3() -> float:
    return _renormalised_top()


@computed("quiz-kept-at-2", "mass in the top 2", _fixed(2), "app.kd.topk.mass_kept")
def _kept_2() -> float:
    return float(mass_kept(torch.log(_t(QUIZ_TEACHER)))[1])


@computed("quiz-tail-at-2", "mass outside the top 2", _fixed(2), "app.kd.topk.mass_kept")
def _tail_2() -> float:
    return 1.0 - _kept_2()


@cache
def claim_values() -> dict[str, str]:
    """Every computed claim, formatted as the lessons print it (computed once per process)."""
    return {name: c.fmt(c.compute()) for name, c in COMPUTED.items()}


class UnknownClaim(KeyError):
    pass


def fill_claims(text: str, used: set[str] | None = None) -> str:
    """Replace each {{name}} with its computed value; record the names in `used`."""
    values = claim_values()

    def value(match: re.Match) -> str:
        name = match.group(1)
        if name not in values:
            raise UnknownClaim(name)
        if used is not None:
            used.add(name)
        return values[name]

    return PLACEHOLDER.sub(value, text)
