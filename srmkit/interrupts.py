"""Ctrl-C and SIGTERM: one handler that ends a run as Ctrl-C does, and the flag it leaves.

Kept apart from the report machinery so that the command line can install the handler at start-up
without importing it.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import Callable
from types import FrameType

INTERRUPTED = threading.Event()
"""Set by :func:`interrupt`: the run was asked to stop."""

IMPORT_MACHINERY = "<frozen importlib"
RESIGNAL_S = 0.02
"""How long to wait before sending a signal again that landed in the import system. [s]"""

_STOPPERS: dict[int, Callable[[], None]] = {}
"""What :func:`interrupt` calls first, by key: each kills a child process tree of the run (a
browser that no longer answers would otherwise hold the interrupted run until its timeout)."""


def on_interrupt(stop: Callable[[], None]) -> Callable[[], None]:
    """Call ``stop`` when the run is interrupted (in the signal handler: it must only send
    signals, never wait or take a lock). Returns the function that unregisters it."""
    key = id(stop)
    _STOPPERS[key] = stop

    def remove() -> None:
        _STOPPERS.pop(key, None)

    return remove


def interrupt(signum: int, frame: FrameType | None) -> None:
    """Signal handler for SIGINT and SIGTERM: end the run as Ctrl-C does.

    The flag survives code that turns the KeyboardInterrupt into another exception (a bare
    ``except:`` in a library), so the run still stops instead of counting a failed file. The
    child processes registered with :func:`on_interrupt` are killed at once, so that nothing
    waits on a browser that stopped answering.
    """
    INTERRUPTED.set()
    for stop in list(_STOPPERS.values()):
        with contextlib.suppress(Exception):  # a process already gone: nothing to stop
            stop()
    if frame is not None and frame.f_code.co_filename.startswith(IMPORT_MACHINERY):
        # Never inside the import system's own bookkeeping: a KeyboardInterrupt there can leave
        # the import lock held, and every later import (in the browser's or a kernel client's
        # thread) then waits for ever. The signal comes again in a moment.
        threading.Timer(RESIGNAL_S, os.kill, (os.getpid(), signum)).start()
        return
    raise KeyboardInterrupt
