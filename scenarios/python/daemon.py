# A daemon child ends as soon as its parent does: its last line never prints.
from multiprocessing import Process
import time


def guard(name):
    print('%s is on duty' % name)
    time.sleep(3)
    print('%s went home' % name)


if __name__ == '__main__':
    p = Process(target=guard, args=('the guard',))
    p.daemon = True  # must come before start()
    p.start()
    time.sleep(0.1)
    print('the main process ends; the daemon ends with it')
