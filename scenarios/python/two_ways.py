# Two ways to start a process: a target function, or a subclass of Process
# that overrides run().
from multiprocessing import Process


def greet(name):
    print('%s is running' % name)


class Greeter(Process):
    def __init__(self, who):
        super().__init__()
        self.who = who

    def run(self):
        print('%s is running (subclass, process %s)' % (self.who, self.name))


if __name__ == '__main__':
    a = Process(target=greet, args=('alice',))
    b = Greeter('bob')
    a.start()
    b.start()
    print('main process is running')
    a.join()
    b.join()
    print('exit codes', a.exitcode, b.exitcode)
