"""A slider's positions as the page steps them: each position's value, computed as the page computes it.

A range input runs over positions 0..positions; static/js/lib/log-slider.js turns a position into a value
(even steps, or even ratios on a log scale, between the number field's min and max) and rounds it to the
slider's decimals as `Number(v.toFixed(decimals))` does. The slider tables (app/web/table_answers.py)
answer at exactly these values, so a drag finds every position in its table; tests/browser/test_tables.py
checks the page's values against these, position by position.
"""
from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Decimal

from app.widgets.params import Number


def to_fixed(value: float, decimals: int) -> float:
    """JavaScript's Number(value.toFixed(decimals)) for value ≥ 0: the exact binary value rounded half up."""
    return float(Decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP))


def value_at(slider: Number, position: int) -> float | int:
    """LogSlider.fromPosition, then LogSlider.set's clamp and rounding, in the same float64 steps
    (an int on a whole-number slider, as JSON carries it)."""
    if not slider.positions:
        raise ValueError(f"{slider.label} is not a slider")
    t = position / slider.positions
    if slider.scale == "linear":
        v = slider.low + t * (slider.high - slider.low)
    else:
        v = math.exp(math.log(slider.low) + t * (math.log(slider.high) - math.log(slider.low)))
    decimals = 0 if slider.integer else slider.decimals
    rounded = to_fixed(min(slider.high, max(slider.low, v)), decimals)
    return int(rounded) if decimals == 0 else rounded


def reachable_values(slider: Number) -> list[float | int]:
    """The distinct values the slider reaches, ascending (neighbouring positions may round alike)."""
    return sorted({value_at(slider, p) for p in range(slider.positions + 1)})
