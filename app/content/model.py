"""The shape of a lesson's front matter, validated with pydantic so a bad file names its field."""
from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

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
    explain: str | None = None  # numeric: shown with the answer

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


class FrontMatter(_Strict):
    id: str = Field(pattern=r"^\d+\.\d+$")
    slug: str = Field(pattern=SLUG)
    track: int = Field(ge=1)
    lesson: int = Field(ge=1)
    title: str = Field(min_length=1)
    level: Literal["beginner", "intermediate", "advanced"]
    read_time_min: int = Field(ge=1, le=120)
    prerequisites: list[str] = Field(default_factory=list)
    objective: str = Field(min_length=1)
    key_idea: str = Field(min_length=1)
    key_terms: list[KeyTerm] = Field(min_length=1)
    quiz: list[Question] = Field(min_length=1)

    @model_validator(mode="after")
    def _check_ids(self) -> "FrontMatter":
        if self.id != f"{self.track}.{self.lesson}":
            raise ValueError(f"id {self.id!r} does not match track {self.track} lesson {self.lesson}")
        ids = [q.id for q in self.quiz]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"quiz ids must be unique; repeated: {dupes}")
        return self


class Lesson(_Strict):
    """A lesson ready to show: its front matter, its body as HTML and the widgets the body uses."""

    meta: FrontMatter
    body_html: str
    sections: list[tuple[str, str]]  # (anchor, heading text) of each `##` heading, for the contents
    widgets: list[str]               # widget names in order of first use

    @property
    def slug(self) -> str:
        return self.meta.slug
