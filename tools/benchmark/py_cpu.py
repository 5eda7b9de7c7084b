# CPU only, no sleeps: 4 processes each run 10^6 loop iterations. Measures
# what mpsim py's line counting and operations cost against plain python3.
from multiprocessing import Process


def crunch(n):
    total = 0
    for i in range(n):
        total += i * i
    print('done', total)


if __name__ == '__main__':
    procs = [Process(target=crunch, args=(1000000,)) for _ in range(4)]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
