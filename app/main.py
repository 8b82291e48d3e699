"""The application factory: `create_app(settings)`; `app = create_app()` is what uvicorn serves."""
from __future__ import annotations

import torch
from fastapi import FastAPI

from app.content import load_track
from app.device import resolve_device, use_one_cpu_thread
from app.settings import Settings, get_settings
from app.web import api_kd, api_runs, api_tinylm, assets, live, pages
from app.web.compression import CompressionMiddleware
from app.web.errors import install_error_handlers
from app.web.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.web.templating import known_widgets, make_templates, widget_renderer


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    use_one_cpu_thread()  # tiny tensors: a second intra-op thread only spin-waits (see app/device.py)
    app = FastAPI(title="BrewSLM Learn", version="0.1.0",
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
    app.include_router(assets.router)
    app.include_router(pages.router)
    app.mount("/static", assets.CachedStaticFiles(directory=settings.static_dir), name="static")
    install_error_handlers(app)

    # Outermost last: the size limit runs first, and every response (errors included) gets the headers.
    # Compression is innermost: it sees each response as the app made it (event streams pass untouched).
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware)
    return app


app = create_app()
