"""multiprocessing's synchronisation objects as objects of mpsim's kernel
(docs/semantics.md §7: FIFO wait queues, timeouts). Made in a parent, they
are handed to children by fork, as with the real module: a child's copy names
the same kernel object."""
import base64
import linecache
import pickle
import queue as _queue
import re
import sys

from . import channel

_ASSIGN = re.compile(r"^\s*([A-Za-z_][A-Za-z0-9_.]*)\s*=")


next_name = None  # set by the runtime itself (pool.py) to name its own objects


def _guess_name(kind):
    """The variable the user assigns the new object to (`mutex = Lock()` ->
    "mutex"), for reports; else the kind."""
    global next_name
    if next_name:
        name, next_name = next_name, None
        return name
    where = channel.caller_line(3)
    path, _, line = where.rpartition(":")
    text = linecache.getline(path, int(line)) if line.isdigit() else ""
    m = _ASSIGN.match(text)
    return m.group(1).split(".")[-1] if m else kind


def _timeout(block, timeout):
    if not block:
        return 0
    if timeout is None:
        return None
    return max(0.0, channel.seconds_to_ticks(timeout))


class _Object:
    _kind = ""

    def __init__(self, value=0, lock=None):
        was, channel.busy = channel.busy, True
        name = _guess_name(self._kind)
        channel.busy = was
        self._id = channel.call("new", kind=self._kind, value=value, lock=lock, name=name)

    def __reduce__(self):
        channel.unsupported("pickling a %s (send it to a child as a Process argument instead)" % self._kind)


# How many times this process holds each lock (object id -> count), so that
# a release the kernel would refuse raises CPython's exception instead, which
# the program can catch. A forked child holds nothing (clear_held).
_held = {}


def clear_held():
    _held.clear()


def holds(obj_id):
    return _held.get(obj_id, 0) > 0


class _Acquirable(_Object):
    _owned = False  # Lock and RLock have an owner; a semaphore has none

    def acquire(self, block=True, timeout=None):
        got = channel.call("acquire", obj=self._id, timeout=_timeout(block, timeout))
        if got and self._owned:
            _held[self._id] = _held.get(self._id, 0) + 1
        return got

    def release(self):
        if self._owned:
            if not holds(self._id):
                self._not_held()
            _held[self._id] -= 1
        channel.call("release", obj=self._id)

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()


class Lock(_Acquirable):
    _kind = "lock"
    _owned = True

    def _not_held(self):
        # CPython: releasing an unlocked Lock. (A Lock another process holds
        # CPython would release; the kernel's locks have owners: see
        # docs/python.md.)
        raise ValueError("semaphore or lock released too many times")

    def __init__(self):
        super().__init__()


class RLock(_Acquirable):
    _kind = "rlock"
    _owned = True

    def _not_held(self):
        raise AssertionError("attempt to release recursive lock not owned by thread")

    def __init__(self):
        super().__init__()


class Semaphore(_Acquirable):
    _kind = "semaphore"

    def __init__(self, value=1):
        if value < 0:
            raise ValueError("semaphore initial value must be >= 0")
        super().__init__(value)


class BoundedSemaphore(Semaphore):
    _kind = "bounded_semaphore"


class Event(_Object):
    _kind = "event"

    def __init__(self):
        super().__init__()

    def set(self):
        channel.call("set_event", obj=self._id)

    def clear(self):
        channel.call("clear_event", obj=self._id)

    def is_set(self):
        return channel.call("is_set", obj=self._id)

    def wait(self, timeout=None):
        return channel.call("wait", obj=self._id, timeout=_timeout(True, timeout))


class Barrier(_Object):
    _kind = "barrier"

    def __init__(self, parties, action=None, timeout=None):
        if action is not None or timeout is not None:
            channel.unsupported("Barrier(action=..., timeout=...)")
        self._parties = parties
        super().__init__(parties)

    @property
    def parties(self):
        return self._parties

    def wait(self, timeout=None):
        if timeout is not None:
            channel.unsupported("Barrier.wait(timeout=...)")
        return channel.call("wait", obj=self._id, timeout=None)


class Condition(_Object):
    _kind = "condition"

    def __init__(self, lock=None):
        self._lock = lock if lock is not None else RLock()
        super().__init__(0, self._lock._id)

    def acquire(self, block=True, timeout=None):
        return self._lock.acquire(block, timeout)

    def release(self):
        self._lock.release()

    def __enter__(self):
        return self._lock.acquire()

    def __exit__(self, *exc):
        self._lock.release()

    def _check_owned(self, message):
        if not holds(self._lock._id):
            raise AssertionError(message)

    def wait(self, timeout=None):
        self._check_owned("must acquire() condition before using wait()")
        return channel.call("wait", obj=self._id, timeout=_timeout(True, timeout))

    def wait_for(self, predicate, timeout=None):
        result = predicate()
        if result or timeout is not None:
            if not result and timeout is not None:
                self.wait(timeout)
                result = predicate()
            return result
        while not result:
            self.wait()
            result = predicate()
        return result

    def notify(self, n=1):
        self._check_owned("lock is not owned")
        channel.call("notify", obj=self._id, n=n)

    def notify_all(self):
        self._check_owned("lock is not owned")
        channel.call("notify", obj=self._id, n=None)


class Queue(_Object):
    """Messages are pickled at put and unpickled at get, as the real queue does."""
    _kind = "queue"

    def __init__(self, maxsize=0):
        self._maxsize = maxsize
        super().__init__(maxsize)

    def put(self, obj, block=True, timeout=None):
        data = base64.b64encode(pickle.dumps(obj)).decode()
        if not channel.call("put", obj=self._id, value=data, timeout=_timeout(block, timeout)):
            raise _queue.Full

    def get(self, block=True, timeout=None):
        ok, data = channel.call("get", obj=self._id, timeout=_timeout(block, timeout))
        if not ok:
            raise _queue.Empty
        return pickle.loads(base64.b64decode(data))

    def put_nowait(self, obj):
        self.put(obj, False)

    def get_nowait(self):
        return self.get(False)

    def qsize(self):
        return channel.call("qsize", obj=self._id)

    def empty(self):
        return self.qsize() == 0

    def full(self):
        return self._maxsize > 0 and self.qsize() >= self._maxsize

    def close(self):
        pass

    def join_thread(self):
        pass

    def cancel_join_thread(self):
        pass


class Value:
    """Value(typecode, initial, lock=True): one number shared by the processes.
    Each read or write of .value is an operation at its simulated tick, seen
    by the race detector; `counter.value += 1` is a read then a write, and a
    process can lose the core between them. get_lock() gives the RLock that
    makes it safe (or the lock passed in; lock=False: none)."""

    def __init__(self, typecode_or_type, *args, lock=True):
        self._typecode = typecode_or_type if isinstance(typecode_or_type, str) else "?"
        initial = args[0] if args else 0
        was, channel.busy = channel.busy, True
        name = _guess_name("value")
        channel.busy = was
        self._id = channel.call("new_value", value=self._convert(initial), name=name)
        if lock is True:
            global next_name
            next_name = name + ".lock"
            lock = RLock()
        self._lock = lock or None

    def _convert(self, v):
        if self._typecode in ("f", "d"):
            return float(v)
        if self._typecode in ("c", "u", "?"):
            return v
        return int(v)

    @property
    def value(self):
        return channel.call("value_get", id=self._id)

    @value.setter
    def value(self, v):
        channel.call("value_set", id=self._id, value=self._convert(v))

    def get_lock(self):
        if self._lock is None:
            raise AttributeError("'Synchronized' object has no attribute 'get_lock' (made with lock=False)")
        return self._lock

    def get_obj(self):
        return self

    def acquire(self, *args):
        return self.get_lock().acquire(*args)

    def release(self):
        self.get_lock().release()

    def __enter__(self):
        return self.get_lock().__enter__()

    def __exit__(self, *exc):
        return self.get_lock().__exit__(*exc)

    def __reduce__(self):
        channel.unsupported("pickling a Value (send it to a child as a Process argument instead)")


class Array(Value):
    """Array(typecode, size_or_initializer, lock=True): numbers shared by the
    processes. Each read or write of an element is an operation at its
    simulated tick, seen by the race detector under `name[i]` (`totals =
    Array('i', 4)`: totals[0] ... totals[3]); a slice is one operation per
    element. get_lock() gives the RLock `name.lock`, as for a Value."""

    def __init__(self, typecode_or_type, size_or_initializer, *, lock=True):
        self._typecode = typecode_or_type if isinstance(typecode_or_type, str) else "?"
        if isinstance(size_or_initializer, int):
            if size_or_initializer < 0:
                raise ValueError("array size must be >= 0")
            initial = [0] * size_or_initializer
        else:
            initial = list(size_or_initializer)
        was, channel.busy = channel.busy, True
        name = _guess_name("array")
        channel.busy = was
        self._ids = [channel.call("new_value", value=self._convert(v), name="%s[%d]" % (name, i))
                     for i, v in enumerate(initial)]
        if lock is True:
            global next_name
            next_name = name + ".lock"
            lock = RLock()
        self._lock = lock or None

    @property
    def value(self):
        raise AttributeError("'SynchronizedArray' object has no attribute 'value'")

    def __len__(self):
        return len(self._ids)

    def _index(self, i):
        if not isinstance(i, int):
            raise TypeError("array indices must be integers")
        if i < 0:
            i += len(self._ids)
        if not 0 <= i < len(self._ids):
            raise IndexError("invalid index")
        return self._ids[i]

    def __getitem__(self, i):
        if isinstance(i, slice):
            return [channel.call("value_get", id=self._ids[k]) for k in range(*i.indices(len(self._ids)))]
        return channel.call("value_get", id=self._index(i))

    def __setitem__(self, i, v):
        if isinstance(i, slice):
            indexes = range(*i.indices(len(self._ids)))
            values = list(v)
            if len(values) != len(indexes):
                raise ValueError("Can only assign sequence of same size")
            for k, x in zip(indexes, values):
                channel.call("value_set", id=self._ids[k], value=self._convert(x))
            return
        channel.call("value_set", id=self._index(i), value=self._convert(v))

    def __iter__(self):
        return iter(self[:])

    def __reduce__(self):
        channel.unsupported("pickling an Array (send it to a child as a Process argument instead)")


def RawValue(typecode_or_type, *args):
    """A Value without a lock (CPython: a plain ctypes object)."""
    global next_name
    next_name = _guess_name("value")
    return Value(typecode_or_type, *args, lock=False)


def RawArray(typecode_or_type, size_or_initializer):
    """An Array without a lock."""
    global next_name
    next_name = _guess_name("array")
    return Array(typecode_or_type, size_or_initializer, lock=False)


class Connection:
    """One end of a Pipe: send() puts on the queue the other end reads, recv()
    takes from its own (kernel queues, so a recv on an empty pipe blocks)."""

    def __init__(self, inbox, outbox, readable, writable):
        self._inbox, self._outbox = inbox, outbox
        self.readable, self.writable = readable, writable
        self.closed = False

    def send(self, obj):
        if not self.writable:
            raise OSError("connection is read-only")
        self._outbox.put(obj)

    def recv(self):
        if not self.readable:
            raise OSError("connection is write-only")
        return self._inbox.get()

    def poll(self, timeout=0.0):
        if timeout is None:
            channel.unsupported("Connection.poll(None)")
        if not self._inbox.empty():
            return True
        if timeout > 0:
            import time
            time.sleep(timeout)
        return not self._inbox.empty()

    def close(self):
        self.closed = True


def Pipe(duplex=True):
    """(conn1, conn2): with duplex both ends send and receive; otherwise
    conn1 only receives and conn2 only sends, as in CPython."""
    global next_name
    next_name = "pipe"
    a = Queue()
    if not duplex:
        return Connection(a, None, True, False), Connection(None, a, False, True)
    next_name = "pipe-back"
    b = Queue()
    return Connection(a, b, True, True), Connection(b, a, True, True)


class SimpleQueue(Queue):
    """SimpleQueue: an unbounded Queue with put, get, empty and close."""

    def __init__(self):
        super().__init__(0)


class JoinableQueue(Queue):
    """Queue plus task_done() and join(): a count of unfinished tasks kept in a
    Value and a Condition on its lock, as CPython does with a semaphore."""

    def __init__(self, maxsize=0):
        super().__init__(maxsize)
        global next_name
        next_name = "unfinished"
        self._unfinished = Value("i", 0)
        next_name = "all-done"
        self._all_done = Condition(self._unfinished.get_lock())

    def put(self, obj, block=True, timeout=None):
        with self._all_done:
            self._unfinished.value += 1
        super().put(obj, block, timeout)

    def task_done(self):
        with self._all_done:
            left = self._unfinished.value
            if left <= 0:
                raise ValueError("task_done() called too many times")
            self._unfinished.value = left - 1
            if left == 1:
                self._all_done.notify_all()

    def join(self):
        with self._all_done:
            while self._unfinished.value > 0:
                self._all_done.wait()
