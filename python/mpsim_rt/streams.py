"""sys.stdout and sys.stderr as operations: each complete line is one `print`
operation, recorded at the simulated tick the process reaches it (so output
is ordered by simulated time, the same bytes every run). A partial line waits
for its newline, or for the process's end."""
import io

from . import channel


class SimStream(io.TextIOBase):
    def __init__(self, name):
        self._name = name
        self._buf = ""

    @property
    def encoding(self):
        return "utf-8"

    def writable(self):
        return True

    def isatty(self):
        return False

    def write(self, s):
        if not isinstance(s, str):
            raise TypeError("write() argument must be str, not %s" % type(s).__name__)
        self._buf += s
        while "\n" in self._buf:
            line, _, self._buf = self._buf.partition("\n")
            channel.call("print", text=line, stream=self._name)
        return len(s)

    def flush(self):
        pass

    def drain(self):
        if self._buf:
            line, self._buf = self._buf, ""
            channel.call("print", text=line, stream=self._name)


_streams = []


def install():
    import sys
    out, err = SimStream("stdout"), SimStream("stderr")
    _streams[:] = [out, err]
    sys.stdout = sys.__stdout__ = out
    sys.stderr = sys.__stderr__ = err


def before_fork():
    """CPython flushes stdout and stderr before a fork: a partial line goes out now."""
    for s in _streams:
        s.drain()


def after_fork():
    for s in _streams:
        s._buf = ""


def flush_all():
    for s in _streams:
        s.drain()
