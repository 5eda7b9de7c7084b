"""multiprocessing.Process on the simulated machine. start() is a real fork
(memory isolation is real); everything the parent and child do to each other
(start, join, terminate, is_alive, exitcode) is an operation of mpsim's kernel
on simulated pids."""
import itertools
import os
import sys
import traceback

from . import channel, streams, sync

_real_fork = os.fork  # kept before `patches` refuses os.fork to the program
_real_getpid = os.getpid


class Process:
    """Process(target=..., args=...) or a subclass overriding run()."""

    def __init__(self, group=None, target=None, name=None, args=(), kwargs=None, *, daemon=None):
        assert group is None, "group argument must be None for now"
        me = _current
        count = next(me._counter)
        self._identity = me._identity + (count,)
        self._parent_pid = channel.pid
        self._target = target
        self._args = tuple(args)
        self._kwargs = dict(kwargs or {})
        self._name = name or type(self).__name__ + "-" + ":".join(str(i) for i in self._identity)
        self._daemonic = me._daemonic if daemon is None else bool(daemon)
        self._pid = None
        self._started = False
        self._counter = itertools.count(1)

    def run(self):
        if self._target:
            self._target(*self._args, **self._kwargs)

    def start(self):
        assert not self._started, "cannot start a process twice"
        assert self._parent_pid == channel.pid, "can only start a process object created by current process"
        assert not _current._daemonic, "daemonic processes are not allowed to have children"
        streams.before_fork()
        real = _real_fork()
        if real == 0:
            _child_main(self)  # never returns
        self._started = True
        children.append(self)
        self._pid = channel.call("spawn", name=self._name, daemon=self._daemonic)

    def _check_child(self, what):
        assert self._parent_pid == channel.pid, "can only %s a child process" % what
        assert self._started, "can only %s a started process" % what

    def join(self, timeout=None):
        self._check_child("join")
        ticks = None if timeout is None else max(0.0, channel.seconds_to_ticks(timeout))
        channel.call("join", pid=self._pid, timeout=ticks)

    def is_alive(self):
        if self is _current:
            return True
        assert self._parent_pid == channel.pid, "can only test a child process"
        if not self._started:
            return False
        return channel.call("is_alive", pid=self._pid)

    @property
    def exitcode(self):
        if not self._started:
            return None
        return channel.call("exitcode", pid=self._pid)

    def terminate(self):
        self._check_child("terminate")
        channel.call("terminate", pid=self._pid)

    def kill(self):
        self._check_child("kill")
        channel.call("kill", pid=self._pid)

    def close(self):
        pass

    @property
    def pid(self):
        return self._pid

    ident = pid

    @property
    def name(self):
        return self._name

    @name.setter
    def name(self, name):
        assert isinstance(name, str), "name must be a string"
        self._name = name

    @property
    def daemon(self):
        return self._daemonic

    @daemon.setter
    def daemon(self, daemonic):
        assert not self._started, "process has already started"
        self._daemonic = bool(daemonic)

    @property
    def sentinel(self):
        channel.unsupported("Process.sentinel (waiting on process handles)")

    def __repr__(self):
        if self is _current or self._started:
            status = "started"
        else:
            status = "initial"
        daemon = " daemon" if self._daemonic else ""
        return "<%s name=%r parent=%s %s%s>" % (type(self).__name__, self._name, self._parent_pid, status, daemon)


class _MainProcess(Process):
    def __init__(self):
        self._identity = ()
        self._parent_pid = None
        self._target = None
        self._args = ()
        self._kwargs = {}
        self._name = "MainProcess"
        self._daemonic = False
        self._pid = None
        self._started = True
        self._counter = itertools.count(1)

    @property
    def pid(self):
        return channel.pid

    ident = pid


children = []  # started by this process (active_children)
_current = _MainProcess()
_parent = None


def current_process():
    return _current


def parent_process():
    return _parent


def user_traceback(e):
    """The traceback without this runtime's leading frames: the script's own
    frames are what a user's error is about (and the same on every machine)."""
    was, channel.busy = channel.busy, True  # the runtime's work: not the program's CPU time
    te = traceback.TracebackException(type(e), e, e.__traceback__)
    # Also the runtime's frames under the user's line: where CPython raises
    # from C code (releasing an unheld lock), the user's line is the last.
    te.stack = traceback.StackSummary.from_list(
        [f for f in te.stack if not f.filename.startswith(channel.RT_DIR)])
    text = "".join(te.format())
    channel.busy = was
    return text


def _exit_code(e):
    """What CPython's Process._bootstrap makes of a SystemExit."""
    code = e.code
    if code is None:
        return 0
    if isinstance(code, int):
        return code
    sys.stderr.write(str(code) + "\n")
    return 1


def _child_main(proc):
    global _current, _parent
    _parent = _current
    _current = proc
    children.clear()
    sync.clear_held()  # a lock the parent held is not the child's
    proc._started = True
    streams.after_fork()
    channel.lines = 0
    answer = channel.connect({"real_pid": _real_getpid()})
    channel.pid = answer["pid"]
    proc._pid = channel.pid
    try:
        proc.run()
        code = 0
    except SystemExit as e:
        code = _exit_code(e)
    except BaseException:
        sys.stderr.write("Process %s:\n" % proc._name)
        sys.stderr.write(user_traceback(sys.exc_info()[1]))
        code = 1
    finish(code)


exit_hooks = []  # called as a process ends (a pool reports its metrics)


def finish(code):
    """End of a process: flush its output, tell the kernel, leave for real."""
    for hook in exit_hooks:
        hook()
    streams.flush_all()
    channel.tell("exit", code=code)
    channel._real_exit(0)
