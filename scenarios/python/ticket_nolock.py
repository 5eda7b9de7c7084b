# Ten buyers race for the last ticket in a shared file. Without a lock each
# one reads "1 left", waits, and writes: the ticket is sold ten times.
from multiprocessing import Process
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


def run(i):
    search(i)
    buy(i)


if __name__ == '__main__':
    with open('data', 'w', encoding='utf-8') as f:
        json.dump({'ticket': 1}, f)
    buyers = [Process(target=run, args=(i,)) for i in range(10)]
    for p in buyers:
        p.start()
    for p in buyers:
        p.join()
    with open('data', encoding='utf-8') as f:
        print('tickets left in the file:', json.load(f)['ticket'])
