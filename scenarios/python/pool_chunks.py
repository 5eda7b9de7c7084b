# How a Pool splits work: map() cuts its list into chunks (by default about
# four per worker: 10 items on 2 workers -> chunks of 2), each chunk is one
# task; imap() sends one item per task unless given a chunksize. An
# initializer runs once in every worker; with maxtasksperchild=2 a worker
# leaves after two tasks and the pool starts a new one (new pid, new name).
from multiprocessing import Pool, current_process
import time

greeting = None


def setup(word):
    global greeting
    greeting = word


def square(n):
    time.sleep(0.01)
    return n * n


def who(n):
    time.sleep(0.01)
    return '%s %s %d' % (greeting, current_process().name, n)


if __name__ == '__main__':
    start = time.time()
    with Pool(2) as pool:
        print('map', pool.map(square, range(10)))
        print('imap chunksize 3', list(pool.imap(square, range(7), chunksize=3)))
        print('starmap', pool.starmap(pow, [(2, 3), (3, 2)], chunksize=1))
    workers = Pool(2, initializer=setup, initargs=('hello from',), maxtasksperchild=2)
    for line in workers.map(who, range(6), chunksize=1):
        print(line)
    workers.close()
    workers.join()
    print('done after %.2f s' % (time.time() - start))
