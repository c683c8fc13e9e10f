"""Ctrl-C and SIGTERM: one handler that ends a run as Ctrl-C does, and the flag it leaves.

Kept apart from the report machinery so that the command line can install the handler at start-up
without importing it.
"""

from __future__ import annotations

import os
import threading
from types import FrameType

INTERRUPTED = threading.Event()
"""Set by :func:`interrupt`: the run was asked to stop."""

IMPORT_MACHINERY = "<frozen importlib"
RESIGNAL_S = 0.02
"""How long to wait before sending a signal again that landed in the import system. [s]"""


def interrupt(signum: int, frame: FrameType | None) -> None:
    """Signal handler for SIGINT and SIGTERM: end the run as Ctrl-C does.

    The flag survives code that turns the KeyboardInterrupt into another exception (a bare
    ``except:`` in a library), so the run still stops instead of counting a failed file.
    """
    INTERRUPTED.set()
    if frame is not None and frame.f_code.co_filename.startswith(IMPORT_MACHINERY):
        # Never inside the import system's own bookkeeping: a KeyboardInterrupt there can leave
        # the import lock held, and every later import (in the browser's or a kernel client's
        # thread) then waits for ever. The signal comes again in a moment.
        threading.Timer(RESIGNAL_S, os.kill, (os.getpid(), signum)).start()
        return
    raise KeyboardInterrupt
