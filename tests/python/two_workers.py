# For tests/python_cli.sh: two workers compute about 2 and 4 ticks (a line
# is 1/10000 tick by default; the test sets --lines-per-tick 1000) and exit
# with codes 3 and 4.
from multiprocessing import Process
import sys


def spin(n, code):
    total = 0
    for i in range(n):
        total += i
    print('worker', code, 'summed', total)
    sys.exit(code)


if __name__ == '__main__':
    workers = [Process(target=spin, args=(n, code)) for n, code in ((1000, 3), (2000, 4))]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    print('exit codes', [w.exitcode for w in workers])
