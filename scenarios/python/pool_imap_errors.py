# imap gives results in submission order, imap_unordered as they finish; a
# task that raises reaches error_callback, and get() raises it again.
from multiprocessing import Pool
import time


def slow_square(n):
    time.sleep(0.1 * (3 - n))  # the first tasks are the slowest
    return n * n


def fails(n):
    raise ValueError('task %d failed' % n)


def on_error(e):
    print('error_callback got', repr(e))


if __name__ == '__main__':
    with Pool(3) as pool:
        print('imap', list(pool.imap(slow_square, range(3))))
        print('imap_unordered', list(pool.imap_unordered(slow_square, range(3))))
        r = pool.apply_async(fails, (7,), error_callback=on_error)
        try:
            r.get()
        except ValueError as e:
            print('get raised', e)
        print('successful:', r.successful())
        pool.close()
        pool.join()
