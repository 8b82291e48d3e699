"""Prediction questions a class can be asked, and what one looks like once asked.

A question is tied to a widget. It is answered either with a value of one of the widget's slider
parameters (learners drag a slider of their own, with that parameter's limits and scale) or by choosing
an option. Its answer is computed by the server from the instructor's state when the instructor
reveals it (app/classroom/solvers.py), or, for a free prompt the instructor writes ("Set T where …"),
read from the instructor's own slider at that moment.

A `Catalogue` holds the questions each widget can be asked: the built-in ones below and, added by the
web layer at start-up, the lessons' own predict-then-see questions (app/web/class_questions.py), so
this module knows nothing about lesson files.
"""
from __future__ import annotations

import asyncio
import bisect
import inspect
import math
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any, Literal

from app.classroom import solvers
from app.widgets import WIDGETS
from app.widgets.params import BadValue, Number, finite_number

MAX_PROMPT = 200
VALUE_BINS = 20
FREE = "free"

Answer = float | int | None
# The instructor's state → the answer (a value, or the index of the right option), or None when that
# state has none. A plain function runs on a worker thread; a coroutine function on the event loop.
Solve = Callable[[dict[str, Any]], Answer] | Callable[[dict[str, Any]], Awaitable[Answer]]


@dataclass(frozen=True)
class Question:
    id: str                               # stable: "temperature.top-60", "kd-loss.runner-up-20"; "free"
    widget: str
    prompt: str
    kind: Literal["value", "choice"]
    solve: Solve | None = None            # None: the instructor's own value of `param` at the reveal
    param: str | None = None              # value questions: the widget parameter learners set
    options: tuple[str, ...] = ()         # choice questions
    unsolved: str = "This state has no answer to that question."

    def summary(self) -> dict[str, Any]:
        return {"id": self.id, "prompt": self.prompt, "kind": self.kind, "param": self.param,
                "options": list(self.options)}

    async def answer(self, state: dict[str, Any]) -> Answer:
        """The server's answer for the instructor's `state` (the free question's: its slider)."""
        if self.solve is None:
            return state.get(self.param)
        if inspect.iscoroutinefunction(self.solve):
            return await self.solve(state)
        return await asyncio.to_thread(self.solve, state)     # a second of torch never holds the loop


def free_question(widget: str, prompt: str, param: str) -> Question:
    """The instructor's own prompt, answered with `param`; its answer is the instructor's value at the reveal."""
    return Question(id=FREE, widget=widget, prompt=prompt, kind="value", param=param)


class Catalogue:
    """The questions each widget can be asked, in the order the instructor's list shows them."""

    def __init__(self, questions: list[Question] = ()) -> None:
        self._by_widget: dict[str, list[Question]] = {}
        self.add(questions)

    def add(self, questions: list[Question]) -> None:
        for q in questions:
            known = {k.id for k in self._by_widget.get(q.widget, [])}
            if q.id in known or q.id == FREE:
                raise ValueError(f"question {q.id!r} for {q.widget!r}: duplicate id")
            if q.kind == "value" and not isinstance(WIDGETS[q.widget].all_params.get(q.param), Number):
                raise ValueError(f"question {q.id!r}: {q.param!r} is not a number parameter of {q.widget}")
            if q.kind == "choice" and len(q.options) < 2:
                raise ValueError(f"question {q.id!r}: a choice needs at least two options")
            self._by_widget.setdefault(q.widget, []).append(q)

    def for_widget(self, widget: str) -> list[Question]:
        return list(self._by_widget.get(widget, []))

    def find(self, widget: str, question_id: str) -> Question | None:
        return next((q for q in self._by_widget.get(widget, []) if q.id == question_id), None)

    def behind(self, widget: str, asked: AskedQuestion) -> Question | None:
        """The question behind an asked one (its solver), or None when the catalogue no longer has it."""
        summary = asked.question
        if summary["id"] == FREE:
            return free_question(widget, summary["prompt"], summary["param"])
        return self.find(widget, summary["id"])


def value_bins(param: Number) -> list[float]:
    """Edges of the histogram of a value question: one bin per whole number over a short integer range,
    otherwise VALUE_BINS bins, even on the parameter's own scale (log for T)."""
    low, high = param.low, param.high
    if param.integer and high - low + 1 <= 2 * VALUE_BINS:
        return [low - 0.5 + i for i in range(int(high - low) + 2)]
    if param.scale == "log":
        ratio = math.log(high / low)
        return [low * math.exp(ratio * i / VALUE_BINS) for i in range(VALUE_BINS + 1)]
    return [low + (high - low) * i / VALUE_BINS for i in range(VALUE_BINS + 1)]


def bin_of(edges: list[float], value: float) -> int:
    return min(len(edges) - 2, max(0, bisect.bisect_right(edges, value) - 1))


@dataclass
class AskedQuestion:
    """A question as the class sees it: one ask, its histogram, and after the reveal its answer."""
    ask_id: str
    question: dict[str, Any]              # Question.summary()
    param: dict[str, Any] | None          # the parameter's limits and scale (value questions)
    edges: list[float] = field(default_factory=list)
    status: Literal["open", "revealed"] = "open"
    answer: float | int | None = None
    counts: list[int] | None = None       # filled in at the reveal, for every screen

    @classmethod
    def new(cls, question: Question) -> AskedQuestion:
        param = WIDGETS[question.widget].param(question.param) if question.kind == "value" else None
        return cls(ask_id=secrets.token_hex(6), question=question.summary(),
                   param=param.as_json() if param else None, edges=value_bins(param) if param else [])

    @property
    def bins(self) -> int:
        return len(self.edges) - 1 if self.edges else len(self.question["options"])

    def to_json(self) -> dict[str, Any]:
        return {"ask_id": self.ask_id, **self.question, "limits": self.param, "edges": self.edges,
                "bins": self.bins, "status": self.status, "answer": self.answer, "counts": self.counts}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> AskedQuestion:
        question = {k: data[k] for k in ("id", "prompt", "kind", "param", "options")}
        return cls(ask_id=data["ask_id"], question=question, param=data["limits"], edges=data["edges"],
                   status=data["status"], answer=data["answer"], counts=data["counts"])

    def bin_for(self, answer: Any) -> int | None:
        """The histogram bin of a learner's answer, or None when it is not a possible answer."""
        try:
            answer = finite_number(answer)
        except BadValue:
            return None
        if self.question["kind"] == "choice":
            return int(answer) if answer == int(answer) and 0 <= answer < self.bins else None
        if not self.param["min"] <= answer <= self.param["max"]:
            return None
        return bin_of(self.edges, float(answer))


def builtin_questions() -> list[Question]:
    """Questions every class can be asked, besides the lessons' own."""
    temperature_t = WIDGETS["temperature"].param("T")
    return [
        Question("temperature.top-60", "temperature",
                 "Drag to the temperature where the top class falls to 60%.",
                 "value", partial(solvers.top_falls_to, param=temperature_t, share=0.6), param="T",
                 unsolved="With these logits the top class does not fall through 60% within the slider's range."),
        Question("temperature.runner-up-1-to-4", "temperature",
                 "Raise T from 1 to 4. The runner-up's probability …", "choice",
                 partial(solvers.runner_up_direction, t_from=1.0, t_to=4.0), options=("rises", "falls", "stays the same")),
        Question("alpha.terms-equal", "alpha",
                 "Drag to the alpha where alpha·CE and (1 − alpha)·T²·KL weigh the same.",
                 "value", solvers.terms_weigh_the_same, param="alpha"),
        Question("t-squared.pull-tenth", "t-squared",
                 "Above T = 1, drag to where the KL's pull without T² has fallen to a tenth of its value at T = 1.",
                 "value", partial(solvers.pull_falls_to_a_tenth, param=WIDGETS["t-squared"].param("T")), param="T",
                 unsolved="With this student and teacher the pull does not fall to a tenth within the slider's range."),
    ]
