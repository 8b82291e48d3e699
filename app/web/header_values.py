"""Header values read totally: every value a client can send gives a number or a 4xx, never an exception.

`str.isdigit` accepts "²" and "٣", which `int` refuses, and `int` refuses more than 4,300 digits: both
were 500s. A value here is plain ASCII digits of a bounded length, or it is refused by name.
"""
from __future__ import annotations

from fastapi import HTTPException

MAX_DIGITS = 18          # below 2**63: every id and length this server deals in


def plain_number(value: str) -> int | None:
    """The value of 1–18 ASCII digits; None for anything else."""
    if 0 < len(value) <= MAX_DIGITS and value.isascii() and value.isdigit():
        return int(value)
    return None


def event_id_after(last_event_id: str | None) -> int:
    """Last-Event-ID as the event id to resume after: 0 when absent or empty, 400 when not an id at all."""
    if not last_event_id:
        return 0
    value = plain_number(last_event_id.strip())
    if value is None:
        raise HTTPException(400, "Last-Event-ID must be the id of an event this server sent (a whole number)")
    return value
