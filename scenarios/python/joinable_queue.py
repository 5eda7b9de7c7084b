# A JoinableQueue: the main process puts three tasks and join() waits until a
# daemon worker has called task_done() for each; results come back on a SimpleQueue.
from multiprocessing import JoinableQueue, Process, SimpleQueue


def worker(q, out):
    while True:
        item = q.get()
        out.put(item * 10)
        q.task_done()


if __name__ == '__main__':
    q = JoinableQueue()
    out = SimpleQueue()
    w = Process(target=worker, args=(q, out), daemon=True)
    w.start()
    for i in range(3):
        q.put(i)
    q.join()
    print('all done:', sorted(out.get() for _ in range(3)), out.empty())
