"""multiprocessing.Pool on the simulated machine, built from this runtime's
Process and Queue: N daemon worker processes take (job, function, args) from
a task queue and put (job, ok, value) on a result queue.

One difference from CPython, documented in docs/python.md: CPython collects
results and runs callbacks in a thread of the parent; there are no threads
here, so the parent collects results (and runs `callback`/`error_callback`)
whenever it waits on the pool: AsyncResult.get/wait, map, imap, join."""
import itertools

from . import process, sync


def _worker(tasks, results):
    while True:
        task = tasks.get()
        if task is None:
            break
        job, func, args, kwds = task
        try:
            results.put((job, True, func(*args, **kwds)))
        except Exception as e:
            results.put((job, False, e))


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


class _ListResult(AsyncResult):
    """map_async: one result made of the results of its parts, in order."""

    def __init__(self, pool, parts, callback, error_callback):
        super().__init__(pool, callback, error_callback)
        self._parts = parts

    def wait(self, timeout=None):
        for part in self._parts:
            part.wait(timeout)
            if not part._done:
                return
        if not self._done:
            failed = [p for p in self._parts if not p._ok]
            if failed:
                self._set(False, failed[0]._value)
            else:
                self._set(True, [p._value for p in self._parts])


class Pool:
    def __init__(self, processes=None, initializer=None, initargs=(), maxtasksperchild=None, context=None):
        from . import channel
        if initializer is not None or maxtasksperchild is not None:
            channel.unsupported("Pool(initializer=..., maxtasksperchild=...)")
        n = processes if processes is not None else int(__import__("os").environ.get("MPSIM_PY_CORES", "1"))
        if n < 1:
            raise ValueError("Number of processes must be at least 1")
        sync.next_name = "pool-tasks"
        self._tasks = sync.Queue()
        sync.next_name = "pool-results"
        self._results = sync.Queue()
        self._jobs = {}
        self._counter = itertools.count()
        self._state = "RUN"
        self._workers = []
        for i in range(n):
            w = process.Process(target=_worker, args=(self._tasks, self._results), daemon=True)
            w.name = w.name.replace("Process", "ForkPoolWorker")
            w.start()
            self._workers.append(w)

    def _check_running(self):
        if self._state != "RUN":
            raise ValueError("Pool not running")

    def _collect_one(self, timeout=None):
        import queue
        try:
            job, ok, value = self._results.get(timeout=timeout)
        except queue.Empty:
            return False
        self._jobs.pop(job)._set(ok, value)
        return True

    def apply_async(self, func, args=(), kwds=None, callback=None, error_callback=None):
        self._check_running()
        job = next(self._counter)
        result = self._jobs[job] = AsyncResult(self, callback, error_callback)
        self._tasks.put((job, func, tuple(args), dict(kwds or {})))
        return result

    def apply(self, func, args=(), kwds=None):
        return self.apply_async(func, args, kwds).get()

    def map_async(self, func, iterable, chunksize=None, callback=None, error_callback=None):
        parts = [self.apply_async(func, (x,)) for x in iterable]
        return _ListResult(self, parts, callback, error_callback)

    def map(self, func, iterable, chunksize=None):
        return self.map_async(func, iterable).get()

    def starmap(self, func, iterable, chunksize=None):
        return [r.get() for r in [self.apply_async(func, tuple(a)) for a in iterable]]

    def imap(self, func, iterable, chunksize=1):
        parts = [self.apply_async(func, (x,)) for x in iterable]
        return (p.get() for p in parts)

    def imap_unordered(self, func, iterable, chunksize=1):
        parts = [self.apply_async(func, (x,)) for x in iterable]

        def unordered():
            left = list(parts)
            while left:
                done = [p for p in left if p._done]
                if not done:
                    self._collect_one()
                    continue
                for p in done:
                    left.remove(p)
                    yield p.get()
        return unordered()

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

    def join(self):
        if self._state == "RUN":
            raise ValueError("Pool is still running")
        while self._jobs and self._state == "CLOSE":
            self._collect_one()
        for w in self._workers:
            w.join()

    def __enter__(self):
        self._check_running()
        return self

    def __exit__(self, *exc):
        self.terminate()
