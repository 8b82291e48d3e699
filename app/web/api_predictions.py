"""/api/predictions: the lessons' predict-then-see questions, and the truth for a widget's state.

GET lists every prediction the lessons define (for the lesson pages' panels and for class sessions,
which ask the room the same questions). POST computes the truth of one of them for the state the
widget is in: the answer the learner's committed prediction is scored against. The server keeps no
prediction: the learner's own stays in their browser.
"""
from __future__ import annotations

from typing import Any

from fastapi import APIRouter, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from app.content.model import Prediction
from app.web.clients import ClientDep
from app.web.deps import TrackDep
from app.web.predictions import TRUTHS, Asker, TruthAnswer
from app.web.schemas import StrictBody
from app.widgets import StateError

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


@router.get("", summary="Every predict-then-see question of the lessons")
async def get_predictions(track: TrackDep) -> list[LessonPrediction]:
    """Every predict-then-see question of the track, in lesson order."""
    return [LessonPrediction(lesson=slug, lesson_id=lesson.meta.id, prediction=p)
            for slug, lesson in track.lessons.items() for p in lesson.meta.predictions]


@router.post("/{slug}/{pid}", summary="The truth of one prediction for a widget's state")
async def post_truth(slug: str, pid: str, body: TruthRequest, track: TrackDep, request: Request,
                     client: ClientDep) -> TruthResponse:
    """The truth of prediction `pid` of lesson `slug`, computed for the widget state in the body."""
    lesson = track.lesson(slug)
    prediction = next((p for p in lesson.meta.predictions if p.id == pid), None) if lesson else None
    if prediction is None:
        raise HTTPException(404, f"Lesson “{slug}” has no prediction “{pid}”.")
    truth = TRUTHS[prediction.truth]
    try:
        state = truth.read_state(body.state)
        answer = await truth.compute(state, truth.args.model_validate(prediction.args), Asker(request, client))
    except ValidationError as exc:
        raise RequestValidationError([{**e, "loc": ("body", "state", *e["loc"])} for e in exc.errors()]) from None
    except StateError as exc:   # FastAPI's 422 shape, so every client reads one kind of error
        raise RequestValidationError([{"type": "value_error", "loc": ("body", "state", key), "msg": f"{key} {why}"}
                                      for key, why in exc.problems]) from None
    except ValueError as exc:   # the state is valid but the question has no answer for it
        raise HTTPException(422, str(exc)) from None
    return TruthResponse(lesson=slug, id=pid, kind=prediction.kind, **answer.model_dump())
