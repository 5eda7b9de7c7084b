"""The wire between one Python process and mpsim's kernel (docs/python.md).

Each process owns one Unix stream socket to mpsim. It sends one JSON line per
operation, {"op": ..., "t": TICKS, ...}, where TICKS is the CPU time it used
since its previous operation (counted lines, see `tracer`), and then blocks
until the kernel answers: only a process the simulated scheduler has put on a
core ever gets an answer, so only such processes run.
"""
import json
import os
import socket as _socket_module
import sys

_RealSocket = _socket_module.socket  # kept before `patches` replaces it
_real_exit = os._exit
RT_DIR = os.path.dirname(os.path.abspath(__file__))

LINES_PER_TICK = int(os.environ.get("MPSIM_PY_LINES_PER_TICK", "10000"))
CHUNK_TICKS = int(os.environ.get("MPSIM_PY_CHUNK_TICKS", "10"))
TICK_US = int(os.environ.get("MPSIM_PY_TICK_US", "1000"))
_SOCKET_PATH = os.environ.get("MPSIM_PY_SOCKET", "")

_sock = None
_inbuf = b""
lines = 0   # line events counted and not yet charged as ticks
now = 0     # simulated tick of the last answer
pid = 0     # simulated pid of this process
busy = False  # inside the runtime: frames are not traced (tracer._global)


def connect(hello):
    """Opens this process's channel and sends its hello; returns the answer,
    which arrives when the kernel first runs the process."""
    global _sock, _inbuf
    if _sock is not None:  # a forked child: the parent's channel is not ours
        os.close(_sock.detach())
    _inbuf = b""
    s = _RealSocket(_socket_module.AF_UNIX, _socket_module.SOCK_STREAM)
    s.connect(_SOCKET_PATH)
    _sock = s
    return call("hello", **hello)


def _send(msg):
    data = (json.dumps(msg, ensure_ascii=True, separators=(",", ":")) + "\n").encode()
    try:
        _sock.sendall(data)
    except OSError:
        _real_exit(70)  # mpsim is gone: nothing left to report to


def _recv():
    global _inbuf
    while b"\n" not in _inbuf:
        try:
            chunk = _sock.recv(65536)
        except OSError:
            chunk = b""
        if not chunk:
            _real_exit(70)  # mpsim ended the run (or died): end quietly
        _inbuf += chunk
    line, _, _inbuf = _inbuf.partition(b"\n")
    return json.loads(line)


def take_ticks():
    """Whole ticks of counted lines; the remainder carries over."""
    global lines
    t = lines // LINES_PER_TICK
    lines -= t * LINES_PER_TICK
    return t


def call(op, **args):
    """One operation: charge the ticks used so far, wait for the answer."""
    global now, busy
    was, busy = busy, True
    args["op"] = op
    args["t"] = take_ticks()
    args.setdefault("where", caller_line(2))
    _send(args)
    answer = _recv()
    busy = was
    now = answer.get("now", now)
    if "error" in answer:
        raise RuntimeError(answer["error"])
    return answer.get("r")


def tell(op, **args):
    """An operation that gets no answer (exit)."""
    global busy
    busy = True
    args["op"] = op
    args["t"] = take_ticks()
    _send(args)


def seconds_to_ticks(seconds):
    return seconds * 1_000_000 / TICK_US


def caller_line(depth=2):
    """'file:line' of user code `depth` frames up, skipping this package."""
    f = sys._getframe(depth)
    while f is not None and f.f_code.co_filename.startswith(RT_DIR):
        f = f.f_back
    if f is None:
        return "?"
    return "%s:%d" % (f.f_code.co_filename, f.f_lineno)


def unsupported(what, depth=3):
    """Ends the whole run with an error naming the call and the line."""
    tell("unsupported", what=what, where=caller_line(depth))
    _recv()  # never answered: mpsim stops the run
    _real_exit(70)
