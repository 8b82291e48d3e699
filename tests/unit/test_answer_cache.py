"""The table cache: answers by request, least recently used out first once past its size."""
from __future__ import annotations

import threading

from app.web.answer_cache import AnswerCache


def test_an_answer_is_kept_by_its_request_and_counted():
    cache = AnswerCache(1_000)
    assert cache.get("a") is None
    cache.put("a", "x" * 10)
    assert cache.get("a") == "x" * 10
    assert (cache.hits, cache.misses) == (1, 1)


def test_past_its_size_the_least_recently_used_goes_first():
    cache = AnswerCache(100)                       # each entry below: 1 + 39 = 40 bytes
    for key in "ab":
        cache.put(key, key * 39)
    assert cache.get("a") == "a" * 39             # a is now the more recent
    cache.put("c", "c" * 39)                       # 120 > 100: b goes
    assert cache.get("b") is None
    assert cache.get("a") == "a" * 39 and cache.get("c") == "c" * 39


def test_an_answer_larger_than_the_cache_is_not_kept():
    cache = AnswerCache(50)
    cache.put("big", "x" * 60)
    assert cache.get("big") is None


def test_threads_filling_it_at_once_keep_its_size():
    cache = AnswerCache(5_000)

    def fill(n: int) -> None:
        for i in range(300):
            cache.put(f"{n}-{i}", "y" * 90)
            cache.get(f"{n}-{i // 2}")

    threads = [threading.Thread(target=fill, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    kept = cache._answers                          # noqa: SLF001 - the invariant is about what it holds
    assert sum(len(k) + len(v) for k, v in kept.items()) == cache._bytes <= 5_000
