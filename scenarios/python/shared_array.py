# An Array is shared memory, like a Value with several slots. Two workers
# add 1 fifty times to slot 0, a third to slot 1. Each addition reads the
# slot, works a little, and writes it back: a worker that loses its core in
# between writes back a stale number, so slot 0 loses updates; with
# get_lock() it does not. The race detector names the slot (totals[0]).
from multiprocessing import Array, Process
import sys


def work():
    total = 0
    for i in range(2000):  # something to do between reading and writing
        total += i
    return total


def add(totals, slot, locked):
    for _ in range(50):
        if locked:
            with totals.get_lock():
                v = totals[slot]
                work()
                totals[slot] = v + 1
        else:
            v = totals[slot]
            work()
            totals[slot] = v + 1


if __name__ == '__main__':
    locked = len(sys.argv) > 1 and sys.argv[1] == 'locked'
    totals = Array('i', 3)
    workers = [Process(target=add, args=(totals, slot, locked)) for slot in (0, 0, 1)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print('with get_lock()' if locked else 'without the lock', totals[:], 'of [100, 50, 0]')
    print('len', len(totals), 'last', totals[-1])
