# Four processes add 1 to a shared Value 50 times each. `counter.value += 1`
# is a read and then a write: a process that loses the core in between
# writes back a stale number, and updates are lost. Under get_lock() the
# read and the write happen together and the total is exact.
from multiprocessing import Process, Value


def work():
    total = 0
    for i in range(2000):  # something to do between reading and writing
        total += i
    return total


def add_unsafe(counter):
    for _ in range(50):
        v = counter.value
        work()
        counter.value = v + 1


def add_safe(counter):
    for _ in range(50):
        with counter.get_lock():
            v = counter.value
            work()
            counter.value = v + 1


def run(target):
    counter = Value('i', 0)
    procs = [Process(target=target, args=(counter,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
    return counter.value


if __name__ == '__main__':
    print('without the lock:', run(add_unsafe), 'of 200')
    print('with get_lock():', run(add_safe), 'of 200')
