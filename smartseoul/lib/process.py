"""Process supervision helpers (Linux)."""

from __future__ import annotations

import os
import signal
import sys

SERVER_PID = "SMARTSEOUL_SERVER_PID"  # set by `smartseoul serve` for its worker processes


def die_with_parent(parent_pid: int | None = None) -> None:
    """Asks the kernel to SIGKILL this process when its parent dies (even by SIGKILL), so no
    orphan goes on serving or working with nobody to stop it. `parent_pid`: the parent expected;
    if it is already gone, exit now. Does nothing outside Linux."""
    if sys.platform != "linux":
        return
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL)
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)
