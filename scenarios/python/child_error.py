# A child's uncaught exception: CPython's header and traceback, exit code 1;
# a release of a lock nobody holds raises ValueError, as in CPython (uncaught here).
from multiprocessing import Lock, Process


def bad():
    raise ValueError('no tickets today')


def careless(mutex):
    mutex.release()


if __name__ == '__main__':
    p = Process(target=bad)
    p.start()
    p.join()
    mutex = Lock()
    q = Process(target=careless, args=(mutex,))
    q.start()
    q.join()
    print('exit codes', p.exitcode, q.exitcode)
