# CPU-bound work gains from more cores, sleeping (IO-like) work does not
# need them. Run with --cores 1 and --cores 4 and compare the makespans.
from multiprocessing import Process
import time


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i
    print('crunch done', total)


def wait(seconds):
    time.sleep(seconds)
    print('wait done')


if __name__ == '__main__':
    start = time.time()
    jobs = [Process(target=crunch, args=(200000,)) for _ in range(4)]
    jobs += [Process(target=wait, args=(0.2,)) for _ in range(4)]
    for p in jobs:
        p.start()
    for p in jobs:
        p.join()
    print('elapsed %.3f s' % (time.time() - start))
