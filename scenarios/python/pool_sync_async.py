# Synchronous vs asynchronous submission to a pool of 2 workers: apply()
# waits for its result; apply_async() returns at once and the result comes
# later (through get(), or a callback); map() waits for all of them.
from multiprocessing import Pool
import time


def work(n):
    time.sleep(0.1)  # a slow task
    return n * n


def report(result):
    print('callback got', result)


if __name__ == '__main__':
    with Pool(2) as pool:
        start = time.time()
        print('apply (synchronous) gave', pool.apply(work, (3,)))
        print('after apply: %.1f s' % (time.time() - start))
        pending = [pool.apply_async(work, (i,), callback=report) for i in range(4)]
        print('apply_async returned at once: %.1f s' % (time.time() - start))
        print('results', [r.get() for r in pending])
        print('map gave', pool.map(work, range(4)))
        print('done at %.1f s' % (time.time() - start))
