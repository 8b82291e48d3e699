"""Bounded numeric types shared by the JSON API's request bodies."""
from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

# Strict: "3" is not a number. Finite: NaN and ±Infinity (which Python's JSON parser accepts) are refused.
# |logit| ≤ 10⁴ keeps logit / T finite in float64 for every T the API allows. T ≥ 0.01: below it a
# T = 5e-324 makes logit / T infinite (NaN probabilities), and T² underflows against a KL of ~|logit|/T.
# No lesson needs a T under 0.1.
Logit = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=-1e4, le=1e4)]
Temperature = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0.01, le=1000)]
Alpha = Annotated[float, Field(strict=True, allow_inf_nan=False, ge=0, le=1)]

MAX_LOGITS = 4096
MAX_TEMPERATURES = 64
# Numbers in one answer's largest array (logits × temperatures for soften). 4,096 × 64 answered 5.8 MB
# and held the event loop 124 ms; 16,384 is ~360 KB of JSON and ~1 ms of compute.
MAX_ANSWER_CELLS = 16_384


class StrictBody(BaseModel):
    """Unknown fields are an error, so a typo in a field name is reported, not ignored."""

    model_config = ConfigDict(extra="forbid")
