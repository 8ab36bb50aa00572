"""Kill a real `articlebot serve` at one exact point: after a Slack event's job was queued,
before the event is marked handled (the store's finish_event).

    env.update(crash_hook.env(tmp_path, "bot.store.sqlite:SQLiteStore"))
    # started with start_new_session=True: the kill takes the process group (gunicorn's
    # master, its workers, the job process), once; a marker file keeps later runs alive

Or right after a store method first returns something (`die_after`), e.g. once a parked
question was taken (take_parked) and before its answer is queued:

    env.update(crash_hook.die_after(tmp_path, "bot.store.sqlite:SQLiteStore.take_parked"))

A `sitecustomize` module on PYTHONPATH (Python imports it at start-up in every process),
written for the test, patches the store class; the app's code is unchanged. It also
shortens the event lease the dying process takes, so Slack's retry (sent by the test) gets
in after seconds instead of 30.
"""

from __future__ import annotations

import os
from pathlib import Path

_HOOK = """\
import os
import signal

_marker = os.environ.get("ARTICLEBOT_TEST_CRASH_MARKER")
if _marker:
    import importlib

    from bot.slack import middleware

    middleware.LEASE_SECONDS = float(os.environ["ARTICLEBOT_TEST_CRASH_LEASE"])
    _module, _, _name = os.environ["ARTICLEBOT_TEST_CRASH_STORE"].partition(":")
    _store = getattr(importlib.import_module(_module), _name)
    _finish = _store.finish_event

    def _finish_or_die(self, event_id, ttl_seconds):
        if not os.path.exists(_marker):
            with open(_marker, "w") as marker:
                marker.write(event_id)
            os.killpg(0, signal.SIGKILL)
        return _finish(self, event_id, ttl_seconds)

    _store.finish_event = _finish_or_die
"""

# One process dies, once: the marker is created atomically by the first that gets there.
_AFTER_HOOK = """\
import os
import signal

_marker = os.environ.get("ARTICLEBOT_TEST_DIE_AFTER_MARKER")
if _marker:
    import importlib

    _module, _, _rest = os.environ["ARTICLEBOT_TEST_DIE_AFTER"].partition(":")
    _name, _, _method = _rest.partition(".")
    _cls = getattr(importlib.import_module(_module), _name)
    _original = getattr(_cls, _method)

    def _die_after(self, *args, **kwargs):
        result = _original(self, *args, **kwargs)
        if result:
            try:
                fd = os.open(_marker, os.O_WRONLY | os.O_CREAT | os.O_EXCL)
            except FileExistsError:
                return result
            os.write(fd, _method.encode())
            os.close(fd)
            os.killpg(0, signal.SIGKILL)
        return result

    setattr(_cls, _method, _die_after)
"""

ROOT = Path(__file__).resolve().parents[1]


def _hooked(hook: Path, source: str) -> str:
    """A PYTHONPATH whose sitecustomize.py (in `hook`) is `source`, then the repo."""
    hook.mkdir(parents=True, exist_ok=True)
    (hook / "sitecustomize.py").write_text(source)
    path = [str(hook), str(ROOT), os.environ.get("PYTHONPATH", "")]
    return os.pathsep.join(p for p in path if p)


def env(where: Path, store: str, *, lease_seconds: float = 2.0) -> dict[str, str]:
    """Environment for a process that dies at its first finish_event. `store`: the store
    class as "module:Name". The marker file (`where/crashed`) holds the event id once it
    has happened."""
    return {
        "PYTHONPATH": _hooked(where / "crash-hook", _HOOK),
        "ARTICLEBOT_TEST_CRASH_MARKER": str(where / "crashed"),
        "ARTICLEBOT_TEST_CRASH_LEASE": str(lease_seconds),
        "ARTICLEBOT_TEST_CRASH_STORE": store,
    }


def crashed(where: Path) -> str | None:
    """The event id the process died handling, once it has."""
    marker = where / "crashed"
    return marker.read_text() or "?" if marker.exists() else None


def die_after(where: Path, method: str) -> dict[str, str]:
    """Environment for a process group that dies (SIGKILL) right after `method` ("module:
    Class.method") first returns something truthy, in any of its processes. `crashed(where)`
    is the method's name once it has happened."""
    return {
        "PYTHONPATH": _hooked(where / "die-after-hook", _AFTER_HOOK),
        "ARTICLEBOT_TEST_DIE_AFTER_MARKER": str(where / "crashed"),
        "ARTICLEBOT_TEST_DIE_AFTER": method,
    }
