"""JSON from clients, read strictly and cheaply: UTF-8 only, bounded nesting, no duplicate keys.

Used for every JSON request body (app/web/body_guard.py) and every live-socket message (app/web/live.py),
before anything is validated. Each rule turns a class of hostile input into a 4xx that names it:

- nesting: a body nested hundreds of levels deep made pydantic's error and FastAPI's 422 writer recurse
  (a 500 and a 200 KB traceback per 1 KB request). It is measured on the raw text, before parsing, with
  numpy (a Python loop over a 1 MB body would itself be a cost a client could impose).
- duplicate keys: `{"alpha": 0.1, "alpha": 0.9}` means different things to different parsers; refused.
- encoding: JSON between systems is UTF-8 (RFC 8259 §8.1); other bytes, or another declared charset, are
  refused instead of being guessed at.
"""
from __future__ import annotations

import json
import re
import sys
from email.message import Message
from typing import Any

import numpy as np

_ESCAPE = re.compile(r"\\.", re.DOTALL)                  # \" and every other escape, inside strings
_STRUCTURE = b'[]{}"'
_NOT_STRUCTURE = bytes(b for b in range(256) if b not in _STRUCTURE)


class JsonInputError(ValueError):
    """Input refused before validation; `status` is the HTTP status to answer with."""

    def __init__(self, status: int, detail: str) -> None:
        super().__init__(detail)
        self.status = status
        self.detail = detail


class JsonSyntaxError(JsonInputError):
    """Not JSON at all. Over HTTP FastAPI's own 422 names the position, so the body guard lets it through."""


def nesting_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in `text`, brackets inside strings not counted."""
    if "\\" in text:
        text = _ESCAPE.sub("", text)                       # now every " opens or closes a string
    codes = np.frombuffer(text.encode("utf-8", "surrogatepass").translate(None, _NOT_STRUCTURE), dtype=np.uint8)
    inside_string = np.cumsum(codes == ord('"')) % 2 == 1
    steps = ((codes == ord("[")) | (codes == ord("{"))).astype(np.int64)
    steps -= (codes == ord("]")) | (codes == ord("}"))
    steps[inside_string] = 0
    return int(np.cumsum(steps).max(initial=0))


def _refuse_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    obj = dict(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        duplicate = next(k for k, _ in pairs if k in seen or seen.add(k))
        raise JsonInputError(400, f"duplicate key {clip(duplicate)!r} in a JSON object: send each key once")
    return obj


def check_charset(content_type: str | None) -> None:
    """415 when a JSON body declares a charset other than UTF-8."""
    if not content_type:
        return
    message = Message()
    message["content-type"] = content_type
    charset = message.get_param("charset")
    if charset is not None and str(charset).lower().replace("-", "").replace("_", "") != "utf8":
        raise JsonInputError(415, f"JSON must be UTF-8; the body declares charset={clip(str(charset))!r}")


def decode_utf8(data: bytes) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise JsonInputError(400, f"the body is not valid UTF-8 (byte {exc.start})") from None


def parse_json(text: str, max_depth: int) -> Any:
    """The parsed value of `text`, or JsonInputError naming what is wrong with it."""
    if text.startswith("\ufeff"):
        raise JsonInputError(400, "JSON must not start with a byte-order mark")
    # Counting brackets is enough for nearly every body; the exact measure only when it might matter.
    depth = text.count("[") + text.count("{")
    if depth > max_depth and (depth := nesting_depth(text)) > max_depth:
        raise JsonInputError(400, f"JSON nested {depth} levels deep; at most {max_depth} are accepted")
    try:
        return json.loads(text, object_pairs_hook=_refuse_duplicates)
    except json.JSONDecodeError as exc:
        raise JsonSyntaxError(400, f"not JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except JsonInputError:
        raise                # a duplicate key (_refuse_duplicates): itself a ValueError
    except ValueError:       # an integer longer than Python reads (sys.get_int_max_str_digits(), 4300)
        raise JsonInputError(400, f"a number in the JSON has more than {sys.get_int_max_str_digits()} digits") from None
    except RecursionError:   # unreachable below the depth limit; kept so parsing can never raise it
        raise JsonInputError(400, f"JSON nested more than {max_depth} levels deep") from None


def clip(text: str, limit: int = 80) -> str:
    """At most `limit` characters of client text, for echoing it back in a message."""
    return text if len(text) <= limit else f"{text[:limit]}… ({len(text)} characters)"
