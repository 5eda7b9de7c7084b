# A Manager is refused in a child too: the error names line 7.
from multiprocessing import Manager, Process


def child():
    print('child starts')
    Manager()


if __name__ == '__main__':
    p = Process(target=child)
    p.start()
    p.join()
