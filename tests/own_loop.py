"""Run an async test in an event loop of its own, on a thread of its own.

The browser tests' Playwright (sync API) keeps an event loop running on the main thread for the whole
session, and asyncio refuses to start a second one there; a test thread has no such loop.
"""
from __future__ import annotations

import asyncio
import functools
from concurrent.futures import ThreadPoolExecutor


def own_loop(test):
    @functools.wraps(test)
    def run(*args, **kwargs):
        with ThreadPoolExecutor(max_workers=1) as pool:
            return pool.submit(asyncio.run, test(*args, **kwargs)).result()

    return run
