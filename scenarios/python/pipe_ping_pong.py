# Two processes bounce a ball over a Pipe: each recv() blocks until the
# other end has sent.
from multiprocessing import Pipe, Process
import time


def player(name, conn, serve):
    if serve:
        conn.send(0)
    while True:
        hits = conn.recv()
        if hits >= 6:
            conn.send(hits)  # tell the other player the game is over
            break
        print('%s hits the ball (%d)' % (name, hits + 1))
        time.sleep(0.01)
        conn.send(hits + 1)
    print(name, 'stops')


if __name__ == '__main__':
    left, right = Pipe()
    a = Process(target=player, args=('ping', left, True))
    b = Process(target=player, args=('pong', right, False))
    a.start()
    b.start()
    a.join()
    b.join()
