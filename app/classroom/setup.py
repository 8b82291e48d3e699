"""Class sessions as the settings ask for them: in this process, or on Redis when BREWSLM_REDIS_URL is set."""
from __future__ import annotations

from app.classroom.broker import Broker, InProcessBroker
from app.classroom.hub import Hubs
from app.classroom.questions import Catalogue, Question, builtin_questions
from app.classroom.service import Classroom, ClassLimits
from app.settings import Settings


def class_broker(settings: Settings) -> Broker:
    if settings.redis_url:
        from app.classroom.redis_broker import RedisBroker   # only imported where it is used

        return RedisBroker(settings.redis_url)
    return InProcessBroker()


def make_classroom(settings: Settings, questions: list[Question] = ()) -> tuple[Classroom, Hubs]:
    """The class rules over the right broker, with the built-in questions and `questions` (the lessons'),
    and this process's hubs. Call it inside the server's event loop."""
    limits = ClassLimits(max_classes=settings.class_max_classes, max_followers=settings.class_max_followers,
                         idle_seconds=settings.class_idle_minutes * 60, max_seconds=settings.class_max_hours * 3600,
                         failed_joins=settings.class_failed_joins, creates_per_hour=settings.class_creates_per_hour)
    classroom = Classroom(class_broker(settings), limits, Catalogue([*builtin_questions(), *questions]))
    # An expired class is noticed within a quarter of its idle time (at most 5 s) and its pages told.
    return classroom, Hubs(classroom, check_every=min(5.0, limits.idle_seconds / 4))
