# A Condition over an RLock: a consumer waits until the producer has
# announced that its data (in a file) is ready; the RLock may be taken twice
# by the same process.
from multiprocessing import Condition, Process, RLock
import time


def consumer(ready):
    with ready:
        print('consumer waits')
        ok = ready.wait(timeout=2)
        print('consumer woke up, notified:', ok)
    with open('result.txt') as f:
        print('consumer reads', f.read())


def producer(ready, lock):
    time.sleep(0.3)
    with open('result.txt', 'w') as f:
        f.write('42')
    with lock:
        with lock:  # an RLock can be acquired again by its holder
            ready.notify_all()
            print('producer notified')


if __name__ == '__main__':
    lock = RLock()
    ready = Condition(lock)
    c = Process(target=consumer, args=(ready,))
    p = Process(target=producer, args=(ready, lock))
    c.start()
    p.start()
    c.join()
    p.join()
    print('exit codes', c.exitcode, p.exitcode)
