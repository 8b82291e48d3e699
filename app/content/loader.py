"""Load the track manifest and every lesson file at start-up; a bad file stops the app with its reason.

`lessons/track-N.yaml` lists the track's lessons in order. A lesson with a `file` is published; one
without is announced as coming (shown, never linked), so a prerequisite is a link only when its lesson
exists.
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.content.claims import UnknownClaim, fill_claims
from app.content.model import SLUG, FrontMatter, Lesson, Prediction
from app.content.read_time import read_time
from app.content.render import DirectiveError, WidgetRenderer, render_markdown

# Checks a prediction's `truth` against the server's computations: None when it fits, else why not.
# The web layer supplies it (app/web/predictions.py), so content imports nothing from web.
TruthCheck = Callable[[Prediction], str | None]


class LessonError(Exception):
    """A lesson or manifest file is wrong; the message names the file and the field."""


class ManifestEntry(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str = Field(pattern=r"^\d+\.\d+$")
    slug: str = Field(pattern=SLUG)
    title: str = Field(min_length=1)
    summary: str = Field(min_length=1)
    file: str | None = None


class Manifest(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    track: int = Field(ge=1)
    title: str = Field(min_length=1)
    lessons: list[ManifestEntry] = Field(min_length=1)


@dataclass(frozen=True)
class Track:
    number: int
    title: str
    entries: list[ManifestEntry]
    lessons: dict[str, Lesson]          # published lessons by slug

    def lesson(self, slug: str) -> Lesson | None:
        return self.lessons.get(slug)

    def neighbours(self, slug: str) -> tuple[ManifestEntry | None, ManifestEntry | None]:
        slugs = [e.slug for e in self.entries]
        i = slugs.index(slug)
        return (self.entries[i - 1] if i > 0 else None,
                self.entries[i + 1] if i + 1 < len(self.entries) else None)

    def entry(self, slug: str) -> ManifestEntry | None:
        return next((e for e in self.entries if e.slug == slug), None)


def split_front_matter(text: str, path: Path) -> tuple[dict, str]:
    if not text.startswith("---\n"):
        raise LessonError(f"{path}: must start with a '---' line of YAML front matter")
    end = text.find("\n---\n", 4)
    if end < 0:
        raise LessonError(f"{path}: front matter has no closing '---' line")
    try:
        meta = yaml.safe_load(text[4:end])
    except yaml.YAMLError as exc:
        raise LessonError(f"{path}: front matter is not valid YAML: {exc}") from None
    if not isinstance(meta, dict):
        raise LessonError(f"{path}: front matter must be a mapping")
    return meta, text[end + 5:]


def _describe(exc: ValidationError) -> str:
    return "; ".join(f"{'.'.join(str(p) for p in e['loc']) or '(root)'}: {e['msg']}" for e in exc.errors())


def _fill(value: Any, used: set[str]) -> Any:
    """Computed claims ({{name}}) in every string of the front matter."""
    if isinstance(value, str):
        return fill_claims(value, used)
    if isinstance(value, list):
        return [_fill(v, used) for v in value]
    if isinstance(value, dict):
        return {k: _fill(v, used) for k, v in value.items()}
    return value


def _prediction_renderer(meta: FrontMatter, render_widget: WidgetRenderer, placed: list[str]) -> WidgetRenderer:
    """Widgets with `predict=ID` get their prediction (from the front matter) to render its panel."""
    predictions = {p.id: p for p in meta.predictions}

    def render(name: str, params: dict[str, str], uid: str) -> str:
        pid = params.get("predict")
        if pid is None:
            return render_widget(name, params, uid)
        prediction = predictions.get(pid)
        if prediction is None:
            raise DirectiveError(f"widget {name!r} asks for prediction {pid!r}, which the front matter does not "
                                 f"define (predictions: {sorted(predictions)})")
        if prediction.widget != name:
            raise DirectiveError(f"prediction {pid!r} is for widget {prediction.widget!r}, not {name!r}")
        placed.append(pid)
        # `predict` is the lesson's, not a setting of the widget's state: the widget gets the prediction itself.
        state = {k: v for k, v in params.items() if k != "predict"}
        return render_widget(name, state, uid, prediction=prediction.model_dump())

    return render


def load_lesson(path: Path, render_widget: WidgetRenderer, known_widgets: set[str],
                check_truth: TruthCheck | None = None) -> Lesson:
    meta_raw, body = split_front_matter(path.read_text(encoding="utf-8"), path)
    used: set[str] = set()
    try:
        meta_raw, body = _fill(meta_raw, used), fill_claims(body, used)
    except UnknownClaim as exc:
        raise LessonError(f"{path}: {{{{{exc.args[0]}}}}} is not a computed claim (app/content/claims.py)") from None
    try:
        meta = FrontMatter.model_validate(meta_raw)
    except ValidationError as exc:
        raise LessonError(f"{path}: {_describe(exc)}") from None
    for prediction in meta.predictions:
        problem = check_truth(prediction) if check_truth else None
        if problem:
            raise LessonError(f"{path}: predictions.{prediction.id}: {problem}")
    placed: list[str] = []
    try:
        rendered = render_markdown(body, _prediction_renderer(meta, render_widget, placed), known_widgets)
    except DirectiveError as exc:
        raise LessonError(f"{path}: {exc}") from None
    unplaced = [p.id for p in meta.predictions if placed.count(p.id) != 1]
    if unplaced:
        raise LessonError(f"{path}: each prediction must be placed on exactly one widget (predict=ID); "
                          f"not so for {unplaced}")
    extra = [meta.objective, meta.key_idea, *(f"{t.term} {t.definition}" for t in meta.key_terms)]
    timing = read_time(body, extra, widgets=rendered.placements, questions=len(meta.quiz))
    return Lesson(meta=meta, body_html=rendered.html, sections=rendered.sections, widgets=rendered.widgets,
                  read_time=timing, claims_used=frozenset(used))


def load_track(lessons_dir: Path, render_widget: WidgetRenderer, known_widgets: set[str],
               manifest_name: str = "track-4.yaml", check_truth: TruthCheck | None = None) -> Track:
    manifest_path = lessons_dir / manifest_name
    try:
        manifest = Manifest.model_validate(yaml.safe_load(manifest_path.read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise LessonError(f"{manifest_path}: manifest not found") from None
    except ValidationError as exc:
        raise LessonError(f"{manifest_path}: {_describe(exc)}") from None

    lessons: dict[str, Lesson] = {}
    for entry in manifest.lessons:
        if entry.file is None:
            continue
        lesson = load_lesson(lessons_dir / entry.file, render_widget, known_widgets, check_truth)
        for field in ("id", "slug", "title"):
            if getattr(lesson.meta, field) != getattr(entry, field):
                raise LessonError(f"{lessons_dir / entry.file}: {field} {getattr(lesson.meta, field)!r} "
                                  f"differs from the manifest's {getattr(entry, field)!r}")
        lessons[entry.slug] = lesson

    slugs = {e.slug for e in manifest.lessons}
    for lesson in lessons.values():
        unknown = [p for p in lesson.meta.prerequisites if p not in slugs]
        if unknown:
            raise LessonError(f"{lesson.slug}: prerequisites not in the track: {unknown}")
    return Track(number=manifest.track, title=manifest.title, entries=list(manifest.lessons), lessons=lessons)
