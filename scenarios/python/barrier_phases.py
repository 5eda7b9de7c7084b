# Three workers do two phases of different lengths; nobody starts phase 2
# before all have finished phase 1.
from multiprocessing import Barrier, Process
import time


def worker(i, barrier):
    time.sleep(0.01 * (i + 1))
    print('worker %d finished phase 1' % i)
    barrier.wait()
    print('worker %d starts phase 2' % i)


if __name__ == '__main__':
    barrier = Barrier(3)
    workers = [Process(target=worker, args=(i, barrier)) for i in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
