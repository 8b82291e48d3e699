"""/api/tinylm: the small language model of lessons 4.2 and 4.4 over JSON.

The torch work (the teacher's first training, student runs) happens on a worker thread, never on the
event loop. Comparisons are limited: one at a time (a second gets 429), bounded steps, and a wall-time
limit that cancels the run (503 with the reason). Answers are deterministic for a given body, so
recent ones are kept and a reload is instant.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from pathlib import Path

from anyio import to_thread
from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, Field

from app.device import resolve_device
from app.training import tinylm_task as task
from app.training.tinylm_compare import compare
from app.training.tinylm_inspect import INSPECT_EXAMPLES, inspect
from app.training.tinylm_teacher import Teacher, get_teacher
from app.settings import Settings
from app.web.deps import SettingsDep
from app.web.schemas import Alpha, StrictBody

router = APIRouter(prefix="/api/tinylm", tags=["tinylm"])

MAX_COMPARE_STEPS = 1000


class TeacherViewRequest(StrictBody):
    example: int = Field(0, strict=True, ge=0, lt=INSPECT_EXAMPLES, description="which transfer-set order")
    position: int = Field(1, strict=True, ge=0, lt=task.RESPONSE_LEN, description="response position, 0-based")
    k: int = Field(4, strict=True, ge=1, le=task.V, description="top-k ids a capture keeps")
    temperature: float = Field(1.0, strict=True, allow_inf_nan=False, ge=0.1, le=20,
                               description="capture temperature")


class CompareRequest(StrictBody):
    alpha: Alpha = 0.5
    temperature: float = Field(2.0, strict=True, allow_inf_nan=False, ge=0.1, le=20)
    top_k: int = Field(8, strict=True, ge=1, le=task.V)
    examples: int = Field(300, strict=True, ge=16, le=2000, description="captured transfer-set orders")
    steps: int = Field(400, strict=True, ge=10, le=MAX_COMPARE_STEPS)
    seed: int = Field(0, strict=True, ge=0, le=10_000)


class TokenProb(BaseModel):
    id: int
    token: str
    p: float = Field(description="the teacher's probability at the capture temperature")
    truth: float = Field(description="the task's true probability")


class KeptId(BaseModel):
    id: int
    token: str
    logprob: float


class TeacherView(BaseModel):
    example: int
    position: int
    k: int
    temperature: float
    tokens: list[str]
    prompt_len: int
    target_index: int = Field(description="index in `tokens` of the token this position predicts")
    target: str
    distribution: list[TokenProb] = Field(description="every token, most likely first")
    coverage: list[float] = Field(description="the teacher's mass in its top 1, 2, ..., V ids")
    mass_kept: float
    mass_lost: float
    kept: list[KeptId]
    jsonl_meta: str = Field(description="line 1 of a capture with this k and temperature")
    jsonl_line: str = Field(description="the line `brewslm capture` writes for this example")
    teacher_id: str


class Scores(BaseModel):
    accuracy: float
    perplexity: float
    kl_to_truth: float
    kl_to_teacher: float | None


class CurvePoint(BaseModel):
    step: int
    loss: float
    accuracy: float
    kl_to_truth: float


class CompareAnswer(BaseModel):
    config: dict[str, float | int]
    teacher: Scores
    sft: Scores
    kd: Scores
    truth: dict[str, float]
    quality_kept: dict[str, dict[str, float | None]] = Field(
        description="accuracy_ratio and perplexity_ratio per student; gap_closed per measure (null if no gap)")
    curves: dict[str, list[CurvePoint]]
    eval_examples: int
    seconds: float


async def _teacher(cache_dir: Path) -> Teacher:
    # The first call trains the teacher (seconds); get_teacher's lock makes concurrent first calls wait.
    return await to_thread.run_sync(get_teacher, cache_dir)


async def teacher_view(body: TeacherViewRequest, settings: Settings) -> dict:
    """What POST /teacher answers; lesson 4.2's prediction (app/web/predictions.py) reads it too."""
    teacher = await _teacher(settings.cache_dir)
    return await to_thread.run_sync(lambda: inspect(teacher, body.example, body.position, body.k,
                                                    body.temperature))


@router.post("/teacher")
async def post_teacher(body: TeacherViewRequest, settings: SettingsDep) -> TeacherView:
    """The teacher's distribution at one response position, its coverage curve and the JSONL line."""
    return await teacher_view(body, settings)


# A thread lock, not an asyncio one: it is taken without waiting, and it works whichever event loop
# (several test servers run in one process) the request arrives on.
_compare_lock = threading.Lock()
_answers: OrderedDict[tuple, dict] = OrderedDict()
_KEEP = 16


async def run_compare(body: CompareRequest, settings: Settings) -> dict:
    """What POST /compare answers (cached, one at a time); lesson 4.4's prediction reads it too."""
    key = (str(settings.cache_dir), *body.model_dump().values())
    if key in _answers:
        return _answers[key]
    if not _compare_lock.acquire(blocking=False):
        raise HTTPException(429, "Another comparison is running; try again in a few seconds.")
    try:
        teacher = await _teacher(settings.cache_dir)
        cancel = threading.Event()
        timer = threading.Timer(settings.max_run_seconds, cancel.set)
        timer.start()
        try:
            answer = await to_thread.run_sync(lambda: compare(
                teacher, device=resolve_device(settings.device), cancel=cancel, **body.model_dump()))
        except RuntimeError as err:
            if cancel.is_set():
                raise HTTPException(503, f"The comparison took longer than {settings.max_run_seconds:g} s "
                                         f"and was stopped; try fewer steps.") from None
            raise HTTPException(500, str(err)) from None
        finally:
            timer.cancel()
    finally:
        _compare_lock.release()
    _answers[key] = answer
    while len(_answers) > _KEEP:
        _answers.popitem(last=False)
    return answer


@router.post("/compare")
async def post_compare(body: CompareRequest, settings: SettingsDep) -> CompareAnswer:
    """Teacher vs SFT student vs KD student on held-out orders, from two real training runs."""
    return await run_compare(body, settings)
