"""A class following the instructor's live runs (the live distillation lab), without learning their ids.

    instructor → {"type": "runs", "runs": [{"n": 3, "id": RUN_ID}, …]}   over the class socket, with the
                 control secret: the runs now on its charts (all of them, at most the widget's `runs`)
    followers  ← {"type": "runs", "runs": [{"n", "experiment", "config", "tag"}, …]}   no ids
    GET /api/classes/{code}/runs/{n}/events    run n's Server-Sent Events, relayed (Last-Event-ID resumes)

A run's id is enough to cancel it (DELETE /api/runs/{id} takes no token), so it stays with the instructor's
page and the server: the server checks each named run exists, keeps the ids in the class's store, and
relays the events of slot n. Each relayed stream holds one of the class sockets' places (per client and
in all), and each run is read once per server process however many pages follow it (app/web/run_relay.py).
"""
from __future__ import annotations

import re
from collections.abc import AsyncIterator
from typing import Annotated, Any, Optional

from fastapi import APIRouter, Header, HTTPException, Path, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse

from app.classroom.broker import BrokerUnavailable
from app.classroom.service import Classroom, ClassError, ClassInfo, ClassInvalid
from app.training.engine import EngineUnavailable, RunEngine
from app.web.api_runs import SSE_HEADERS, finished_without_more
from app.web.classes import UNAVAILABLE, ClassroomDep, find_class
from app.web.clients import client_address
from app.web.header_values import event_id_after
from app.web.limiter import Hold
from app.web.run_engine import engine_of
from app.widgets import widget_spec

router = APIRouter()

MAX_SLOT = 1_000_000        # the instructor's page numbers its runs 1, 2, 3, …
RUN_ID = re.compile(r"[0-9A-Za-z_-]{1,64}")


class ClassUnavailable(ClassError):
    status = 503


async def check_runs(engine: RunEngine, info: ClassInfo, runs: Any) -> list[dict[str, Any]]:
    """The instructor's runs message as [{n, id, experiment, config}], each run found on this server;
    ClassInvalid naming the first problem."""
    most = widget_spec(info.widget).runs
    if most == 0:
        raise ClassInvalid(f"The {info.widget} explorer has no runs to share.", "runs")
    if not isinstance(runs, list) or len(runs) > most:
        raise ClassInvalid(f"runs must be a list of at most {most} runs.", "runs")
    checked: list[dict[str, Any]] = []
    for i, run in enumerate(runs):
        n, run_id = (run.get("n"), run.get("id")) if isinstance(run, dict) else (None, None)
        if not isinstance(n, int) or isinstance(n, bool) or not 1 <= n <= MAX_SLOT:
            raise ClassInvalid(f"runs[{i}].n must be a whole number from 1 to {MAX_SLOT}.", f"runs.{i}.n")
        if not isinstance(run_id, str) or not RUN_ID.fullmatch(run_id):
            raise ClassInvalid(f"runs[{i}].id must be a run's id.", f"runs.{i}.id")
        if any(c["n"] == n or c["id"] == run_id for c in checked):
            raise ClassInvalid(f"runs[{i}] repeats a run or its number.", f"runs.{i}")
        try:
            found = await engine.get(run_id)
        except EngineUnavailable as exc:
            raise ClassUnavailable(str(exc)) from None
        if found is None:
            raise ClassInvalid(f"runs[{i}].id names no run on this server (finished runs are forgotten after a while).",
                               f"runs.{i}.id")
        checked.append({"n": n, "id": run_id, "experiment": found["experiment"], "config": found["config"]})
    return checked


async def share_runs(ws_app: Any, classroom: Classroom, info: ClassInfo, message: dict[str, Any]) -> None:
    """The instructor's {"type": "runs"} message: checked, stored, and sent to the followers."""
    await classroom.set_runs(info, await check_runs(engine_of(ws_app), info, message.get("runs")))


class HeldStream(StreamingResponse):
    """A stream that holds one place of a limit until it ends, however it ends (also when the page left
    before the first byte, so its generator never ran)."""

    def __init__(self, lines: AsyncIterator[str], hold: Hold) -> None:
        super().__init__(lines, media_type="text/event-stream", headers=SSE_HEADERS)
        self.hold = hold

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self.hold.release()


@router.get("/api/classes/{code}/runs/{n}/events", tags=["classes"], response_class=StreamingResponse,
            summary="Follow one of the instructor's runs (Server-Sent Events)",
            responses={200: {"content": {"text/event-stream": {}}}, 204: {}, 404: {}, 429: {}, 503: {}})
async def get_class_run_events(code: str, n: Annotated[int, Path(ge=1, le=MAX_SLOT)], request: Request,
                               classroom: ClassroomDep,
                               last_event_id: Annotated[Optional[str], Header()] = None) -> Response:
    """Run `n` of the class's instructor, as GET /api/runs/{id}/events sends it (the run so far, then live
    events; Last-Event-ID resumes), without naming the run."""
    found = await find_class(classroom, code, request)
    if isinstance(found, Response):
        return found
    after = event_id_after(last_event_id)
    try:
        run_id = await classroom.run_in_slot(found.code, n)
    except BrokerUnavailable:
        return JSONResponse({"detail": UNAVAILABLE}, status_code=503)
    if run_id is None:
        raise HTTPException(404, f"this class has no run {n} now: the instructor's charts show other runs")
    engine = engine_of(request.app)
    try:
        if await finished_without_more(engine, run_id, after):
            return Response(status_code=204)       # nothing more will come: EventSource stops reconnecting
    except HTTPException as exc:
        if exc.status_code == 404:                 # its message names the run: say it without the id
            raise HTTPException(404, f"run {n} of this class is no longer kept on the server") from None
        raise
    hold = request.app.state.class_sockets.acquire(client_address(request.scope))   # 429 past the limits
    lines = request.app.state.run_relays.stream(engine, run_id, after)
    return HeldStream(lines, hold)
