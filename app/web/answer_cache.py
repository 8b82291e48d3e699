"""A small cache of answers by request, for the slider tables.

A class following its instructor asks for the same table from every page at once (each follower fetches
the table of the slider the instructor drags, static/js/lib/tables.js), and learners loading the same
preset ask for the same tables too: tens of identical requests of up to 640 KB of answer and 25 ms of
compute each. The answers are pure functions of their requests, so one is kept, by the request's exact
JSON, while it fits in `max_bytes` (least recently used out first). Thread-safe: the lanes' threads fill it.
"""
from __future__ import annotations

import threading
from collections import OrderedDict


class AnswerCache:
    def __init__(self, max_bytes: int) -> None:
        self.max_bytes = max_bytes
        self._answers: OrderedDict[str, str] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, key: str) -> str | None:
        with self._lock:
            answer = self._answers.get(key)
            if answer is None:
                self.misses += 1
                return None
            self._answers.move_to_end(key)
            self.hits += 1
            return answer

    def put(self, key: str, answer: str) -> None:
        size = len(key) + len(answer)
        if size > self.max_bytes:
            return
        with self._lock:
            if key in self._answers:
                return
            self._answers[key] = answer
            self._bytes += size
            while self._bytes > self.max_bytes:
                old_key, old = self._answers.popitem(last=False)
                self._bytes -= len(old_key) + len(old)
