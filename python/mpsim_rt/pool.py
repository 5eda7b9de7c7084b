"""multiprocessing.Pool on the simulated machine, built from this runtime's
Process and Queue: N daemon worker processes take tasks from a task queue and
put their results on a result queue.

A task is what CPython makes one: apply_async's call, or one chunk of
map/starmap/imap (CPython's chunking: map's default chunksize is
ceil(len / (4 * workers)), imap's is 1). Workers run `initializer(*initargs)`
first and, with `maxtasksperchild`, leave after that many tasks; the pool
then starts a new worker, as CPython's does.

One difference from CPython, documented in docs/python.md: CPython collects
results, runs callbacks and replaces workers in threads of the parent; there
are no threads here, so the parent does that whenever it waits on the pool:
AsyncResult.get/wait, map, imap, join.

Per task, the pool records what mpsim's report shows for a pool task
(docs/json-output.md, `tasks[]`): the method that submitted it, its
submission (handle, per pool from 1) and chunk index, the function's name,
the submitter, when it was submitted, started and finished (simulated
ticks), its worker's pid, and its outcome. It reports them to mpsim when it
is terminated or joined, or when the process that made it ends."""
import itertools
import queue

from . import channel, process, sync


_PLAIN = (type(None), bool, int, float, str, bytes)
_RESULT_CHARS = 60  # a longer result is cut, ending in "..."


def _plain(value, depth=0):
    """Made only of values whose repr runs no program code and is the same
    from run to run (no addresses, no set order)."""
    if isinstance(value, _PLAIN):
        return type(value) in _PLAIN
    if depth < 4 and type(value) in (list, tuple):
        return all(_plain(x, depth + 1) for x in value)
    if depth < 4 and type(value) is dict:
        return all(_plain(k, depth + 1) and _plain(v, depth + 1) for k, v in value.items())
    return False


def _shown(ok, value):
    """A task's result and error as the report prints them: the repr of a
    plain value (cut to _RESULT_CHARS), else its type's name in <>; an
    exception as "Type: message"."""
    was, channel.busy = channel.busy, True  # the runtime's work, not the program's
    try:
        if not ok:
            return "", "%s: %s" % (type(value).__name__, value)
        if not _plain(value):
            return "<%s>" % type(value).__name__, ""
        text = repr(value)
        return (text if len(text) <= _RESULT_CHARS else text[:_RESULT_CHARS - 3] + "..."), ""
    finally:
        channel.busy = was


def _func_name(func):
    return getattr(func, "__name__", None) or type(func).__name__


def _run_task(kind, func, items):
    if kind == "apply":
        args, kwds = items
        return func(*args, **kwds)
    if kind == "map":
        return list(map(func, items))
    return list(itertools.starmap(func, items))


def _worker(tasks, results, initializer, initargs, maxtasks):
    if initializer is not None:
        initializer(*initargs)
    done = 0
    while maxtasks is None or done < maxtasks:
        task = tasks.get()
        if task is None:
            return
        tid, kind, func, items = task
        started = channel.now  # the tick the task was taken
        try:
            ok, value = True, _run_task(kind, func, items)
        except Exception as e:
            ok, value = False, e
        finished = channel.call("now")
        results.put(("task", tid, ok, value, channel.pid, started, finished))
        done += 1
    results.put(("exited", channel.pid))  # maxtasksperchild reached


class AsyncResult:
    def __init__(self, pool, callback, error_callback):
        self._pool = pool
        self._callback = callback
        self._error_callback = error_callback
        self._done = False
        self._ok = None
        self._value = None

    def _set(self, ok, value):
        self._done, self._ok, self._value = True, ok, value
        if ok and self._callback is not None:
            self._callback(value)
        if not ok and self._error_callback is not None:
            self._error_callback(value)

    def _part(self, index, ok, value):
        self._set(ok, value)

    def ready(self):
        return self._done

    def successful(self):
        if not self._done:
            raise ValueError("%r not ready" % self)
        return self._ok

    def wait(self, timeout=None):
        while not self._done:
            if not self._pool._collect_one(timeout):
                return

    def get(self, timeout=None):
        self.wait(timeout)
        if not self._done:
            import multiprocessing
            raise multiprocessing.TimeoutError
        if self._ok:
            return self._value
        raise self._value


class _MapResult(AsyncResult):
    """map_async/starmap_async: the chunks' results, in order; as CPython,
    the first exception to arrive is the result, once every chunk is done."""

    def __init__(self, pool, chunks, callback, error_callback):
        super().__init__(pool, callback, error_callback)
        self._chunks = [None] * chunks
        self._left = chunks
        self._error = None
        if chunks == 0:
            self._set(True, [])

    def _part(self, index, ok, value):
        self._left -= 1
        if ok:
            self._chunks[index] = value
        elif self._error is None:
            self._error = value
        if self._left == 0:
            if self._error is not None:
                self._set(False, self._error)
            else:
                self._set(True, [x for chunk in self._chunks for x in chunk])


class _ChunkResults(AsyncResult):
    """imap/imap_unordered: each chunk's result as it arrives."""

    def __init__(self, pool, chunks):
        super().__init__(pool, None, None)
        self._results = {}
        self._order = []  # chunk indexes in the order they arrived
        self._count = chunks

    def _part(self, index, ok, value):
        self._results[index] = (ok, value)
        self._order.append(index)

    def _wait_for(self, have):
        while not have():
            self._pool._collect_one()

    def ordered(self):
        for i in range(self._count):
            self._wait_for(lambda: i in self._results)
            yield from self._chunk(i)

    def unordered(self):
        for n in range(self._count):
            self._wait_for(lambda: len(self._order) > n)
            yield from self._chunk(self._order[n])

    def _chunk(self, i):
        ok, value = self._results[i]
        if not ok:
            raise value
        yield from value


def _default_chunksize(n, workers):
    """CPython's Pool._map_async: about four chunks per worker."""
    size, extra = divmod(n, workers * 4)
    return size + 1 if extra else size


def _chunks(items, size):
    it = iter(items)
    while True:
        chunk = tuple(itertools.islice(it, size))
        if not chunk:
            return
        yield chunk


class Pool:
    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
        n = processes if processes is not None else int(__import__("os").environ.get("MPSIM_PY_CORES", "1"))
        if n < 1:
            raise ValueError("Number of processes must be at least 1")
        if maxtasksperchild is not None and (not isinstance(maxtasksperchild, int) or maxtasksperchild <= 0):
            raise ValueError("maxtasksperchild must be a positive int or None")
        if initializer is not None and not callable(initializer):
            raise TypeError("initializer must be a callable")
        was, channel.busy = channel.busy, True
        self._name = sync._guess_name("pool")
        channel.busy = was
        self._processes = n
        self._initializer = initializer
        self._initargs = tuple(initargs)
        self._maxtasks = maxtasksperchild
        sync.next_name = "pool-tasks"
        self._tasks = sync.Queue()
        sync.next_name = "pool-results"
        self._results = sync.Queue()
        self._pending = {}  # task id -> (result, part index)
        self._counter = itertools.count()
        self._state = "RUN"
        self._creator = channel.pid
        self._created = channel.call("now")
        self._metrics = []  # per task: its row of the report (_submit, _collect_one)
        self._handles = itertools.count(1)  # submissions
        self._reported = False
        self._workers = []
        self._all_workers = []
        for _ in range(n):
            self._start_worker()
        process.exit_hooks.append(self._report)

    def _start_worker(self):
        w = process.Process(target=_worker, daemon=True,
                            args=(self._tasks, self._results, self._initializer, self._initargs,
                                  self._maxtasks))
        w.name = w.name.replace("Process", "ForkPoolWorker")
        w.start()
        self._workers.append(w)
        self._all_workers.append(w.pid)

    def _check_running(self):
        if self._state != "RUN":
            raise ValueError("Pool not running")

    def _collect_one(self, timeout=None):
        try:
            message = self._results.get(timeout=timeout)
        except queue.Empty:
            return False
        if message[0] == "exited":  # maxtasksperchild: replace the worker
            for w in self._workers:
                if w.pid == message[1]:
                    w.join()
                    self._workers.remove(w)
                    break
            if self._state == "RUN" or self._pending:
                self._start_worker()
            return True
        _, tid, ok, value, worker, started, finished = message
        result_text, error = _shown(ok, value)
        self._metrics[tid].update(started=started, finished=finished, worker=worker, ok=ok,
                                  result=result_text, error=error)
        result, index = self._pending.pop(tid)
        result._part(index, ok, value)
        return True

    def _submit(self, result, index, kind, func, items, method, handle):
        tid = next(self._counter)
        self._pending[tid] = (result, index)
        self._tasks.put((tid, kind, func, items))
        self._metrics.append({"kind": method, "handle": handle, "item": index,
                              "program": _func_name(func), "submitter": channel.pid,
                              "submitted": channel.now, "started": None, "finished": None,
                              "worker": None, "ok": False, "result": "", "error": ""})

    def _apply_async(self, method, func, args, kwds, callback, error_callback):
        self._check_running()
        result = AsyncResult(self, callback, error_callback)
        self._submit(result, 0, "apply", func, (tuple(args), dict(kwds or {})), method,
                     next(self._handles))
        return result

    def apply_async(self, func, args=(), kwds=None, callback=None, error_callback=None):
        return self._apply_async("apply_async", func, args, kwds, callback, error_callback)

    def apply(self, func, args=(), kwds=None):
        return self._apply_async("apply", func, args, kwds, None, None).get()

    def _map_async(self, kind, func, iterable, chunksize, callback, error_callback, method):
        self._check_running()
        items = iterable if hasattr(iterable, "__len__") else list(iterable)
        if chunksize is None:
            chunksize = _default_chunksize(len(items), self._processes)
        chunks = list(_chunks(items, max(1, chunksize)))
        result = _MapResult(self, len(chunks), callback, error_callback)
        handle = next(self._handles)
        for i, chunk in enumerate(chunks):
            self._submit(result, i, kind, func, chunk, method, handle)
        return result

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async("map", func, iterable, chunksize, callback, error_callback,
                               "map_async")

    def map(self, func, iterable, chunksize=None):
        return self._map_async("map", func, iterable, chunksize, None, None, "map").get()

    def starmap_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        return self._map_async("starmap", func, iterable, chunksize, callback, error_callback,
                               "starmap_async")

    def starmap(self, func, iterable, chunksize=None):
        return self._map_async("starmap", func, iterable, chunksize, None, None, "starmap").get()

    def _imap(self, func, iterable, chunksize, method):
        self._check_running()
        if chunksize < 1:
            raise ValueError("Chunksize must be 1+, not {0:n}".format(chunksize))
        chunks = list(_chunks(iterable, chunksize))
        result = _ChunkResults(self, len(chunks))
        handle = next(self._handles)
        for i, chunk in enumerate(chunks):
            self._submit(result, i, "map", func, chunk, method, handle)
        return result

    def imap(self, func, iterable, chunksize=1):
        return self._imap(func, iterable, chunksize, "imap").ordered()

    def imap_unordered(self, func, iterable, chunksize=1):
        return self._imap(func, iterable, chunksize, "imap_unordered").unordered()

    def close(self):
        if self._state == "RUN":
            self._state = "CLOSE"
            for _ in self._workers:
                self._tasks.put(None)

    def terminate(self):
        self._state = "TERMINATE"
        for w in self._workers:
            if w.is_alive():
                w.terminate()
        for w in self._workers:
            w.join()
        self._report()

    def join(self):
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        while self._pending and self._state == "CLOSE":
            self._collect_one()
        for w in self._workers:
            w.join()
        self._report()

    def _report(self):
        """The per-task metrics, to mpsim's report (once, by the creator)."""
        if self._reported or channel.pid != self._creator:
            return
        self._reported = True
        channel.call("pool_report", name=self._name, processes=self._processes,
                     maxtasksperchild=self._maxtasks or 0, workers=self._all_workers,
                     created=self._created, tasks=self._metrics)

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, *exc):
        self.terminate()
