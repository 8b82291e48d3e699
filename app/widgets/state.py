"""A widget's state checked against its description: query-string text (demo links, lesson directives)
or JSON (a class session's messages).

A link is forgiving: a bad value is dropped with a sentence saying why, and the widget uses its
default. JSON from a class session is strict: one bad value refuses the whole state, naming it.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from app.widgets.params import BadValue
from app.widgets.registry import WidgetSpec

MAX_SHOWN = 40   # characters of a refused value quoted back
MAX_NAMED_UNKNOWN = 5   # a link with 1,800 unknown keys gets one notice naming five, not a 204 KB page


class StateError(ValueError):
    """A refused state: `problems` is [(parameter, why)], each readable as f"{parameter} {why}"."""

    def __init__(self, problems: list[tuple[str, str]]) -> None:
        self.problems = problems
        super().__init__("; ".join(f"{key} {why}" for key, why in problems))


def clean_query(spec: WidgetSpec, query: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(the valid parameters as text, one sentence per value that was ignored)."""
    values: dict[str, Any] = {}
    notices: list[str] = []
    unknown: list[str] = []
    for key, text in query.items():
        param = spec.all_params.get(key)
        if param is None:
            unknown.append(key)
            continue
        try:
            values[key] = param.parse(text)
        except BadValue as why:
            notices.append(f"Ignored {key}={text[:MAX_SHOWN]!r}: it {why}. Using the default instead.")
    if unknown:
        named = ", ".join(f"“{key[:MAX_SHOWN]}”" for key in unknown[:MAX_NAMED_UNKNOWN])
        more = f" and {len(unknown) - MAX_NAMED_UNKNOWN} more" if len(unknown) > MAX_NAMED_UNKNOWN else ""
        notices.insert(0, f"Ignored {named}{more}: this demo has no such setting (it has {', '.join(spec.all_params)}).")
    for rule in spec.rules:
        problem = rule.problem(values)
        if problem:
            shown = spec.param(rule.key).format(values.pop(rule.key))
            notices.append(f"Ignored {rule.key}={shown}: {problem}. Using the default instead.")
    return {key: spec.param(key).format(value) for key, value in values.items()}, notices


def validate_state(spec: WidgetSpec, state: Any) -> dict[str, Any]:
    """A JSON state (parameter → value) with every value valid, or StateError naming each bad one.
    Parameters left out keep the widget's default; unknown ones are refused."""
    if not isinstance(state, dict):
        raise StateError([("state", "must be an object of the widget's parameters")])
    values: dict[str, Any] = {}
    problems: list[tuple[str, str]] = []
    for key, value in state.items():
        param = spec.all_params.get(key)
        if param is None:
            problems.append((str(key)[:MAX_SHOWN], f"is not a setting of {spec.name} (it has {', '.join(spec.all_params)})"))
            continue
        if value is None:      # an explorer leaves out what it does not hold (e.g. unparsable logits)
            continue
        try:
            values[key] = param.coerce(value)
        except BadValue as why:
            problems.append((key, str(why)))
    if not problems:
        problems = [(rule.key, problem) for rule in spec.rules if (problem := rule.problem(values))]
    if problems:
        raise StateError(problems)
    return values
