"""Lessons as plain files: an ordered manifest plus one Markdown file per lesson with its quiz."""
from app.content.loader import LessonError, Track, load_track
from app.content.model import Lesson

__all__ = ["Lesson", "LessonError", "Track", "load_track"]
