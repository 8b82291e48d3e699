"""The application factory: `create_app(settings)`; `app = create_app()` is what uvicorn serves."""
from __future__ import annotations

import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import torch
from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from app.classroom.setup import make_classroom
from app.content import load_track
from app.content.weave import build_glossary
from app.device import resolve_device, use_one_cpu_thread
from app.settings import Settings, get_settings
from app.training.digits.experiment import DigitsExperiment
from app.training.tinylm.experiment import TinyLMExperiment
from app.web import (api_docs, api_kd, api_predictions, api_runs, api_tables, api_tinylm, assets, class_runs,
                     class_socket, classes, live, offline, pages)
from app.web.answer_cache import AnswerCache
from app.web.body_guard import RequestBodyGuard
from app.web.budget import SharedBudgets
from app.web.compression import CompressionMiddleware
from app.web.bounded_send import BoundedSend
from app.web.api_runs import KEEPALIVE_S
from app.web.class_questions import lesson_questions
from app.web.errors import LastResort, install_error_handlers
from app.web.head import HeadAsGet
from app.web.hosts import HostCheck, allowed_hosts
from app.web.lane import FairLane
from app.web.limiter import ClientLimit
from app.web.predictions import check_truth
from app.web.run_relay import RunRelays
from app.web.room import room_hosts
from app.web.security import SecurityHeadersMiddleware
from app.web.server_limits import WireLimits, take_server_limits
from app.web.templating import course_catalogue, known_widgets, make_templates, widget_renderer

# The slider tables' answers kept by request (app/web/answer_cache.py): 32 MB holds a class's worth (the
# largest table is 640 KB, most are 2–150 KB).
TABLE_CACHE_BYTES = 32 * 2**20


class BrewSLMApp(FastAPI):
    """FastAPI with guards around the whole of it, its own error handling included.

    Middleware added with `add_middleware` runs inside Starlette's ServerErrorMiddleware, whose 500 goes
    straight to the server: without this, a 500 had no security headers. Outermost first: the headers,
    the last-resort error handler, the Host and Origin check, HEAD answered by GET, large bodies sent in
    pieces, the body checks.
    At start-up it also puts the server's own limits in force (app/web/server_limits.py).
    """

    def build_middleware_stack(self) -> ASGIApp:
        settings: Settings = self.state.settings
        stack = super().build_middleware_stack()
        stack = RequestBodyGuard(stack, max_bytes=settings.max_body_bytes, max_json_depth=settings.max_json_depth)
        stack = BoundedSend(stack)
        stack = HeadAsGet(stack)
        stack = HostCheck(stack, self.state.allowed_hosts)
        stack = LastResort(stack)
        return SecurityHeadersMiddleware(stack)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":   # before start-up, with the server's own `receive` (FastAPI wraps it)
            take_server_limits(receive, self.state.settings, self.state.wire_limits)
        await super().__call__(scope, receive, send)


@asynccontextmanager
async def close_lanes(app: FastAPI) -> AsyncIterator[None]:
    yield
    app.state.heavy_lane.close()
    app.state.table_lane.close()
    app.state.compare_lane.close()


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    # Class sessions' connections belong to the server's event loop: made here, closed here.
    app.state.classroom, app.state.class_hubs = make_classroom(app.state.settings, lesson_questions(app.state.track))
    app.state.run_relays = RunRelays(keepalive_s=KEEPALIVE_S)
    try:
        async with close_lanes(app):
            yield
    finally:
        await app.state.run_relays.close()
        await app.state.class_hubs.close()
        await app.state.classroom.broker.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    use_one_cpu_thread()  # tiny tensors: a second intra-op thread only spin-waits (see app/device.py)
    # The heavy lane's thread holds the GIL while it serializes an answer; the event loop, waiting for it
    # to answer everyone else, gets it back within 1 ms instead of Python's default 5 ms.
    sys.setswitchinterval(0.001)
    # /docs is our own page (app/web/api_docs.py): FastAPI's loads Swagger UI from a CDN.
    app = BrewSLMApp(title="BrewSLM Learn", version="0.1.0", lifespan=lifespan, docs_url=None, redoc_url=None,
                     description="Interactive lessons on knowledge distillation, with the real PyTorch KD loss.")
    app.dependency_overrides[get_settings] = lambda: settings

    templates = make_templates(settings.templates_dir, settings.static_dir)
    # Lessons are parsed once, here: a bad lesson file stops start-up with a message naming it.
    app.state.track = load_track(settings.lessons_dir, widget_renderer(templates), known_widgets(settings.templates_dir),
                                 check_truth=check_truth)
    app.state.templates = templates
    templates.env.globals["course_catalogue"] = course_catalogue(app.state.track)
    # Key terms and lessons/glossary.yaml, woven into the lesson text; a bad glossary file stops start-up too.
    app.state.glossary = build_glossary(app.state.track, settings.lessons_dir / "glossary.yaml")
    app.state.widgets = known_widgets(settings.templates_dir)
    app.state.settings = settings
    # Which build this is: the offline worker keeps one complete copy per build (app/web/offline.py).
    app.state.build_id = offline.build_id(settings)
    templates.env.globals["build_id"] = app.state.build_id
    # Each experiment's teacher and caches, one per app: the runs and /api/tinylm share them.
    app.state.digits = DigitsExperiment(settings.cache_dir)
    app.state.tinylm = TinyLMExperiment(settings.cache_dir)
    app.state.allowed_hosts = allowed_hosts(settings)   # start-up code may add names (app/web/hosts.py)
    app.state.allowed_hosts.update(room_hosts(settings))  # the room's address, when serving a class
    # Work too heavy for the event loop runs here, shared round-robin between client addresses.
    app.state.heavy_lane = FairLane("heavy", workers=settings.heavy_lane_workers,
                                    per_client=settings.heavy_per_client, max_waiting=settings.heavy_waiting)
    # The slider tables (milliseconds each, a class asks for hundreds) in a lane of their own, so they never
    # queue ahead of the single answers in the heavy lane (app/web/kd_operations.py TABLE_OPERATIONS).
    app.state.table_lane = FairLane("table", workers=1, per_client=settings.heavy_per_client,
                                    max_waiting=settings.heavy_waiting)
    # …and the tables' answers kept by request: a class asks for the same table from every page.
    app.state.answer_cache = AnswerCache(TABLE_CACHE_BYTES)
    app.state.compare_lane = FairLane("compare", workers=1, per_client=settings.compare_per_client,
                                      max_waiting=settings.compare_waiting)
    app.state.live_sockets = ClientLimit("live sockets", per_client=settings.live_sockets_per_client,
                                         total=settings.live_sockets_total, retry_after_s=30, what="open")
    # A class page's socket and each run it follows through the class (app/web/class_runs.py) hold a place.
    app.state.class_sockets = ClientLimit("class connections", per_client=settings.class_sockets_per_client,
                                          total=settings.class_sockets_total, retry_after_s=30, what="open")
    app.state.live_budgets = SharedBudgets(settings.live_work_per_client_per_second,
                                           settings.live_work_per_client_burst_seconds)
    app.state.wire_limits = WireLimits()     # in force once the server has taken them (app/web/server_limits.py)

    @app.get("/healthz", tags=["health"], summary="Is the server up, and on which device")
    async def get_health() -> dict[str, str]:
        """Liveness, the device runs would use by default, and the torch version."""
        return {"status": "ok", "device": resolve_device(settings.device).type, "torch": torch.__version__}

    app.include_router(api_kd.router)
    app.include_router(api_tables.router)
    app.include_router(live.router)
    app.include_router(api_runs.router)
    app.include_router(api_tinylm.router)
    app.include_router(api_predictions.router)
    app.include_router(classes.router)
    app.include_router(class_socket.router)
    app.include_router(class_runs.router)
    app.include_router(assets.router)
    app.include_router(offline.router)
    app.include_router(api_docs.router)
    api_docs.document_examples(app)
    app.include_router(pages.router)
    app.mount("/static", assets.CachedStaticFiles(directory=settings.static_dir), name="static")
    install_error_handlers(app)
    # Innermost: it sees each response as the app made it (event streams pass untouched), before
    # BoundedSend cuts a large body into pieces (app/web/compression.py).
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(offline.BuildStamp)    # X-Build on what the offline worker must match to its build
    return app


app = create_app()
