"""What `mpsim py` replaces in the standard library before the user's script
runs: multiprocessing's processes and objects, time, the process ids of os,
files opened with open() (for the race detector), and, for what mpsim cannot
simulate, a clear error naming the call and the line (docs/python.md)."""
import builtins
import os
import time

from . import channel, pool, process, sync

_real_open = builtins.open


def _now_seconds():
    return channel.call("now") * channel.TICK_US / 1_000_000


def _now_ns():
    return channel.call("now") * channel.TICK_US * 1000


def _sleep(seconds):
    if seconds < 0:
        raise ValueError("sleep length must be non-negative")
    channel.call("sleep", ticks=channel.seconds_to_ticks(seconds))


def _open(file, mode="r", *args, **kwargs):
    if isinstance(file, (str, bytes, os.PathLike)):
        path = os.fsdecode(file)
        write = any(c in mode for c in "wax+")
        channel.call("open", path=os.path.normpath(path), write=write)
    return _real_open(file, mode, *args, **kwargs)


def _os_exit(code):
    channel.tell("exit", code=code, now=True)  # no exit sequence: children are not joined
    channel._real_exit(0)


def _unsupported(what):
    def refuse(*args, **kwargs):
        channel.unsupported(what)
    return refuse


def _active_children():
    return [p for p in process.children if p.is_alive()]


def _cpu_count():
    return int(os.environ.get("MPSIM_PY_CORES", "1"))


def install():
    import multiprocessing
    import socket
    import subprocess
    import threading

    mp = multiprocessing
    for name in ("Process", "current_process", "parent_process"):
        setattr(mp, name, getattr(process, name))
    for name in ("Lock", "RLock", "Semaphore", "BoundedSemaphore", "Event", "Barrier", "Condition", "Queue"):
        setattr(mp, name, getattr(sync, name))
    mp.Pool = pool.Pool
    mp.Value = sync.Value
    mp.Array = sync.Array
    mp.RawValue = sync.RawValue
    mp.RawArray = sync.RawArray
    mp.Pipe = sync.Pipe
    mp.SimpleQueue = sync.SimpleQueue
    mp.JoinableQueue = sync.JoinableQueue
    mp.TimeoutError = getattr(mp, "TimeoutError", TimeoutError)
    mp.active_children = _active_children
    mp.cpu_count = _cpu_count
    mp.get_context = lambda method=None: mp
    mp.set_start_method = lambda method, force=False: None
    mp.get_start_method = lambda allow_none=False: "fork"
    mp.freeze_support = lambda: None
    for name in ("Manager",):
        setattr(mp, name, _unsupported("multiprocessing." + name))

    time.sleep = _sleep
    for name in ("time", "monotonic", "perf_counter"):
        setattr(time, name, _now_seconds)
    for name in ("time_ns", "monotonic_ns", "perf_counter_ns"):
        setattr(time, name, _now_ns)

    os.getpid = lambda: channel.pid
    os.getppid = lambda: channel.call("getppid")
    os._exit = _os_exit
    for name in ("fork", "forkpty", "kill", "killpg", "wait", "waitpid", "wait3", "wait4", "system", "popen",
                 "execv", "execve", "execvp", "spawnv", "spawnl", "posix_spawn", "pipe", "pipe2"):
        if hasattr(os, name):
            setattr(os, name, _unsupported("os." + name))
    threading.Thread.start = _unsupported("threading.Thread.start (threads)")
    socket.socket = _unsupported("socket.socket (sockets)")
    socket.socketpair = _unsupported("socket.socketpair (sockets)")
    subprocess.Popen = _unsupported("subprocess.Popen (running programs)")
    builtins.open = _open
