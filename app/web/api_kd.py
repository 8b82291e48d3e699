"""/api/kd: the KD math of app.kd over JSON. Tiny torch calls, so handlers are async (no threadpool hop)."""
from __future__ import annotations

import torch
from fastapi import APIRouter
from pydantic import BaseModel, Field

from app.kd.temperature import entropy_bits, mass_off_top, soften
from app.web.schemas import MAX_LOGITS, MAX_TEMPERATURES, Logit, StrictBody, Temperature

router = APIRouter(prefix="/api/kd", tags=["kd"])


class SoftenRequest(StrictBody):
    logits: list[Logit] = Field(min_length=1, max_length=MAX_LOGITS)
    temperatures: list[Temperature] = Field(min_length=1, max_length=MAX_TEMPERATURES)


class SoftenResponse(BaseModel):
    temperatures: list[float]
    probs: list[list[float]] = Field(description="softmax(logits / T), one row per temperature")
    entropy_bits: list[float]
    mass_off_top: list[float] = Field(description="1 − the largest probability, per temperature")


@router.post("/soften")
async def post_soften(body: SoftenRequest) -> SoftenResponse:
    """softmax(logits / T) at each temperature, with its entropy in bits and the mass off the top class."""
    logits = torch.tensor(body.logits, dtype=torch.float64)
    temps = torch.tensor(body.temperatures, dtype=torch.float64)
    probs = soften(logits, temps)
    return SoftenResponse(temperatures=body.temperatures, probs=probs.tolist(),
                          entropy_bits=entropy_bits(probs).tolist(), mass_off_top=mass_off_top(probs).tolist())
