# Misusing a lock raises the exception CPython raises, and a program can
# catch it: releasing a Lock nobody holds (ValueError), an RLock another
# process owns (AssertionError), notifying a Condition without its lock.
from multiprocessing import Condition, Lock, Process, RLock


def release_twice(mutex):
    with mutex:
        print('child holds the lock')
    try:
        mutex.release()
    except ValueError as e:
        print('second release:', e)


def not_the_owner(rlock):
    try:
        rlock.release()
    except AssertionError as e:
        print('child:', e)


if __name__ == '__main__':
    mutex = Lock()
    p = Process(target=release_twice, args=(mutex,))
    p.start()
    p.join()
    rlock = RLock()
    rlock.acquire()  # the parent owns it; a child does not
    q = Process(target=not_the_owner, args=(rlock,))
    q.start()
    q.join()
    rlock.release()
    ready = Condition()
    try:
        ready.notify()
    except AssertionError as e:
        print('notify without the lock:', e)
    with ready:
        ready.notify()
        print('notify with the lock: fine')
    print('exit codes', p.exitcode, q.exitcode)
