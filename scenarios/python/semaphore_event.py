# A Semaphore(2) lets at most two of five workers into the room at once; an
# Event is the starting gun they all wait for.
from multiprocessing import Event, Process, Semaphore
import time


def worker(i, room, go):
    go.wait()
    with room:
        print('worker %d enters' % i)
        time.sleep(0.1)
        print('worker %d leaves' % i)


if __name__ == '__main__':
    room = Semaphore(2)
    go = Event()
    workers = [Process(target=worker, args=(i, room, go)) for i in range(5)]
    for w in workers:
        w.start()
    time.sleep(0.05)
    print('go!')
    go.set()
    for w in workers:
        w.join()
