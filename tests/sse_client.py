"""A minimal Server-Sent Events reader for tests and benchmarks (httpx streaming response in)."""
from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass

import httpx


@dataclass
class SSEvent:
    id: int | None
    event: str
    data: dict


def read_events(response: httpx.Response) -> Iterator[SSEvent]:
    """Parse the stream into events as lines arrive; comments (keep-alives) and retry lines are skipped."""
    fields: dict[str, str] = {}
    for line in response.iter_lines():
        if line == "":
            if "data" in fields:
                yield SSEvent(int(fields["id"]) if "id" in fields else None, fields.get("event", "message"),
                              json.loads(fields["data"]))
            fields = {}
        elif not line.startswith(":"):
            name, _, value = line.partition(":")
            fields[name] = value[1:] if value.startswith(" ") else value


def follow(client: httpx.Client, events_url: str, *, last_event_id: int | None = None) -> list[SSEvent]:
    """All events of a run up to its end (done, error or cancelled)."""
    headers = {"Last-Event-ID": str(last_event_id)} if last_event_id is not None else {}
    with client.stream("GET", events_url, headers=headers) as response:
        response.raise_for_status()
        return list(read_events(response))
