"""The lessons' predict-then-see questions, asked of a whole class.

A lesson's front matter defines its predictions (app/content/model.py: Prediction) and names each one's
truth, a server computation on the widget's state (app/web/predictions.py). Those on an explorer a class
can follow become class questions: a slider prediction is answered with the registry parameter its
`unit` names, a choice prediction with its choices; the truth computes the answer from the instructor's
state at the reveal, exactly as it does for one learner at POST /api/predictions/{slug}/{id}.
"""
from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from app.classroom.questions import Question
from app.content import Track
from app.content.model import Prediction
from app.web.predictions import TRUTHS, Truth
from app.widgets import StateError, widget_spec


def lesson_questions(track: Track) -> list[Question]:
    questions = []
    for lesson in track.lessons.values():
        for prediction in lesson.meta.predictions:
            question = _class_question(lesson.meta.slug, prediction)
            if question is not None:
                questions.append(question)
    return questions


def _class_question(slug: str, prediction: Prediction) -> Question | None:
    spec = widget_spec(prediction.widget)
    truth = TRUTHS.get(prediction.truth)
    if spec is None or not spec.classroom or truth is None:
        return None                  # the tiny-LM widgets' truths train models: not for a whole room
    if prediction.kind == "slider" and prediction.unit not in spec.sliders():
        return None
    values = [choice.value for choice in prediction.choices]

    async def solve(state: dict[str, Any]) -> float | int | None:
        try:
            answer = await truth.compute(truth.read_state(state), truth.args.model_validate(prediction.args), None)
        except (StateError, ValidationError):
            return None              # this state lacks what the question needs
        if prediction.kind == "choice":
            return values.index(answer.truth) if answer.truth in values else None
        return answer.truth

    return Question(id=f"{slug}.{prediction.id}", widget=prediction.widget, prompt=prediction.prompt,
                    kind="value" if prediction.kind == "slider" else "choice", solve=solve,
                    param=prediction.unit if prediction.kind == "slider" else None,
                    options=tuple(choice.text for choice in prediction.choices),
                    unsolved=_unsolved(truth))


def _unsolved(truth: Truth) -> str:
    return (f"With the {truth.widget} explorer's current state this question has no answer on its slider's "
            "range: change the logits or pick another question.")
