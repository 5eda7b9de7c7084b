# Acquire without release: the first buyer keeps the lock when it ends, the
# others wait for it forever. mpsim reports the deadlock and who waits for whom.
from multiprocessing import Process, Lock


def buy(i, mutex):
    mutex.acquire()
    print('buyer %d holds the lock' % i)
    # forgot mutex.release()


if __name__ == '__main__':
    mutex = Lock()
    buyers = [Process(target=buy, args=(i, mutex)) for i in range(3)]
    for p in buyers:
        p.start()
    for p in buyers:
        p.join()
