"""Deterministic CPU accounting: every line event of user code (and of the
standard library it calls) is one unit; LINES_PER_TICK units are one tick.
The runtime's own frames are not traced. Every CHUNK_TICKS ticks a process
reports its work even without an operation, so a loop that never reaches one
still advances simulated time and can be preempted, timed out or stopped."""
import sys

from . import channel

_chunk_lines = channel.LINES_PER_TICK * channel.CHUNK_TICKS
_skip = channel.RT_DIR


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
