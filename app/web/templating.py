"""The Jinja environment shared by pages and lesson widgets."""
from __future__ import annotations

from pathlib import Path

from fastapi.templating import Jinja2Templates

from app.web.assets import PLOTLY_URL, make_static_url

WIDGETS_DIR = Path("_partials") / "widgets"


def make_templates(templates_dir: Path, static_dir: Path) -> Jinja2Templates:
    templates = Jinja2Templates(directory=str(templates_dir))
    templates.env.globals.update(static_url=make_static_url(static_dir), plotly_url=PLOTLY_URL)
    templates.env.trim_blocks = True
    templates.env.lstrip_blocks = True
    return templates


def course_catalogue(track) -> dict[str, list[str]]:
    """{lesson slug: [question ids]} of the published lessons: the browser's progress store sets aside
    answers to questions that are no longer asked, so they are never counted."""
    return {slug: [q.id for q in lesson.meta.quiz] for slug, lesson in track.lessons.items()}


def known_widgets(templates_dir: Path) -> set[str]:
    """A widget exists when its partial does: templates/_partials/widgets/NAME.html."""
    return {p.stem for p in (templates_dir / WIDGETS_DIR).glob("*.html")}


def widget_renderer(templates: Jinja2Templates):
    def render(name: str, params: dict[str, str], uid: str, demo: bool = False) -> str:
        template = templates.env.get_template(f"{WIDGETS_DIR.as_posix()}/{name}.html")
        return template.render(widget={"name": name, "params": params, "uid": uid, "demo": demo})

    return render
