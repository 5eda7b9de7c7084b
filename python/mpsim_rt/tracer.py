"""Deterministic CPU accounting: every line event of the program's own code
is one unit; LINES_PER_TICK units are one tick. Neither the runtime's frames
nor the standard library's (nor frozen modules) are traced: what the program
calls there costs nothing, so the count does not depend on the CPython build.
Code outside the standard library (the script, its modules, installed
packages) is counted. Every CHUNK_TICKS ticks a process
reports its work even without an operation, so a loop that never reaches one
still advances simulated time and can be preempted, timed out or stopped."""
import os
import sys
import sysconfig

from . import channel

_chunk_lines = channel.LINES_PER_TICK * channel.CHUNK_TICKS
# Prefixes of files not counted: the runtime, the standard library (pure
# Python and its platform part), frozen modules ("<frozen ...>").
_skip = tuple(sorted({channel.RT_DIR + os.sep} | {
    os.path.realpath(sysconfig.get_paths()[k]) + os.sep for k in ("stdlib", "platstdlib")
} | {p + os.sep for p in (sysconfig.get_paths()["stdlib"], sysconfig.get_paths()["platstdlib"])}
    | {"<frozen "}))


def _local(frame, event, arg):
    if event == "line":
        channel.lines += 1
        if channel.lines >= _chunk_lines:
            channel.call("compute")
    return _local


def _global(frame, event, arg):
    if channel.busy or frame.f_code.co_filename.startswith(_skip):
        return None
    channel.lines += 1  # the call itself
    return _local


def start():
    sys.settrace(_global)


def stop():
    sys.settrace(None)
