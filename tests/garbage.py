"""What a piece of work leaves behind in reference cycles: a check runs with the cyclic garbage
collector paused, so whatever it no longer needs must go by reference counting alone."""

from __future__ import annotations

import gc
from collections.abc import Callable


def left_in_cycles(work: Callable[[], None]) -> set[str]:
    """The types of the objects ``work`` leaves in unreachable cycles (the collector paused
    meanwhile, as in a check)."""
    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        work()
        gc.collect()
        return {type(o).__name__ for o in gc.garbage}
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        if was_enabled:
            gc.enable()
