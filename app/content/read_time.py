"""A lesson's read time, computed from what it holds rather than typed into its front matter.

The rule (shown on the lesson page beside the figure):

    minutes = words / 200  +  1.5 × explorers  +  0.5 × quiz questions,  rounded up

- words: the lesson's prose and code (the Markdown body, widget captions included, without the
  `::: widget` lines) plus its objective, key idea and key terms. 200 words a minute is a careful
  pace for technical text with formulas (everyday prose reads at about 240).
- explorers: every widget the body places, counted each time it is placed; a learner needs a minute
  or two to move its controls and read it.
- quiz questions: half a minute each, to read the choices and check an answer.
"""
from __future__ import annotations

import math
import re

from pydantic import BaseModel, ConfigDict

WORDS_PER_MINUTE = 200
MINUTES_PER_WIDGET = 1.5
MINUTES_PER_QUESTION = 0.5

_WORD = re.compile(r"[^\W_]+(?:['’.-][^\W_]+)*")   # "it's", "top-k", "3.31" and "kd_loss" (two) count as words
_DIRECTIVE = re.compile(r"^:::.*$", re.MULTILINE)


class ReadTime(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    minutes: int
    words: int
    widgets: int
    questions: int

    @property
    def rule(self) -> str:
        """The sum behind `minutes`, in words a learner reads on the page."""
        return (f"{self.words:,} words at {WORDS_PER_MINUTE} a minute, {self.widgets} "
                f"explorer{'s' if self.widgets != 1 else ''} at 1½ minutes and {self.questions} "
                f"question{'s' if self.questions != 1 else ''} at ½ minute, rounded up")


def count_words(text: str) -> int:
    return len(_WORD.findall(_DIRECTIVE.sub("", text)))


def read_time(body: str, extra_texts: list[str], widgets: int, questions: int) -> ReadTime:
    words = count_words(body) + sum(count_words(t) for t in extra_texts)
    minutes = words / WORDS_PER_MINUTE + MINUTES_PER_WIDGET * widgets + MINUTES_PER_QUESTION * questions
    # 1e-9: a sum that is a whole number in exact arithmetic stays that number.
    return ReadTime(minutes=max(1, math.ceil(minutes - 1e-9)), words=words, widgets=widgets, questions=questions)
