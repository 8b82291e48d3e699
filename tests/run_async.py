"""Run a coroutine to its end from a test, on a thread of its own.

Playwright's sync API leaves an event loop running in the main thread after the browser tests, where
asyncio.run() then refuses to start; a fresh thread has no loop.
"""
from __future__ import annotations

import asyncio
import functools
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def own_loop(test):
    """Decorate an async test to run it with run_async (pytest sees a plain function with its fixtures)."""
    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> Any:
        return run_async(test(*args, **kwargs))

    return run
