# The same ten buyers, but buying is guarded by a lock made in the parent and
# handed to each child: exactly one ticket is sold.
from multiprocessing import Process, Lock
import json
import time


def search(i):
    with open('data', 'r', encoding='utf-8') as f:
        left = json.load(f)['ticket']
    print('buyer %s sees %s ticket(s) left' % (i, left))


def buy(i):
    with open('data', 'r', encoding='utf-8') as f:
        t = json.load(f)
    time.sleep(1)  # talking to the bank
    if t['ticket'] > 0:
        t['ticket'] -= 1
        with open('data', 'w', encoding='utf-8') as f:
            json.dump(t, f)
        print('buyer %s got a ticket' % i)
    else:
        print('buyer %s: sold out' % i)


def run(i, mutex):
    search(i)
    mutex.acquire()  # one buyer at a time from here
    buy(i)
    mutex.release()


if __name__ == '__main__':
    with open('data', 'w', encoding='utf-8') as f:
        json.dump({'ticket': 1}, f)
    mutex = Lock()
    buyers = [Process(target=run, args=(i, mutex)) for i in range(10)]
    for p in buyers:
        p.start()
    for p in buyers:
        p.join()
    with open('data', encoding='utf-8') as f:
        print('tickets left in the file:', json.load(f)['ticket'])
