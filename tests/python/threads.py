# mpsim py refuses threads: the error names the call and this file's line 9.
import threading


def work():
    print('in a thread')

t = threading.Thread(target=work)
t.start()
t.join()
