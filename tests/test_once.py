"""`@once` builds its value a single time even when many threads ask together."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from bot.once import once


def test_many_threads_asking_at_once_build_the_value_once() -> None:
    builds = []
    start = threading.Barrier(16)

    @once
    def model() -> object:
        builds.append(1)
        time.sleep(0.2)  # slow to build: every thread arrives while it is being built
        return object()

    def ask() -> object:
        start.wait()
        return model()

    with ThreadPoolExecutor(16) as pool:
        results = list(pool.map(lambda _: ask(), range(16)))
    assert len(builds) == 1
    assert all(result is results[0] for result in results)
