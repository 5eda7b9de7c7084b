# A zombie: the child ends at once but stays a zombie until its parent joins
# it. An orphan: a grandchild outlives its parent and is adopted (ppid 1).
from multiprocessing import Process
import os
import time


def quick():
    print('quick child ends at once')


def grandchild():
    print('grandchild: my parent is', os.getppid())
    time.sleep(0.5)
    print('grandchild: now my parent is', os.getppid())


def short_lived_parent():
    Process(target=grandchild).start()
    time.sleep(0.1)
    os._exit(0)  # ends without waiting for its child


if __name__ == '__main__':
    z = Process(target=quick)
    z.start()
    time.sleep(0.2)  # z is a zombie meanwhile
    z.join()
    o = Process(target=short_lived_parent)
    o.start()
    o.join()
    time.sleep(1)
