# Two processes that never reach an operation: only --wall-limit (or Ctrl-C) ends them.
from multiprocessing import Process


def spin():
    while True:
        pass


if __name__ == '__main__':
    p = Process(target=spin)
    p.start()
    spin()
