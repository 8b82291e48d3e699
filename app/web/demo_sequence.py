"""A presenter's saved sequence of views in a demo link, stepped with PageDown / PageUp (static/js/demo/).

Each view is one `seq` parameter holding a query string of its own, `seq=T%3D2%26caption%3DSofter`: the
state it shows, over the link's own state, and a one-line caption. Every step is cleaned exactly like
the link itself (app/widgets/state.py): a bad value is dropped, and the page says which and why.
"""
from __future__ import annotations

from urllib.parse import parse_qsl

from starlette.datastructures import QueryParams

from app.widgets import WidgetSpec, clean_query

SEQ_KEY = "seq"
CAPTION_KEY = "caption"
MAX_STEPS = 24
MAX_CAPTION = 160
MAX_FIELDS = 16


def clean_sequence(spec: WidgetSpec, query: QueryParams) -> tuple[list[dict], list[str]]:
    """([{"params": {...}, "caption": "..."}, ...], one sentence per thing that was ignored)."""
    values = query.getlist(SEQ_KEY)
    notices: list[str] = []
    if len(values) > MAX_STEPS:
        notices.append(f"Ignored steps after the {MAX_STEPS}th: a sequence holds at most {MAX_STEPS}.")
        values = values[:MAX_STEPS]
    steps = []
    for number, text in enumerate(values, start=1):
        try:
            pairs = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
        except ValueError:
            notices.append(f"Ignored step {number}: it has more than {MAX_FIELDS} settings.")
            continue
        caption = " ".join(dict(pairs).get(CAPTION_KEY, "").split())
        if len(caption) > MAX_CAPTION:
            notices.append(f"Step {number}: its caption was cut to {MAX_CAPTION} characters.")
            caption = caption[:MAX_CAPTION]
        params, step_notices = clean_query(spec, {k: v for k, v in pairs if k != CAPTION_KEY})
        notices += [f"Step {number}: {message}" for message in step_notices]
        steps.append({"params": params, "caption": caption})
    return steps, notices
