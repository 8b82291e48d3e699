"""Request bodies of the slider tables (app/web/table_answers.py): each is its explorer's single request
without the slider's own field, so a table is asked for with exactly what the page holds fixed.

A table multiplies the work and the answer by the slider's positions (up to 1,001), so the logits it
takes are capped at what the explorers' fields accept (64), not at the single endpoints' 4,096.
"""
from __future__ import annotations

from pydantic import BaseModel, Field, field_validator

from app.web.kd_bodies import (BatchSize, LeftWeight, LogitPair, LossInputs, PeakWidth, PromptLen, ReductionExample,
                               ReductionSequence, SeqLen, Separation)
from app.web.packed import PackedArray
from app.web.schemas import Alpha, Logit, StrictBody, Temperature

MAX_TABLE_LOGITS = 64


def _few_logits(rows: list, name: str) -> list:
    cells = sum(len(r) for r in rows) if rows and isinstance(rows[0], list) else len(rows)
    if cells > MAX_TABLE_LOGITS:
        raise ValueError(f"a table takes at most {MAX_TABLE_LOGITS} {name} in all; ask POST /api/kd/* for more")
    return rows


class SoftenTableRequest(StrictBody):
    logits: list[Logit] = Field(min_length=1, max_length=MAX_TABLE_LOGITS)


class _TableLossInputs(LossInputs):
    @field_validator("student_logits")
    @classmethod
    def few_enough_for_a_table(cls, rows: list[list[float]]) -> list[list[float]]:
        return _few_logits(rows, "student logits")


class AlphaTableRequest(_TableLossInputs):
    """The alpha explorer's state without alpha: its table runs over alpha."""

    temperature: Temperature = 2.0


class AlphaTemperatureTableRequest(_TableLossInputs):
    """The alpha explorer's state without T: its table runs over T."""

    alpha: Alpha = 0.5


class TSquaredTableRequest(LogitPair):
    @field_validator("student_logits")
    @classmethod
    def few_enough_for_a_table(cls, logits: list[float]) -> list[float]:
        return _few_logits(logits, "student logits")


class ReductionLengthTableRequest(ReductionExample):
    batch_size: BatchSize = 2
    prompt_len: PromptLen = Field(default=6, description="at a shorter length L the prompt is L (the page cuts it)")


class ReductionPromptTableRequest(ReductionExample):
    batch_size: BatchSize = 2
    seq_len: SeqLen = 16


class ReductionBatchTableRequest(ReductionSequence):
    """The reduction explorer's state without the batch size."""


class KLSeparationTableRequest(StrictBody):
    left_weight: LeftWeight = 0.6
    width: PeakWidth = 1.0


class KLWeightTableRequest(StrictBody):
    separation: Separation = 6.0
    width: PeakWidth = 1.0


class SliderTable(BaseModel):
    """One slider's whole range: row i of every `by_position` array is the answer at `values[i]`."""

    widget: str
    param: str = Field(description="the slider's parameter")
    values: PackedArray = Field(description="the distinct values the slider can reach, ascending (f8)")
    by_position: dict[str, PackedArray] = Field(description="what changes along the slider: leading axis = values")
    fixed: dict[str, PackedArray] = Field(description="what the slider does not change")
