"""`@once`: a value built on first use, once per process, however many threads ask at once.

`functools.lru_cache` lets every thread that misses build the value: sixteen job threads
starting together each decompressed the language model and read every stop-word list, 16× the
CPU, while Slack waited for acks on the same cores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from functools import wraps
from typing import TypeVar

T = TypeVar("T")


def once(build: Callable[[], T]) -> Callable[[], T]:
    lock = threading.Lock()
    built: list[T] = []

    @wraps(build)
    def get() -> T:
        if not built:
            with lock:
                if not built:  # another thread may have built it while this one waited
                    built.append(build())
        return built[0]

    return get
