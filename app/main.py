"""The application factory: `create_app(settings)`; `app = create_app()` is what uvicorn serves."""
from __future__ import annotations

from contextlib import asynccontextmanager

import torch
from fastapi import FastAPI

from app.content import load_track
from app.device import resolve_device, use_one_cpu_thread
from app.settings import Settings, get_settings
from app.classroom.broker import Broker, InProcessBroker
from app.classroom.hub import Hubs
from app.classroom.service import Classroom, ClassLimits
from app.web import api_kd, api_runs, api_tinylm, assets, class_socket, classes, live, pages
from app.web.errors import install_error_handlers
from app.web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.web.templating import known_widgets, make_templates, widget_renderer


def class_broker(settings: Settings) -> Broker:
    """Class sessions in this process, or on Redis when BREWSLM_REDIS_URL is set (several processes)."""
    if settings.redis_url:
        from app.classroom.redis_broker import RedisBroker

        return RedisBroker(settings.redis_url)
    return InProcessBroker()


def class_limits(settings: Settings) -> ClassLimits:
    return ClassLimits(max_classes=settings.class_max_classes, max_followers=settings.class_max_followers,
                       idle_seconds=settings.class_idle_minutes * 60, max_seconds=settings.class_max_hours * 3600,
                       failed_joins=settings.class_failed_joins, creates_per_hour=settings.class_creates_per_hour)


@asynccontextmanager
async def lifespan(app: FastAPI):
    # The broker's connections belong to the server's event loop: made here, closed here.
    app.state.classroom = Classroom(class_broker(app.state.settings), class_limits(app.state.settings))
    # An expired class is noticed within a quarter of its idle time (at most 5 s) and its pages told.
    app.state.class_hubs = Hubs(app.state.classroom, check_every=min(5.0, app.state.settings.class_idle_minutes * 15))
    try:
        yield
    finally:
        await app.state.class_hubs.close()
        await app.state.classroom.broker.close()


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    use_one_cpu_thread()  # tiny tensors: a second intra-op thread only spin-waits (see app/device.py)
    app = FastAPI(title="BrewSLM Learn", version="0.1.0", lifespan=lifespan,
                  description="Interactive lessons on knowledge distillation, with the real PyTorch KD loss.")
    app.dependency_overrides[get_settings] = lambda: settings

    templates = make_templates(settings.templates_dir, settings.static_dir)
    # Lessons are parsed once, here: a bad lesson file stops start-up with a message naming it.
    app.state.track = load_track(settings.lessons_dir, widget_renderer(templates), known_widgets(settings.templates_dir))
    app.state.templates = templates
    app.state.widgets = known_widgets(settings.templates_dir)
    app.state.settings = settings

    @app.get("/healthz", tags=["health"])
    async def get_health() -> dict[str, str]:
        """Liveness, the device runs would use by default, and the torch version."""
        return {"status": "ok", "device": resolve_device(settings.device).type, "torch": torch.__version__}

    app.include_router(api_kd.router)
    app.include_router(live.router)
    app.include_router(api_runs.router)
    app.include_router(api_tinylm.router)
    app.include_router(classes.router)
    app.include_router(class_socket.router)
    app.include_router(assets.router)
    app.include_router(pages.router)
    app.mount("/static", assets.CachedStaticFiles(directory=settings.static_dir), name="static")
    install_error_handlers(app)

    # Outermost last: the size limit runs first, and every response (errors included) gets the headers.
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


app = create_app()
