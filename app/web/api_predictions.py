"""/api/predictions: the lessons' predict-then-see questions, and the truth for a widget's state.

GET lists every prediction the lessons define (for the lesson pages' panels and for class sessions,
which ask the room the same questions). POST computes the truth of one of them for the state the
widget is in: the answer the learner's committed prediction is scored against. The server keeps no
prediction: the learner's own stays in their browser.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from app.content.model import Prediction
from app.web.deps import SettingsDep, TrackDep
from app.web.predictions import TRUTHS, TruthAnswer
from app.web.schemas import StrictBody

router = APIRouter(prefix="/api/predictions", tags=["predictions"])


class LessonPrediction(BaseModel):
    lesson: str = Field(description="the lesson's slug")
    lesson_id: str
    prediction: Prediction


class TruthRequest(StrictBody):
    state: dict[str, Any] = Field(description="the widget's state, as the widget reports it (e.g. the "
                                              "temperature explorer's {logits, T, preset})")


class TruthResponse(TruthAnswer):
    lesson: str
    id: str
    kind: str


@router.get("")
async def get_predictions(track: TrackDep) -> list[LessonPrediction]:
    """Every predict-then-see question of the track, in lesson order."""
    return [LessonPrediction(lesson=slug, lesson_id=lesson.meta.id, prediction=p)
            for slug, lesson in track.lessons.items() for p in lesson.meta.predictions]


@router.post("/{slug}/{pid}")
async def post_truth(slug: str, pid: str, body: TruthRequest, track: TrackDep, settings: SettingsDep) -> TruthResponse:
    """The truth of prediction `pid` of lesson `slug`, computed for the widget state in the body."""
    lesson = track.lesson(slug)
    prediction = next((p for p in lesson.meta.predictions if p.id == pid), None) if lesson else None
    if prediction is None:
        raise HTTPException(404, f"Lesson “{slug}” has no prediction “{pid}”.")
    truth = TRUTHS[prediction.truth]
    try:
        state = truth.state.model_validate(body.state)
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", "state", *e["loc"])} for e in exc.errors()]) from None
    try:
        answer = await truth.compute(state, truth.args.model_validate(prediction.args), settings)
    except ValueError as exc:   # the state is valid but the question has no answer for it
        raise HTTPException(422, str(exc)) from None
    return TruthResponse(lesson=slug, id=pid, kind=prediction.kind, **answer.model_dump())
