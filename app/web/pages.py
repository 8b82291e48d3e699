"""HTML pages: the track overview, lessons, the glossary and the presenter (demo) views."""
from __future__ import annotations

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse

from app.web.classes import class_setup
from app.web.demo_sequence import SEQ_KEY, clean_sequence
from app.web.deps import TemplatesDep, TrackDep
from app.web.templating import widget_renderer
from app.widgets import WIDGETS, clean_query

router = APIRouter(include_in_schema=False)

# Widgets that have a full-screen presenter view at /demo/{name}.
DEMO_WIDGETS = tuple(name for name, spec in WIDGETS.items() if spec.demo)


@router.get("/", response_class=HTMLResponse)
async def get_overview(request: Request, track: TrackDep, templates: TemplatesDep):
    """The track's lessons in order, with each learner's progress filled in from their browser."""
    return templates.TemplateResponse(request, "index.html", {"track": track})


@router.get("/lessons/{slug}", response_class=HTMLResponse)
async def get_lesson(slug: str, request: Request, track: TrackDep, templates: TemplatesDep):
    """One lesson: its text, widgets and Check-yourself quiz."""
    lesson = track.lesson(slug)
    if lesson is None:
        entry = track.entry(slug)
        raise HTTPException(404, f"“{entry.title}” is not published yet." if entry else
                            f"There is no lesson called “{slug}”.")
    previous, following = track.neighbours(slug)
    prerequisites = [track.entry(p) for p in lesson.meta.prerequisites]
    glossary = request.app.state.glossary
    return templates.TemplateResponse(request, "lesson.html", {
        "track": track, "lesson": lesson, "previous": previous, "next": following,
        "prerequisites": prerequisites,
        "body_html": glossary.woven_html[slug], "terms": glossary.used_in(slug),
        "quiz_data": [q.model_dump() for q in lesson.meta.quiz],
    })


@router.get("/glossary", response_class=HTMLResponse)
async def get_glossary(request: Request, track: TrackDep, templates: TemplatesDep):
    """Every term of the track in reading order, grouped by letter, each with where it is taught and used."""
    entries = request.app.state.glossary.entries
    letters = {letter: [e for e in entries if e.sort_key[:1].upper() == letter]
               for letter in dict.fromkeys(e.sort_key[:1].upper() for e in entries)}
    return templates.TemplateResponse(request, "glossary.html", {"track": track, "letters": letters})


@router.get("/demo/{widget}", response_class=HTMLResponse)
async def get_demo(widget: str, request: Request, templates: TemplatesDep):
    """One explorer full screen for a projector; its state lives in the query string."""
    if widget not in DEMO_WIDGETS or widget not in request.app.state.widgets:
        raise HTTPException(404, f"There is no demo called “{widget}”. Demos: {', '.join(DEMO_WIDGETS)}.")
    # Validated like API input: a bad value is dropped (the widget uses its default) and named on the page.
    spec = WIDGETS[widget]
    params, notices = clean_query(spec, {k: v for k, v in request.query_params.items() if k != SEQ_KEY})
    sequence, sequence_notices = clean_sequence(spec, request.query_params)   # a presenter's saved steps
    render = widget_renderer(templates)
    html = render(widget, params, f"{widget}-1", demo=True)
    setup = class_setup(widget, request.app.state.classroom.catalogue)
    return templates.TemplateResponse(request, "demo.html", {"widget": widget, "spec": spec, "widget_html": html,
                                                             "param_notices": notices + sequence_notices,
                                                             "sequence": sequence, "class_setup": setup})
