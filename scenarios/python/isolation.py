# Processes do not share memory: the child changes its own copy of x.
# Expected: 1000 (parent, before), 0 (child), 1000 (parent, after).
from multiprocessing import Process
import time

x = 1000


def task():
    global x
    x = 0
    print('child set x to', x)


if __name__ == '__main__':
    print(x)
    p = Process(target=task)
    p.start()
    time.sleep(5)
    print(x)
