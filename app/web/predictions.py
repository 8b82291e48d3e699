"""The truths behind the lessons' predict-then-see questions: server computations on a widget's state.

A lesson's front matter defines a prediction (app/content/model.py: Prediction) and names its `truth`,
one of the functions below. Each takes the state of its widget, exactly as the widget reports it (the
explorers' queryState, the tiny-LM widgets' form), plus the prediction's `args`, and answers a number
(slider predictions) or one of its `outcomes` (choice predictions). Nothing here is typed into a lesson:
change the logits on the page and the truth changes with them. Class sessions (issue #11) ask the same
functions through POST /api/predictions/{slug}/{id}.
"""
from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Annotated, Any

import torch
from fastapi import Request
from pydantic import BaseModel, Field, ValidationError

from app.content.model import Prediction
from app.kd.gradients import kl_gradient_norms, same_up_to_a_shift
from app.kd.temperature import runner_up_index, soften, temperature_for_share
from app.kd.topk import smallest_k_for_coverage
from app.web.api_tinylm import (CompareRequest, TeacherViewRequest, compare_answer, get_compare_answers, get_tinylm,
                                teacher_view)
from app.web.deps import get_compare_lane, get_heavy_lane
from app.web.schemas import StrictBody
from app.widgets import StateError, validate_state, widget_spec

Share = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, lt=1)]
Positive = Annotated[float, Field(strict=True, allow_inf_nan=False, gt=0, le=1000)]


class TruthAnswer(BaseModel):
    truth: int | float | str | None = Field(description="a number for slider predictions, a choice's value otherwise; "
                                                   "null when the thing asked about does not happen")
    summary: str = Field(description="one sentence saying what the server computed")
    detail: dict[str, float | int | str | None] = Field(default_factory=dict)


# --- the widgets' states -------------------------------------------------------------------------------
# The explorers' states are checked against their description (app/widgets), as a class session checks
# them; the tiny-LM widgets' states are their endpoints' request bodies.

def explorer_state(widget: str, *required: str) -> Callable[[Any], dict[str, Any]]:
    """A reader of `widget`'s JSON state (StateError naming each bad value) that needs `required`."""
    spec = widget_spec(widget)

    def read(state: Any) -> dict[str, Any]:
        values = validate_state(spec, state)
        missing = [(key, "is required to answer this question") for key in required if key not in values]
        if missing:
            raise StateError(missing)
        return values

    return read


def request_state(model: type[BaseModel]) -> Callable[[Any], BaseModel]:
    return model.model_validate


# --- the arguments a prediction fixes ------------------------------------------------------------------

class ShareArgs(StrictBody):
    share: Share


class PullChangeArgs(StrictBody):
    t_from: Positive
    t_to: Positive
    band: Annotated[float, Field(strict=True, allow_inf_nan=False, gt=1, le=10)] = 1.25


class GapArgs(StrictBody):
    measure: str = Field(pattern=r"^(perplexity|kl_to_truth|accuracy)$")


@dataclass(frozen=True)
class Asker:
    """Who asks for a truth, and through which app: the tiny-LM truths run in its lanes, per client."""

    request: Request
    client: str


Compute = Callable[[BaseModel, BaseModel, Asker], Awaitable[TruthAnswer]]


@dataclass(frozen=True)
class Truth:
    widget: str
    kind: str                         # "slider" | "choice"
    read_state: Callable[[Any], Any]  # the widget's JSON state, checked (StateError or ValidationError)
    args: type[BaseModel]
    compute: Compute
    outcomes: tuple[str, ...] = ()    # choice truths: every value it can answer


def _t64(values: list[float]) -> torch.Tensor:
    return torch.tensor(values, dtype=torch.float64)


async def runner_up_reaches(state: dict[str, Any], args: ShareArgs, asker: Asker) -> TruthAnswer:
    """The lowest T on the explorer's slider at which the runner-up's probability reaches `share`."""
    if len(state["logits"]) < 2:
        raise StateError([("logits", "needs at least two numbers: a runner-up needs a class above it")])
    logits = _t64(state["logits"])
    index = runner_up_index(logits)
    slider = widget_spec("temperature").param("T")
    lo, hi = slider.low, slider.high
    T = temperature_for_share(logits, index, args.share, lo, hi)
    if T is None:
        return TruthAnswer(truth=None, detail={"runner_up": index},
                           summary=f"With these logits the runner-up never has {100 * args.share:g}% at any T "
                                   f"from {lo:g} to {hi:g}.")
    p = float(soften(logits, _t64([T]))[0, index])
    return TruthAnswer(truth=T, detail={"runner_up": index, "probability": p},
                       summary=f"softmax(logits / T), searched by torch, gives the runner-up {100 * p:.1f}% "
                               f"at T = {T:.2f}.")


async def pull_change(state: dict[str, Any], args: PullChangeArgs, asker: Asker) -> TruthAnswer:
    """Does ‖∂(T²·KL)/∂z‖ grow, stay within `band`, or shrink from t_from to t_to?"""
    student, teacher = _t64(state["student"]), _t64(state["teacher"])
    _, with_t2 = kl_gradient_norms(student, teacher, _t64([args.t_from, args.t_to]))
    a, b = float(with_t2[0]), float(with_t2[1])
    if same_up_to_a_shift(student, teacher) or a == 0.0:
        return TruthAnswer(truth="flat", detail={"from": a, "to": b},
                           summary="The student already matches the teacher: there is no pull at any T.")
    ratio = b / a
    outcome = "grows" if ratio > args.band else "shrinks" if ratio < 1 / args.band else "flat"
    return TruthAnswer(truth=outcome, detail={"from": a, "to": b, "ratio": ratio},
                       summary=f"‖∂(T²·KL)/∂z‖, by autograd: {a:.3f} at T = {args.t_from:g}, {b:.3f} at "
                               f"T = {args.t_to:g}, ×{ratio:.2f}.")


async def k_for_coverage(state: TeacherViewRequest, args: ShareArgs, asker: Asker) -> TruthAnswer:
    """The smallest k whose top-k ids hold `share` of the teacher's mass at the widget's position."""
    view = await teacher_view(state, get_tinylm(asker.request), get_heavy_lane(asker.request), asker.client)
    coverage = torch.tensor(view["coverage"], dtype=torch.float64)
    k = smallest_k_for_coverage(coverage, args.share)
    before = f" (top {k - 1}: {100 * float(coverage[k - 2]):.1f}%)" if k > 1 else ""
    return TruthAnswer(truth=k, detail={"coverage_at_k": float(coverage[k - 1])},
                       summary=f"The teacher's top {k} ids hold {100 * float(coverage[k - 1]):.1f}% of its mass "
                               f"here{before}.")


GAP_BUCKETS = ("worse", "under-third", "third-to-two-thirds", "over-two-thirds")


async def gap_closed_bucket(state: CompareRequest, args: GapArgs, asker: Asker) -> TruthAnswer:
    """Train both students (as the widget does) and say which band the KD student's gap closed falls in."""
    r = asker.request
    answer = await compare_answer(state, r.app.state.settings, get_tinylm(r), get_compare_answers(r),
                                  get_compare_lane(r), asker.client)
    gap = answer["quality_kept"]["gap_closed"][args.measure]
    if gap is None:
        raise ValueError(f"the teacher and the SFT student tie on {args.measure}: there is no gap to close")
    bucket = ("worse" if gap < 0 else "under-third" if gap < 1 / 3 else
              "third-to-two-thirds" if gap < 2 / 3 else "over-two-thirds")
    name = args.measure.replace("_", " ")
    scores = {who: answer[who][args.measure] for who in ("sft", "kd", "teacher")}
    return TruthAnswer(truth=bucket, detail={"gap_closed": gap, **scores},
                       summary=f"Trained and scored on held-out orders: {name} SFT {scores['sft']:.3f}, KD "
                               f"{scores['kd']:.3f}, teacher {scores['teacher']:.3f}; the KD student closed "
                               f"{100 * gap:.1f}% of the gap.")


TRUTHS: dict[str, Truth] = {
    "runner_up_reaches": Truth("temperature", "slider", explorer_state("temperature", "logits"), ShareArgs,
                               runner_up_reaches),
    "pull_change": Truth("t-squared", "choice", explorer_state("t-squared", "student", "teacher"), PullChangeArgs,
                         pull_change, outcomes=("grows", "flat", "shrinks")),
    "k_for_coverage": Truth("teacher-capture", "slider", request_state(TeacherViewRequest), ShareArgs,
                            k_for_coverage),
    "gap_closed_bucket": Truth("quality-kept", "choice", request_state(CompareRequest), GapArgs, gap_closed_bucket,
                               outcomes=GAP_BUCKETS),
}


def check_truth(prediction: Prediction) -> str | None:
    """For the lesson loader: does the prediction's `truth` exist and fit its widget, kind, args and choices?"""
    truth = TRUTHS.get(prediction.truth)
    if truth is None:
        return f"truth {prediction.truth!r} is not a server computation; known: {sorted(TRUTHS)}"
    if truth.widget != prediction.widget:
        return f"truth {prediction.truth!r} reads the {truth.widget!r} widget, not {prediction.widget!r}"
    if truth.kind != prediction.kind:
        return f"truth {prediction.truth!r} answers a {truth.kind} prediction, not a {prediction.kind} one"
    try:
        truth.args.model_validate(prediction.args)
    except ValidationError as exc:
        return f"args: {'; '.join(e['msg'] for e in exc.errors())}"
    if truth.kind == "choice" and {c.value for c in prediction.choices} != set(truth.outcomes):
        return (f"choices must be exactly the values truth {prediction.truth!r} answers: "
                f"{list(truth.outcomes)}")
    return None
