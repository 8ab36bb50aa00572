"""What one worker process does in the store race tests; a module of its own so a spawned
process imports only the store, not the test module (seconds of imports saved)."""

from __future__ import annotations

from typing import Any

from bot.store import RedisStore, SQLiteStore


def claim_and_mark(spec: tuple[str, str, str], barrier: Any, results: Any) -> None:
    """Open a store on the shared file or server, wait for the others, then race them."""
    backend, where, prefix = spec
    store = SQLiteStore(where) if backend == "sqlite" else RedisStore.from_url(where, prefix=prefix)
    with store:
        barrier.wait()
        won = [store.claim_event(f"Ev{n}", 60) for n in range(20)]
        marked = store.mark_job_once("J1", "posted", "x")
    results.put((won, marked))
