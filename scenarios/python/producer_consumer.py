# A producer and a consumer talk through a Queue; None tells the consumer
# to stop. The consumer blocks on get() while the queue is empty.
from multiprocessing import Process, Queue
import time


def producer(q):
    for item in range(5):
        time.sleep(0.01)  # making the item
        q.put('item %d' % item)
        print('produced item', item)
    q.put(None)


def consumer(q):
    while True:
        item = q.get()
        if item is None:
            break
        print('consumed', item)
    print('consumer done')


if __name__ == '__main__':
    q = Queue()
    procs = [Process(target=producer, args=(q,)), Process(target=consumer, args=(q,))]
    for p in procs:
        p.start()
    for p in procs:
        p.join()
