"""The claims registry: every number, direction or comparison a lesson states, and what backs it.

`lessons/claims.yaml` lists, per lesson, quotes from the lesson's source text. Each is backed by one of:

- `check: NAME`   a check in tests/unit/lesson_claim_checks.py that runs the code (the test id names the
                  lesson and the claim, e.g. test_lesson_claim[kd-loss:runner-up-can-lose]);
- `test: PATH::NAME`  an existing test that already runs what the quote says (a training run, say);
- `source: ...`   a figure from a cited paper or tool, not a claim about this code's math;
- `not_math: ...` a number that is no claim at all (a lesson number, a year, a given of a question).

A number written as `{{name}}` is computed at start-up (app/content/claims.py) and needs no entry for
the number itself. The tests hold the lessons to the registry: every quote must still be in its lesson
(edit a sentence and its entry must follow), and every digit typed in a lesson's prose must sit inside
some registered quote. docs/CLAIMS.md is generated from the registry (app/content/claims_doc.py).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from app.content.claims import PLACEHOLDER
from app.content.loader import split_front_matter

REGISTRY_FILE = "claims.yaml"
NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*")
_FENCE = re.compile(r"^```.*?^```[ \t]*$", re.MULTILINE | re.DOTALL)
_DIRECTIVE_LINE = re.compile(r"^:::[^\n]*$", re.MULTILINE)
_INLINE_CODE = re.compile(r"`[^`\n]+`")
# Front-matter fields a learner reads (ids, slugs and a prediction's args are not prose).
_PROSE_KEYS = {"objective", "key_idea", "term", "definition", "prompt", "text", "explain"}


class Claim(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    quote: str = Field(min_length=3)
    check: str | None = Field(default=None, pattern=r"^[a-z][a-z0-9_]*$")
    test: str | None = Field(default=None, pattern=r"^tests/[\w/]+\.py::\w+$")
    source: str | None = None
    not_math: str | None = None
    quiz: str | None = None            # the numeric quiz question whose answer this claim backs

    @model_validator(mode="after")
    def _one_backing(self) -> "Claim":
        backings = [b for b in (self.check, self.test, self.not_math) if b]
        if len(backings) > 1:
            raise ValueError(f"claim {self.id!r}: give one of check, test, not_math")
        if not backings and not self.source:
            raise ValueError(f"claim {self.id!r}: needs check, test, source or not_math")
        return self

    @property
    def backing(self) -> str:
        if self.check:
            return "check"
        if self.test:
            return "test"
        return "not_math" if self.not_math else "source"


class Registry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    lessons: dict[str, list[Claim]]

    @model_validator(mode="after")
    def _unique_ids(self) -> "Registry":
        for slug, claims in self.lessons.items():
            ids = [c.id for c in claims]
            dupes = sorted({i for i in ids if ids.count(i) > 1})
            if dupes:
                raise ValueError(f"{slug}: claim ids repeated: {dupes}")
        return self


def load_registry(lessons_dir: Path) -> Registry:
    return Registry.model_validate(yaml.safe_load((lessons_dir / REGISTRY_FILE).read_text(encoding="utf-8")))


def normalise(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _prose(value: object, key: str | None = None) -> list[str]:
    if isinstance(value, str):
        return [value] if key in _PROSE_KEYS else []
    if isinstance(value, list):
        return [t for v in value for t in _prose(v, key)]
    if isinstance(value, dict):
        return [t for k, v in value.items() for t in _prose(v, k)]
    return []


@dataclass(frozen=True)
class LessonText:
    """A lesson's prose as its source writes it ({{name}} unfilled): what quotes are matched against."""

    slug: str
    text: str                 # body (code blocks and widget lines removed) + front-matter prose, normalised
    code_spans: list[tuple[int, int]]   # inline code and placeholders: their digits are not claims
    front_matter: dict

    def occurrences(self, quote: str) -> list[tuple[int, int]]:
        q = normalise(quote)
        return [(m.start(), m.start() + len(q)) for m in re.finditer(re.escape(q), self.text)]

    def numbers(self) -> list[tuple[int, int]]:
        """Every digit run a learner reads as a number, outside code and placeholders."""
        return [(m.start(), m.end()) for m in NUMBER.finditer(self.text)
                if not any(a <= m.start() < b for a, b in self.code_spans)]

    def context(self, span: tuple[int, int], width: int = 50) -> str:
        return self.text[max(0, span[0] - width):span[1] + width]


def lesson_text(path: Path) -> LessonText:
    meta, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    body = _DIRECTIVE_LINE.sub(" ", _FENCE.sub(" ", body))
    text = normalise(" \n\n ".join([body, *(normalise(t) for t in _prose(meta))]))
    spans = [(m.start(), m.end()) for pattern in (_INLINE_CODE, PLACEHOLDER) for m in pattern.finditer(text)]
    return LessonText(slug=meta["slug"], text=text, code_spans=spans, front_matter=meta)
