"""Class sessions over HTTP: start one, join one (pages), and the join QR code.

    POST /api/classes {widget, state} → 201 {code, display_code, join_url, qr_url, control, …}
    GET  /join, /join?code=…          the type-the-code page (a good code redirects to /join/{code})
    GET  /join/{code}                 the explorer in follow mode (the QR code's target)
    GET  /api/classes/{code}/qr.svg   the join link as a QR code, drawn here with segno

The live part (leading, following, questions) is one WebSocket per page: app/web/class_socket.py.
"""
from __future__ import annotations

import io
import json
from typing import Annotated, Any

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import BaseModel, Field

from app.classroom.broker import BrokerUnavailable
from app.classroom.codes import MAX_TYPED, display_code
from app.classroom.questions import Catalogue
from app.classroom.service import Classroom, ClassError, ClassInfo, ClassInvalid
from app.web.clients import client_address
from app.web.deps import SettingsDep, TemplatesDep
from app.web.room import room_address
from app.web.schemas import StrictBody
from app.web.templating import widget_renderer
from app.widgets import widget_spec

router = APIRouter()


def get_classroom(request: Request) -> Classroom:
    return request.app.state.classroom


ClassroomDep = Annotated[Classroom, Depends(get_classroom)]


def class_error_response(exc: ClassError) -> JSONResponse:
    """422s read like FastAPI's (naming the field); the others carry a sentence and, for 429, Retry-After."""
    if isinstance(exc, ClassInvalid):
        loc = ["body", *exc.field.split(".")]
        return JSONResponse({"detail": [{"type": "value_error", "loc": loc, "msg": str(exc)}]}, status_code=422)
    headers = {"Retry-After": str(int(exc.retry_after))} if exc.retry_after else None
    return JSONResponse({"detail": str(exc)}, status_code=exc.status, headers=headers)


UNAVAILABLE = "Class sessions are unavailable: the server cannot reach its Redis. Try again in a moment."


class ClassCreate(StrictBody):
    widget: str = Field(max_length=40, description="the demo widget to teach with, e.g. temperature")
    state: dict[str, Any] = Field(description="the widget's state, as its registry describes it (app/widgets)")


class ClassCreated(BaseModel):
    code: str
    display_code: str
    join_url: str
    qr_url: str
    control: str = Field(description="the instructor's secret: keep it in the instructor's page only")
    widget: str
    reachable: bool = Field(description="false when only this computer can open join_url")
    address_note: str
    idle_minutes: float


@router.post("/api/classes", status_code=201, response_model=ClassCreated, tags=["classes"],
             summary="Start a class session on an explorer",
             responses={422: {"description": "a bad widget or state, naming the field"},
                        429: {"description": "too many classes (server or client)"}, 503: {}})
async def post_class(body: ClassCreate, request: Request, response: Response, classroom: ClassroomDep,
                     settings: SettingsDep):
    """Start a class session on a widget; the answer's `control` lets only the instructor's page lead it."""
    try:
        info, control = await classroom.create(body.widget, body.state, client_address(request.scope))
    except ClassError as exc:
        return class_error_response(exc)
    except BrokerUnavailable:
        return JSONResponse({"detail": UNAVAILABLE}, status_code=503)
    address = room_address(request, settings)
    response.headers["Cache-Control"] = "no-store"     # it carries the instructor's secret
    return ClassCreated(code=info.code, display_code=display_code(info.code),
                        join_url=f"{address.base}/join/{info.code}", qr_url=f"/api/classes/{info.code}/qr.svg",
                        control=control, widget=info.widget, reachable=address.reachable,
                        address_note=address.note, idle_minutes=settings.class_idle_minutes)


async def find_class(classroom: Classroom, code: str, request: Request) -> ClassInfo | Response:
    try:
        return await classroom.find(code, client_address(request.scope))
    except ClassError as exc:
        return class_error_response(exc)
    except BrokerUnavailable:
        return JSONResponse({"detail": UNAVAILABLE}, status_code=503)


@router.get("/api/classes/{code}/qr.svg", tags=["classes"], response_class=Response,
            summary="A class's join link as a QR code (SVG)",
            responses={200: {"content": {"image/svg+xml": {}}}, 404: {}, 429: {}})
async def get_class_qr(code: str, request: Request, classroom: ClassroomDep, settings: SettingsDep) -> Response:
    """The class's join link as a QR code (SVG), for the projector."""
    found = await find_class(classroom, code, request)
    if isinstance(found, Response):
        return found
    link = f"{room_address(request, settings).base}/join/{found.code}"
    svg = io.BytesIO()
    # Dark on light with a quiet zone: what phone cameras read best, whatever the page's theme.
    segno.make(link, error="m").save(svg, kind="svg", scale=8, border=4, dark="#000", light="#fff",
                                     title=f"Join link: {link}", svgclass="join-qr", xmldecl=False)
    return Response(svg.getvalue(), media_type="image/svg+xml", headers={"Cache-Control": "no-store"})


@router.get("/join", response_class=HTMLResponse, include_in_schema=False)
async def get_join(request: Request, templates: TemplatesDep, classroom: ClassroomDep,
                   code: str | None = None):
    """Type the class code; a good one goes on to /join/{code}. Anything else typed or pasted, however
    long, gets this page back saying what is wrong (a wrong code counts toward the client's limit)."""
    message, status = None, 200
    if code is not None:
        found = await find_class(classroom, code, request)
        if isinstance(found, ClassInfo):
            return RedirectResponse(f"/join/{found.code}", status_code=303)
        message, status = json.loads(found.body)["detail"], found.status_code
    return _join_page(request, templates, message, code or "", status)


def _join_page(request: Request, templates, message: str | None, typed: str, status: int) -> HTMLResponse:
    """The type-the-code page, saying what was wrong with what was typed (shown back, clipped)."""
    return templates.TemplateResponse(request, "join.html", {"message": message, "typed": typed[:MAX_TYPED]},
                                      status_code=status)


@router.get("/join/{code}", response_class=HTMLResponse, include_in_schema=False)
async def get_join_class(code: str, request: Request, templates: TemplatesDep, classroom: ClassroomDep):
    """The instructor's explorer in follow mode: it shows what the projector shows until the learner
    chooses to explore on their own."""
    found = await find_class(classroom, code, request)
    if not isinstance(found, ClassInfo):
        return _join_page(request, templates, json.loads(found.body)["detail"], code, found.status_code)
    spec = widget_spec(found.widget)
    state_frame = await classroom.latest_state(found.code)
    state = json.loads(state_frame)["state"] if state_frame else {}
    params = {key: spec.param(key).format(value) for key, value in state.items()}
    html = widget_renderer(templates)(found.widget, params, f"{found.widget}-1", demo=True)
    return templates.TemplateResponse(request, "follow.html", {
        "spec": spec, "widget": found.widget, "widget_html": html, "code": found.code,
        "display_code": display_code(found.code)})


def class_setup(widget: str, catalogue: Catalogue) -> dict[str, Any] | None:
    """What a demo page's "Start a class" needs: the widget, its questions and the sliders a free question
    can be answered with; None when a class cannot follow this widget."""
    spec = widget_spec(widget)
    if spec is None or not spec.classroom:
        return None
    return {"widget": widget, "questions": [q.summary() for q in catalogue.for_widget(widget)],
            "sliders": [{"param": key, "label": p.label} for key, p in spec.sliders().items()]}
