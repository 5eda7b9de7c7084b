"""python3 -m mpsim_rt.observe PATH SHOWN [ARGS...]: runs the script under plain
CPython (real time, real scheduling, nothing simulated) and only records what
`mpsim validate` compares: for every process its name, pid, exit code, CPU
time and end time. Started only by `mpsim validate` on a .py file; the
records go, one JSON object a line, to the file MPSIM_OBSERVE_FILE.

It changes no behaviour but one: stdout and stderr are line-buffered, so a
line is one write() and lines of different processes do not interleave
inside a line (plain `--backend real` keeps CPython's unbuffered output)."""
import atexit
import json
import os
import sys
import time
import traceback
import types

FILE = os.environ["MPSIM_OBSERVE_FILE"]
T0 = time.monotonic()  # reset as the script starts; forked children inherit it
CPU0 = 0.0  # the main process's CPU before the script (start-up, imports)


def record(kind, **fields):
    # process_time(): this process's own CPU (a forked child starts at 0).
    fields.update(kind=kind, pid=os.getpid(),
                  cpu_us=int((time.process_time() - (CPU0 if os.getpid() == MAIN_PID else 0)) * 1e6),
                  end_us=int((time.monotonic() - T0) * 1e6))
    # O_APPEND and one short write: records of processes never mix.
    fd = os.open(FILE, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.write(fd, (json.dumps(fields) + "\n").encode())
    finally:
        os.close(fd)


def main_ended():
    if os.getpid() == MAIN_PID:
        record("main", name="MainProcess")


MAIN_PID = os.getpid()
# Registered before multiprocessing is imported, so it runs after
# multiprocessing's own exit handler has joined the children.
atexit.register(main_ended)

import multiprocessing.process as mp_process  # noqa: E402
import multiprocessing.popen_fork as mp_popen  # noqa: E402

_bootstrap = mp_process.BaseProcess._bootstrap
_start = mp_process.BaseProcess.start
_poll = mp_popen.Popen.poll


def bootstrap(self, *args, **kwargs):
    code = _bootstrap(self, *args, **kwargs)
    record("end", name=self.name, exit=code)
    return code


def start(self):
    _start(self)
    record("start", name=self.name, child=self.pid)


def poll(self, flag=os.WNOHANG):
    had = self.returncode
    code = _poll(self, flag)
    if had is None and code is not None:
        record("reaped", child=self.pid, exit=code)
    return code


mp_process.BaseProcess._bootstrap = bootstrap
mp_process.BaseProcess.start = start
mp_popen.Popen.poll = poll


def main():
    path, shown, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    for stream in (sys.stdout, sys.stderr):
        stream.reconfigure(line_buffering=True, write_through=False)
    with open(path, "rb") as f:
        source = f.read()
    sys.argv = [shown] + args
    sys.path[0] = os.path.dirname(path)
    module = types.ModuleType("__main__")
    module.__file__ = shown
    module.__builtins__ = __builtins__
    sys.modules["__main__"] = module  # Pool pickles functions by this name
    global T0, CPU0
    T0, CPU0 = time.monotonic(), time.process_time()
    try:
        exec(compile(source, shown, "exec"), module.__dict__)
    except SystemExit:
        raise
    except BaseException as e:
        # As CPython prints it, without this module's frame.
        traceback.print_exception(type(e), e, e.__traceback__.tb_next)
        sys.exit(1)


main()
