"""python3 -m mpsim_rt PATH SHOWN [ARGS...]: runs the script at PATH (shown
in tracebacks as SHOWN, the name the user typed) as __main__ under mpsim's
kernel. Started only by `mpsim py` (it provides the socket and the settings)."""
import linecache
import os
import sys
import types

from . import channel, patches, process, streams, tracer


def main():
    path, shown, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    with open(path, "rb") as f:
        source = f.read()
    channel.pid = channel.connect({"real_pid": os.getpid()})["pid"]
    streams.install()
    patches.install()
    sys.argv = [shown] + args
    sys.path[0] = os.path.dirname(path)
    text = source.decode("utf-8", "replace")
    linecache.cache[shown] = (len(text), None, text.splitlines(True), shown)
    main_module = types.ModuleType("__main__")
    main_module.__file__ = shown
    main_module.__builtins__ = __builtins__
    sys.modules["__main__"] = main_module
    code = 0
    tracer.start()
    try:
        exec(compile(source, shown, "exec"), main_module.__dict__)
    except SystemExit as e:
        tracer.stop()
        code = process._exit_code(e)
    except BaseException as e:
        tracer.stop()
        sys.stderr.write(process.user_traceback(e))
        code = 1
    tracer.stop()
    process.finish(code)


main()
