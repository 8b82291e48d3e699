"""The kinds of value a widget's state holds, each with its limits, parsed from query-string text or JSON.

Every kind offers the same four things: `parse(text)` (a query string or a lesson directive),
`coerce(value)` (a JSON value, e.g. a class session's message), `format(value)` (back to the text a
link carries) and `as_json()` (what the page's JavaScript reads instead of keeping its own copy).
`parse` and `coerce` raise `BadValue` with a reason that reads after the parameter's name ("T must lie
between 0.1 and 20").
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

MAX_LIST = 64


class BadValue(ValueError):
    """A value outside its parameter's type or limits; the message says why, e.g. "is not a number"."""


def finite_number(value: Any) -> float:
    """A JSON number as a finite float, or BadValue. bool is an int in Python, never a number here; an
    int too large for a float (JSON allows 1e400 written out) is not a finite number."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise BadValue("is not a number")
    try:
        number = float(value)
    except OverflowError:
        raise BadValue("is not a finite number") from None
    if not math.isfinite(number):
        raise BadValue("is not a finite number")
    return number


@dataclass(frozen=True)
class Number:
    """One number between `low` and `high`; a slider when `positions` is set (on a `scale`)."""
    low: float
    high: float
    label: str
    integer: bool = False
    default: float | None = None
    scale: Literal["linear", "log"] = "linear"
    positions: int | None = None     # the range input's steps (0..positions); None: not a slider
    decimals: int = 2                # what people read and type; integers have none
    step: float | None = None        # the number field's step

    kind = "number"

    def parse(self, text: str) -> float | int:
        try:
            value = float(text)
        except ValueError:
            raise BadValue("is not a number") from None
        return self._check(value)

    def coerce(self, value: Any) -> float | int:
        return self._check(finite_number(value))

    def _check(self, value: float) -> float | int:
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise BadValue(f"must lie between {self.low:g} and {self.high:g}")
        if self.integer:
            if value != int(value):
                raise BadValue("must be a whole number")
            return int(value)
        return value

    def format(self, value: float | int) -> str:
        return str(int(value)) if self.integer else f"{value:g}"

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "min": self.low, "max": self.high, "integer": self.integer,
                "default": self.default, "scale": self.scale, "positions": self.positions,
                "decimals": 0 if self.integer else self.decimals, "step": self.step}


@dataclass(frozen=True)
class Numbers:
    """A comma-separated list of `min_len` to `max_len` numbers, each within ±`bound` (logits)."""
    min_len: int
    max_len: int
    label: str
    bound: float = 1e4

    kind = "numbers"

    def parse(self, text: str) -> list[float]:
        parts = [p.strip() for p in text.split(",") if p.strip()]
        self._check_length(parts)
        try:
            values = [float(p) for p in parts]
        except ValueError:
            raise BadValue("must be comma-separated numbers") from None
        return self._check_values(values)

    def coerce(self, value: Any) -> list[float]:
        if not isinstance(value, list):
            raise BadValue("must be a list of numbers")
        self._check_length(value)
        return self._check_values([finite_number(v) for v in value])

    def _check_length(self, items: list) -> None:
        if not self.min_len <= len(items) <= self.max_len:
            raise BadValue(f"needs {self.min_len} to {self.max_len} comma-separated numbers")

    def _check_values(self, values: list[float]) -> list[float]:
        if not all(math.isfinite(v) and abs(v) <= self.bound for v in values):
            raise BadValue(f"numbers must lie between −{self.bound:g} and {self.bound:g}")
        return values

    def format(self, value: list[float]) -> str:
        return ",".join(f"{v:.6g}" for v in value)

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "min_len": self.min_len, "max_len": self.max_len,
                "bound": self.bound}


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of names (a preset, a width); JSON numbers are read as their text ("32")."""
    options: tuple[str, ...]
    label: str
    default: str | None = None

    kind = "choice"

    def parse(self, text: str) -> str:
        if text not in self.options:
            raise BadValue(f"must be one of {', '.join(self.options)}")
        return text

    def coerce(self, value: Any) -> str:
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str):
            raise BadValue(f"must be one of {', '.join(self.options)}")
        return self.parse(value)

    def format(self, value: str) -> str:
        return value

    def as_json(self) -> dict[str, Any]:
        return {"kind": self.kind, "label": self.label, "options": list(self.options), "default": self.default}


Param = Number | Numbers | Choice
