"""The Jinja environment shared by pages and lesson widgets."""
from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.content.render import DirectiveError
from app.web.assets import PLOTLY_URL, make_static_url
from app.widgets import clean_query, widget_spec

WIDGETS_DIR = Path("_partials") / "widgets"
# Sections every lesson page ends with, after the lesson's own `##` headings (templates/lesson.html).
PAGE_SECTIONS = [("key-idea", "Key idea"), ("key-terms", "Key terms"), ("check-yourself", "Check yourself")]


def make_templates(templates_dir: Path, static_dir: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(templates_dir))
    templates.env.globals.update(static_url=make_static_url(static_dir), plotly_url=PLOTLY_URL,
                                 lesson_outline=lesson_outline)
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


def lesson_outline(lesson) -> list[tuple[str, str]]:
    """(anchor, heading) of every section of a lesson's page, in order: its contents list, and what the
    reading tracker and the overview count ("read up to section 3 of 9")."""
    return [*lesson.sections, *PAGE_SECTIONS]


def course_catalogue(track) -> dict[str, list[str]]:
    """{lesson slug: [question ids]} of the published lessons: the browser's progress store sets aside
    answers to questions that are no longer asked, so they are never counted."""
    return {slug: [q.id for q in lesson.meta.quiz] for slug, lesson in track.lessons.items()}


def known_widgets(templates_dir: Path) -> set[str]:
    """A widget exists when its partial does: templates/_partials/widgets/NAME.html."""
    return {p.stem for p in (templates_dir / WIDGETS_DIR).glob("*.html")}


def widget_renderer(templates: Jinja2Templates):
    """render(name, params, uid, demo, prediction) -> the widget's HTML. The template gets `widget.spec`, the
    widget's description (app/widgets), for its title, presets and limits. A lesson's directive parameters are
    checked against it: a bad one stops start-up naming the lesson (demo links are cleaned before).
    `prediction`: a lesson's predict-then-see question on this widget (its panel is rendered with it)."""
    def render(name: str, params: dict[str, str], uid: str, demo: bool = False, prediction: dict | None = None) -> str:
        spec = widget_spec(name)
        if spec is not None:
            params, notices = clean_query(spec, params)
            if notices:
                raise DirectiveError(f"widget {name}: {' '.join(notices)}")
        template = templates.env.get_template(f"{WIDGETS_DIR.as_posix()}/{name}.html")
        return template.render(widget={"name": name, "params": params, "uid": uid, "demo": demo, "spec": spec,
                                       "prediction": prediction})

    return render
