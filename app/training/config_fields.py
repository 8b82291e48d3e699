"""Run settings described once: each experiment's config is a frozen dataclass whose fields carry their
bounds and a one-line description, declared with `setting(...)`.

`settings_problems(cls, config)` checks a dict of settings against those fields with nothing but the
standard library (a GPU worker may have torch and little else); the web layer builds from the same
fields the pydantic model that validates POST /api/runs' `config` and documents it in /openapi.json
(app/web/run_bodies.py). So a bound is written in one place, and both sides say the same thing.
"""
from __future__ import annotations

import dataclasses
import math
import types
import typing
from dataclasses import dataclass
from typing import Any, Optional


@dataclass(frozen=True)
class Bounds:
    """What a setting accepts besides its type. `ge`/`le` are inclusive, `gt` exclusive."""

    description: str
    ge: Optional[float] = None
    gt: Optional[float] = None
    le: Optional[float] = None
    choices: Optional[tuple[str, ...]] = None
    multiple_of: Optional[int] = None


def setting(default: Any, description: str, **bounds: Any) -> Any:
    """A dataclass field with its bounds, e.g. `alpha: float = setting(0.5, "weight of CE", ge=0, le=1)`."""
    return dataclasses.field(default=default, metadata={"bounds": Bounds(description, **bounds)})


@dataclass(frozen=True)
class SettingSpec:
    name: str
    type: type            # int, float or str
    nullable: bool        # null is a value of its own (e.g. "no class left out")
    default: Any
    bounds: Bounds


def specs(cls: type) -> list[SettingSpec]:
    """The settings of a config dataclass, in declaration order."""
    hints = typing.get_type_hints(cls)
    out = []
    for f in dataclasses.fields(cls):
        base, nullable = _unwrap_optional(hints[f.name])
        out.append(SettingSpec(f.name, base, nullable, f.default, f.metadata.get("bounds", Bounds(""))))
    return out


def _unwrap_optional(hint: Any) -> tuple[type, bool]:
    if typing.get_origin(hint) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(hint) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return hint, False


def _num(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else f"{x:g}"


def describe_range(spec: SettingSpec) -> str:
    """The accepted values in words, as an error message states them: 'must lie in [0, 1]'."""
    b = spec.bounds
    if b.choices:
        accepted = "one of " + ", ".join(b.choices)
    else:
        noun = "an integer" if spec.type is int else "a number"
        low = (f"({_num(b.gt)}" if b.gt is not None else f"[{_num(b.ge)}" if b.ge is not None else None)
        if low is not None and b.le is not None:
            accepted = f"{noun} in {low}, {_num(b.le)}]"
        elif low is not None:
            accepted = f"{noun} {'>' if b.gt is not None else '>='} {low[1:]}"
        else:
            accepted = noun
        if b.multiple_of:
            accepted += f" and a multiple of {b.multiple_of}"
    if spec.type is float and accepted.startswith("a number in ") and not spec.nullable:
        return "must lie in " + accepted.removeprefix("a number in ")   # "alpha: must lie in [0, 1]"
    return f"must be {'null or ' if spec.nullable else ''}{accepted}"


def value_problem(spec: SettingSpec, value: Any) -> Optional[str]:
    """Why `value` is not acceptable for the setting, or None when it is."""
    if value is None:
        return None if spec.nullable else describe_range(spec)
    b = spec.bounds
    if spec.type is str:
        ok = isinstance(value, str) and (b.choices is None or value in b.choices)
    elif spec.type is int:
        ok = isinstance(value, int) and not isinstance(value, bool)
    else:
        ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if ok and spec.type is not str:
        ok = ((b.ge is None or value >= b.ge) and (b.gt is None or value > b.gt)
              and (b.le is None or value <= b.le) and (not b.multiple_of or value % b.multiple_of == 0))
    return None if ok else describe_range(spec)


def settings_problems(cls: type, config: dict, what: str) -> dict[str, str]:
    """Field -> what is wrong with it, for some of `cls`'s settings (unset ones take their defaults).

    `what` names the experiment in the message for an unknown field: 'not a digits run setting'.
    """
    known = {s.name: s for s in specs(cls)}
    out = {name: f"not a {what} setting" for name in config if name not in known}
    for name, value in config.items():
        if name in known and (problem := value_problem(known[name], value)) is not None:
            out[name] = problem
    return out


def raise_for_problems(cls: type, config: dict, what: str) -> None:
    """ValueError naming every bad field, for code that builds configs without the API in front."""
    problems = settings_problems(cls, config, what)
    if problems:
        raise ValueError("; ".join(f"{k}: {v}" for k, v in problems.items()))
