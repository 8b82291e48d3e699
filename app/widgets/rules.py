"""Rules that tie two of a widget's parameters together, checked once each is valid on its own.

A rule names the parameter it judges (`key`); when it fails, that parameter is the one dropped from a
demo link (the widget falls back to its default) or the one named in a refused class-session state.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SameLength:
    """`key` needs as many numbers as `partner` (teacher and student logits)."""
    key: str
    partner: str

    def problem(self, values: dict[str, Any]) -> str | None:
        if self.key in values and self.partner in values and len(values[self.key]) != len(values[self.partner]):
            return f"it needs as many numbers as {self.partner} ({len(values[self.partner])})"
        return None


@dataclass(frozen=True)
class AtMost:
    """`key` may not exceed `limit` (a prompt inside its sequence)."""
    key: str
    limit: str
    why: str

    def problem(self, values: dict[str, Any]) -> str | None:
        if self.key in values and self.limit in values and values[self.key] > values[self.limit]:
            return f"{self.why} ({self.limit}={values[self.limit]})"
        return None


@dataclass(frozen=True)
class IndexInto:
    """`key` is an index into the list `sized_by`; without that list in the state, into `default_size`
    items (the size of every preset's list)."""
    key: str
    sized_by: str
    default_size: int
    noun: str

    def problem(self, values: dict[str, Any]) -> str | None:
        if self.key not in values:
            return None
        size = len(values[self.sized_by]) if self.sized_by in values else self.default_size
        if values[self.key] >= size:
            return f"there are only {size} {self.noun} (0 to {size - 1})"
        return None


Rule = SameLength | AtMost | IndexInto
