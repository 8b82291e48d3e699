"""The table of KD operations: what POST /api/kd/* and the live socket (WS /api/live) can compute.

One entry per operation: its path, request and answer models, the plain function that computes it
(app/web/kd_answers.py) and an estimate of its cost. The HTTP routes are made from this table (api_kd.py)
and the live socket looks operations up in it, so both offer exactly the same things with the same
models, and neither depends on FastAPI's dependency injection to call a handler. To add an operation
(say, a whole slider range in one request), add an entry; a test checks that the table and the HTTP
routes agree.

The cost estimate, in seconds of compute on the project's 2-core machine (measured; rough on purpose),
decides where the work runs: at most BREWSLM_INLINE_WORK_SECONDS right on the event loop (a thread hop
would cost more than the math), anything more in the heavy lane, off the loop, shared round-robin between
client addresses (app/web/lane.py). The live socket also charges it to its work budgets.
"""
from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel

from app.web.answer_cache import AnswerCache
from app.web.clients import client_address
from app.web.kd_answers import (kl_direction_answer, loss_answer, reduction_answer, soften_answer,
                                temperature_gradients_answer)
from app.web.kd_bodies import (KLDirectionRequest, KLDirectionResponse, LossRequest, LossResponse, ReductionRequest,
                               ReductionResponse, SoftenRequest, SoftenResponse, TemperatureGradientsRequest,
                               TemperatureGradientsResponse)
from app.web.lane import FairLane
from app.web.table_answers import (alpha_table, alpha_temperature_table, kl_separation_table, kl_weight_table,
                                   reduction_batch_table, reduction_length_table, reduction_prompt_table,
                                   t_squared_table, temperature_table)
from app.web.table_bodies import (AlphaTableRequest, AlphaTemperatureTableRequest, KLSeparationTableRequest,
                                  KLWeightTableRequest, ReductionBatchTableRequest, ReductionLengthTableRequest,
                                  ReductionPromptTableRequest, SliderTable, SoftenTableRequest, TSquaredTableRequest)


@dataclass(frozen=True)
class Operation:
    path: str
    request: type[BaseModel]
    response: type[BaseModel]
    compute: Callable[[Any], BaseModel]     # request model -> answer model; pure, synchronous
    cost_s: Callable[[Any], float]          # estimated seconds of compute for a (validated) request
    lane: str = "heavy_lane"                # the app.state lane that runs it when it is not inline
    cached: bool = False                    # answers kept by request in app.state.answer_cache

    def answer_json(self, body: BaseModel) -> str:
        # pydantic's serializer: 13× faster than json.dumps on a large answer (and what FastAPI uses)
        return self.compute(body).model_dump_json()


def _cells(rows: list) -> int:
    return len(rows) * len(rows[0])


OPERATIONS: dict[str, Operation] = {op.path: op for op in (
    Operation("/api/kd/soften", SoftenRequest, SoftenResponse, soften_answer,
              lambda b: 2e-5 + 5e-8 * len(b.logits) * len(b.temperatures)),
    Operation("/api/kd/loss", LossRequest, LossResponse, loss_answer,
              lambda b: 2.5e-4 + 1.8e-6 * _cells(b.student_logits)),
    Operation("/api/kd/temperature-gradients", TemperatureGradientsRequest, TemperatureGradientsResponse,
              temperature_gradients_answer,
              lambda b: 8e-4 + 1.1e-7 * len(b.student_logits) * len(b.temperatures)),
    Operation("/api/kd/reduction", ReductionRequest, ReductionResponse, reduction_answer,
              lambda b: 6e-4 + 1.5e-7 * b.batch_size * b.seq_len * b.vocab),
    Operation("/api/kd/kl-direction", KLDirectionRequest, KLDirectionResponse, kl_direction_answer,
              lambda b: 2e-3),
)}

# The slider tables (POST /api/tables/*, app/web/table_answers.py): each answers a whole slider range in 0.4–6
# ms of torch and packing (the KL-direction search over ~100 teachers, 20–30 ms; measured at load 8 on the
# project's machine, largest inputs), so always off the loop: in a lane of their own (table_lane), so that a
# class fetching tables never holds up the single answers in the heavy lane.
TABLE_OPERATIONS: dict[str, Operation] = {op.path: op for op in (
    Operation("/api/tables/temperature/T", SoftenTableRequest, SliderTable, temperature_table,
              lambda b: 1.8e-3 + 1e-5 * len(b.logits), lane="table_lane", cached=True),
    Operation("/api/tables/alpha/alpha", AlphaTableRequest, SliderTable, alpha_table,
              lambda b: 4e-4 + 3e-6 * _cells(b.student_logits), lane="table_lane", cached=True),
    Operation("/api/tables/alpha/T", AlphaTemperatureTableRequest, SliderTable, alpha_temperature_table,
              lambda b: 2.2e-3 + 4.5e-5 * _cells(b.student_logits), lane="table_lane", cached=True),
    Operation("/api/tables/t-squared/T", TSquaredTableRequest, SliderTable, t_squared_table,
              lambda b: 3.7e-3 + 2e-5 * len(b.student_logits), lane="table_lane", cached=True),
    Operation("/api/tables/reduction/seq_len", ReductionLengthTableRequest, SliderTable, reduction_length_table,
              lambda b: 4e-4 + 6.5e-8 * b.batch_size * 48 * b.vocab, lane="table_lane", cached=True),
    Operation("/api/tables/reduction/prompt_len", ReductionPromptTableRequest, SliderTable, reduction_prompt_table,
              lambda b: 1e-3 + 6e-8 * b.batch_size * b.seq_len * b.vocab, lane="table_lane", cached=True),
    Operation("/api/tables/reduction/batch_size", ReductionBatchTableRequest, SliderTable, reduction_batch_table,
              lambda b: 1e-3 + 5e-8 * 8 * b.seq_len * b.vocab, lane="table_lane", cached=True),
    Operation("/api/tables/kl-direction/separation", KLSeparationTableRequest, SliderTable, kl_separation_table,
              lambda b: 2.5e-2, lane="table_lane", cached=True),
    Operation("/api/tables/kl-direction/left_weight", KLWeightTableRequest, SliderTable, kl_weight_table,
              lambda b: 2.5e-2, lane="table_lane", cached=True),
)}

# What the live socket serves: every single answer and every table.
LIVE_OPERATIONS: dict[str, Operation] = {**OPERATIONS, **TABLE_OPERATIONS}


async def perform(op: Operation, body: BaseModel, *, lane: FairLane, client: str, inline_s: float,
                  cache: AnswerCache | None = None) -> str:
    """The answer as JSON text: from the cache when it holds it, computed right here when cheap, otherwise
    in the operation's lane (where a request queued behind the same one finds its answer in the cache)."""
    if not (op.cached and cache is not None):
        return op.answer_json(body) if op.cost_s(body) <= inline_s else await lane.run(client, lambda: op.answer_json(body))
    key = f"{op.path}\n{body.model_dump_json()}"

    def cached_or_computed() -> str:
        answer = cache.get(key)
        if answer is None:
            answer = op.answer_json(body)
            cache.put(key, answer)
        return answer

    answer = cache.get(key)
    if answer is not None:
        return answer
    return cached_or_computed() if op.cost_s(body) <= inline_s else await lane.run(client, cached_or_computed)


def _http_endpoint(op: Operation) -> Callable[..., Any]:
    async def endpoint(body: BaseModel, request: Request) -> Response:
        state = request.app.state
        text = await perform(op, body, lane=getattr(state, op.lane), client=client_address(request.scope),
                             inline_s=state.settings.inline_work_seconds, cache=state.answer_cache)
        return Response(text, media_type="application/json")

    # FastAPI reads the body's model from the signature; each route gets its operation's model.
    endpoint.__signature__ = inspect.Signature([   # type: ignore[attr-defined]
        inspect.Parameter("body", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=op.request),
        inspect.Parameter("request", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Request)])
    return endpoint


def add_http_routes(router: APIRouter, operations: dict[str, Operation]) -> None:
    """POST {path} for every operation, answered by `perform` and documented with its models."""
    for op in operations.values():
        name = "post_" + op.path.removeprefix(router.prefix).strip("/").replace("/", "_").replace("-", "_")
        router.add_api_route(op.path.removeprefix(router.prefix), _http_endpoint(op), methods=["POST"],
                             response_model=op.response, name=name, summary=op.compute.__doc__.split("\n")[0],
                             description=op.compute.__doc__)
