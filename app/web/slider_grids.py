"""The explorers' sliders as the page steps them: each position's value, computed as the page computes it.

A range input runs over positions 0..positions; static/js/lib/log-slider.js turns a position into a value
(even steps, or even ratios on a log scale) and rounds it to `decimals` as `Number(v.toFixed(decimals))`
does. The tables (app/web/api_tables.py) answer at exactly these values, so a drag finds every position in
its table; tests/browser/test_tables.py checks the page's values against these, position by position.

Until the widget registry (one description per widget) lands, the limits live here and must match the
templates' `slider_field` arguments (tests/unit/test_slider_grids.py checks them against the pages).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

import torch


def to_fixed(value: float, decimals: int) -> float:
    """JavaScript's Number(value.toFixed(decimals)) for value ≥ 0: the exact binary value rounded half up."""
    return float(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class SliderGrid:
    low: float
    high: float
    positions: int                           # the range input's max; it starts at 0
    scale: Literal["linear", "log"] = "linear"
    decimals: int = 2

    def value_at(self, position: int) -> float | int:
        """LogSlider.fromPosition, then LogSlider.set's clamp and rounding, in the same float64 steps
        (an int on a whole-number slider, as JSON carries it)."""
        t = position / self.positions
        if self.scale == "linear":
            v = self.low + t * (self.high - self.low)
        else:
            v = math.exp(math.log(self.low) + t * (math.log(self.high) - math.log(self.low)))
        rounded = to_fixed(min(self.high, max(self.low, v)), self.decimals)
        return int(rounded) if self.decimals == 0 else rounded

    def values(self) -> torch.Tensor:
        """The value at every position, 0..positions (neighbours may share a value after rounding)."""
        return torch.tensor([self.value_at(p) for p in range(self.positions + 1)], dtype=torch.float64)


SLIDERS: dict[str, dict[str, SliderGrid]] = {
    "temperature": {"T": SliderGrid(0.1, 20, 1000, "log")},
    "alpha": {"alpha": SliderGrid(0, 1, 100), "T": SliderGrid(0.5, 20, 1000, "log")},
    "t-squared": {"T": SliderGrid(0.5, 50, 1000, "log")},
    "reduction": {"seq_len": SliderGrid(1, 48, 47, decimals=0), "prompt_len": SliderGrid(0, 48, 48, decimals=0),
                  "batch_size": SliderGrid(1, 8, 7, decimals=0)},
    "kl-direction": {"separation": SliderGrid(0, 10, 100, decimals=1), "left_weight": SliderGrid(0.05, 0.95, 90)},
}

# The T² explorer's curves: 48 temperatures evenly spaced in log T over its slider's range.
T_SQUARED_CURVE = torch.tensor([0.5 * (50 / 0.5) ** (i / 47) for i in range(48)], dtype=torch.float64)
