"""The shape of a lesson's front matter, validated with pydantic so a bad file names its field."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.content.read_time import ReadTime

SLUG = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class KeyTerm(_Strict):
    term: str = Field(min_length=1)
    definition: str = Field(min_length=1)

    @property
    def anchor(self) -> str:
        return "term-" + re.sub(r"[^a-z0-9]+", "-", self.term.lower()).strip("-")


class Choice(_Strict):
    text: str = Field(min_length=1)
    correct: bool
    explain: str = Field(min_length=1)


class Question(_Strict):
    id: str = Field(pattern=SLUG)
    type: Literal["single", "multi", "numeric"]
    prompt: str = Field(min_length=1)
    choices: list[Choice] = Field(default_factory=list)
    # numeric questions only
    answer: float | None = None
    tolerance: float | None = Field(default=None, gt=0)
    unit: str | None = None
    # The working: numeric questions must have it; a choice question may (shown with every choice's
    # explanation once the answer is right, after a second try, or on "Show me").
    explain: str | None = None

    @model_validator(mode="after")
    def _check_shape(self) -> "Question":
        if self.type == "numeric":
            if self.answer is None or self.tolerance is None or not self.explain:
                raise ValueError(f"numeric question {self.id!r} needs answer, tolerance and explain")
            if self.choices:
                raise ValueError(f"numeric question {self.id!r} takes no choices")
            return self
        if len(self.choices) < 2:
            raise ValueError(f"question {self.id!r} needs at least two choices")
        n_correct = sum(c.correct for c in self.choices)
        if self.type == "single" and n_correct != 1:
            raise ValueError(f"single-choice question {self.id!r} must have exactly one correct choice, "
                             f"has {n_correct}")
        if self.type == "multi" and n_correct < 1:
            raise ValueError(f"multi-choice question {self.id!r} needs at least one correct choice")
        if self.answer is not None or self.tolerance is not None:
            raise ValueError(f"question {self.id!r} is {self.type}: answer/tolerance are for numeric ones")
        return self


class PredictionChoice(_Strict):
    value: str = Field(pattern=SLUG)      # what is stored and what the server's truth answers
    text: str = Field(min_length=1)


class Prediction(_Strict):
    """Predict, then see: the learner commits on a widget before the server reveals the truth.

    `kind: slider`: the learner moves the widget's own slider (`slider` names it: the widget's
    data-role NAME-slider and NAME-number) to where they think something happens. `kind: choice`: the
    learner picks one of `choices`. Either way the truth is not typed here: `truth` names a server
    computation (app/web/predictions.py) that takes the widget's state, with `args` fixing the question
    (e.g. share: 0.2), and answers a number (slider) or one of the choices' values.
    """

    id: str = Field(pattern=SLUG)
    widget: str = Field(pattern=SLUG)
    kind: Literal["slider", "choice"]
    prompt: str = Field(min_length=1)
    truth: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    args: dict[str, float | int | str] = Field(default_factory=dict)
    slider: str | None = Field(default=None, pattern=SLUG)
    unit: str | None = None               # slider kinds: how the value is named, e.g. "T" or "k"
    choices: list[PredictionChoice] = Field(default_factory=list)
    explain: str | None = None            # shown after the reveal

    @model_validator(mode="after")
    def _check_kind(self) -> "Prediction":
        if self.kind == "slider":
            if not self.slider or self.choices:
                raise ValueError(f"slider prediction {self.id!r} needs `slider` (the widget's slider) and no choices")
        else:
            if self.slider or len(self.choices) < 2:
                raise ValueError(f"choice prediction {self.id!r} needs at least two choices and no `slider`")
            values = [c.value for c in self.choices]
            if len(set(values)) != len(values):
                raise ValueError(f"choice prediction {self.id!r} repeats a choice value: {values}")
        return self


class FrontMatter(_Strict):
    id: str = Field(pattern=r"^\d+\.\d+$")
    slug: str = Field(pattern=SLUG)
    track: int = Field(ge=1)
    lesson: int = Field(ge=1)
    title: str = Field(min_length=1)
    level: Literal["beginner", "intermediate", "advanced"]
    prerequisites: list[str] = Field(default_factory=list)
    objective: str = Field(min_length=1)
    key_idea: str = Field(min_length=1)
    key_terms: list[KeyTerm] = Field(min_length=1)
    quiz: list[Question] = Field(min_length=1)
    predictions: list[Prediction] = Field(default_factory=list)

    @model_validator(mode="before")
    @classmethod
    def _no_typed_read_time(cls, data: object) -> object:
        if isinstance(data, dict) and "read_time_min" in data:
            raise ValueError("read_time_min is computed from the lesson's words, widgets and questions "
                             "(app/content/read_time.py); remove it")
        return data

    @model_validator(mode="after")
    def _check_ids(self) -> "FrontMatter":
        if self.id != f"{self.track}.{self.lesson}":
            raise ValueError(f"id {self.id!r} does not match track {self.track} lesson {self.lesson}")
        for what, ids in (("quiz", [q.id for q in self.quiz]), ("prediction", [p.id for p in self.predictions])):
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{what} ids must be unique; repeated: {dupes}")
        return self


class Lesson(_Strict):
    """A lesson ready to show: its front matter, its body as HTML and the widgets the body uses."""

    meta: FrontMatter
    body_html: str
    sections: list[tuple[str, str]]  # (anchor, heading text) of each `##` heading, for the contents
    widgets: list[str]               # widget names in order of first use
    read_time: ReadTime
    claims_used: frozenset[str] = frozenset()   # the computed claims ({{name}}) the lesson prints

    @property
    def slug(self) -> str:
        return self.meta.slug
