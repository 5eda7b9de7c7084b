# pid, ppid, name, is_alive, terminate and exitcode.
from multiprocessing import Process, current_process
import os
import time


def worker():
    print('I am %s, pid %d, parent %d' % (current_process().name, os.getpid(), os.getppid()))
    time.sleep(10)
    print('never printed: terminated first')


if __name__ == '__main__':
    p = Process(target=worker, name='worker')
    print('before start: alive=%s exitcode=%s' % (p.is_alive(), p.exitcode))
    p.start()
    time.sleep(1)
    print('running: alive=%s pid=%d (main is %d)' % (p.is_alive(), p.pid, os.getpid()))
    p.terminate()
    p.join()
    print('after terminate: alive=%s exitcode=%s' % (p.is_alive(), p.exitcode))
