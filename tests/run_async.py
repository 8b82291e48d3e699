"""Run a coroutine to its end from a test, on a thread of its own.

Playwright's sync API leaves an event loop running in the main thread after the browser tests, where
asyncio.run() then refuses to start; a fresh thread has no loop.
"""
from __future__ import annotations

import asyncio
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")


def run_async(coroutine: Coroutine[Any, Any, T]) -> T:
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()
