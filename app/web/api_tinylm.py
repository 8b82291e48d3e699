"""/api/tinylm: the small language model of lessons 4.2 and 4.4 over JSON.

The torch work (the teacher's first training, student runs) happens on a worker thread, never on the
event loop. Comparisons take seconds, so they run one at a time in their own lane, waiting their turn
round-robin between client addresses (app/web/lane.py): a client looping comparisons waits behind the
others instead of keeping them at 429. A client may have BREWSLM_COMPARE_PER_CLIENT waiting or running,
the server BREWSLM_COMPARE_WAITING waiting; past either, 429 with Retry-After naming the limit. Steps
are bounded, and a wall-time limit cancels a run (503 with the reason). Answers are deterministic for a
given body, so recent ones are kept (per app, in `app.state.tinylm_answers`) and a reload is instant.
"""
from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Annotated

from anyio import to_thread
from fastapi import APIRouter, Depends, HTTPException, Request
from pydantic import BaseModel, Field

from app.device import resolve_device
from app.settings import Settings
from app.training.tinylm import task
from app.training.tinylm.compare import compare
from app.training.tinylm.experiment import TinyLMExperiment
from app.training.tinylm.inspect_teacher import INSPECT_EXAMPLES, inspect
from app.training.tinylm.teacher import TinyLMTeacher
from app.web.clients import ClientDep
from app.web.deps import CompareLaneDep, HeavyLaneDep, SettingsDep
from app.web.lane import FairLane
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


class CompareAnswers:
    """Recent comparison answers by request body (one comparison at a time is the compare lane's job)."""

    KEEP = 16

    def __init__(self) -> None:
        self.answers: OrderedDict[tuple, dict] = OrderedDict()

    def remember(self, key: tuple, answer: dict) -> None:
        self.answers[key] = answer
        while len(self.answers) > self.KEEP:
            self.answers.popitem(last=False)


def get_tinylm(request: Request) -> TinyLMExperiment:
    return request.app.state.tinylm


def get_compare_answers(request: Request) -> CompareAnswers:
    state = request.app.state
    if getattr(state, "tinylm_answers", None) is None:
        state.tinylm_answers = CompareAnswers()
    return state.tinylm_answers


TinyLMDep = Annotated[TinyLMExperiment, Depends(get_tinylm)]
AnswersDep = Annotated[CompareAnswers, Depends(get_compare_answers)]


async def _teacher(tinylm: TinyLMExperiment) -> TinyLMTeacher:
    # The first call trains the teacher (seconds); the teacher cache's lock makes concurrent first calls wait.
    return await to_thread.run_sync(tinylm.teacher)


async def teacher_view(body: TeacherViewRequest, tinylm: TinyLMExperiment, lane: FairLane, client: str) -> dict:
    """What POST /teacher answers; lesson 4.2's prediction (app/web/predictions.py) reads it too."""
    teacher = await _teacher(tinylm)
    return await lane.run(client, lambda: inspect(teacher, body.example, body.position, body.k, body.temperature))


@router.post("/teacher", summary="Look inside the tiny-LM teacher at one position")
async def post_teacher(body: TeacherViewRequest, tinylm: TinyLMDep, lane: HeavyLaneDep,
                       client: ClientDep) -> TeacherView:
    """The teacher's distribution at one response position, its coverage curve and the JSONL line."""
    return await teacher_view(body, tinylm, lane, client)


def _compare_within_time_limit(body: CompareRequest, settings, tinylm: TinyLMExperiment) -> dict:
    """One comparison on this thread, cancelled after the server's wall-time limit (timed from its start)."""
    tinylm.teacher()   # trained on first use (seconds), before the run's clock starts
    cancel = threading.Event()
    timer = threading.Timer(settings.max_run_seconds, cancel.set)
    timer.start()
    try:
        return compare(tinylm, device=resolve_device(settings.device), cancel=cancel, **body.model_dump())
    except RuntimeError as err:
        if cancel.is_set():
            raise HTTPException(503, f"The comparison took longer than {settings.max_run_seconds:g} s "
                                     f"and was stopped; try fewer steps.") from None
        raise HTTPException(500, str(err)) from None
    finally:
        timer.cancel()


async def compare_answer(body: CompareRequest, settings: Settings, tinylm: TinyLMExperiment, cache: CompareAnswers,
                         lane: FairLane, client: str) -> dict:
    """What POST /compare answers (remembered per body); lesson 4.4's prediction reads it too."""
    key = tuple(body.model_dump().values())
    if key in cache.answers:
        return cache.answers[key]
    answer = await lane.run(client, lambda: _compare_within_time_limit(body, settings, tinylm))
    cache.remember(key, answer)
    return answer


@router.post("/compare", summary="Teacher, SFT student and KD student, trained and scored")
async def post_compare(body: CompareRequest, settings: SettingsDep, tinylm: TinyLMDep, cache: AnswersDep,
                       lane: CompareLaneDep, client: ClientDep) -> CompareAnswer:
    """Teacher vs SFT student vs KD student on held-out orders, from two real training runs."""
    return await compare_answer(body, settings, tinylm, cache, lane, client)
