"""python3 tests/python/chunking_test.py RUNTIME_DIR: mpsim's Pool splits
map/starmap/imap into the chunks real CPython makes. CPython's own chunks
are observed, not recomputed: multiprocessing.pool.mapstar/starmapstar (what
a worker runs for one chunk) are wrapped before the pool forks, and report
each chunk's length on a queue. (imap with chunksize 1, its default, sends
each item as a task of its own, without mapstar: not observed here.)"""
import multiprocessing
import multiprocessing.pool as mp_pool
import sys

sys.path.insert(0, sys.argv[1])
from mpsim_rt import pool as sim_pool  # noqa: E402

sizes = multiprocessing.SimpleQueue()
_mapstar, _starmapstar = mp_pool.mapstar, mp_pool.starmapstar


def mapstar(args):
    sizes.put(len(args[1]))
    return _mapstar(args)


def starmapstar(args):
    sizes.put(len(args[1]))
    return _starmapstar(args)


mp_pool.mapstar, mp_pool.starmapstar = mapstar, starmapstar


def real_chunks(pool, call):
    call(pool)
    got = []
    while not sizes.empty():
        got.append(sizes.get())
    return sorted(got)


def sim_chunks(items, chunksize, workers, default):
    if chunksize is None:
        chunksize = default(len(items), workers) if default else 1
    return sorted(len(c) for c in sim_pool._chunks(items, max(1, chunksize)))


def main():
    failures = 0
    for workers in (1, 2, 3, 4):
        with multiprocessing.Pool(workers) as pool:
            for n in (0, 1, 2, 5, 7, 8, 9, 10, 16, 17, 33, 100):
                items = list(range(n))
                for chunksize in (None, 1, 3):
                    cases = [
                        ("map", lambda p: p.map(abs, items, chunksize), sim_pool._default_chunksize),
                        ("starmap", lambda p: p.starmap(max, [(i, 0) for i in items], chunksize),
                         sim_pool._default_chunksize),
                    ]
                    if chunksize is not None and chunksize > 1:  # imap's 1: a task per item, no mapstar
                        cases.append(("imap", lambda p: list(p.imap(abs, items, chunksize)), None))
                    for name, call, default in cases:
                        real = real_chunks(pool, call)
                        sim = sim_chunks(items, chunksize, workers, default)
                        if real != sim:
                            failures += 1
                            print("FAIL: %s of %d items, chunksize %s, %d workers: CPython %s, mpsim %s"
                                  % (name, n, chunksize, workers, real, sim))
    print("chunking: %d mismatches" % failures)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
