# For tests/python_cli.sh: exits 1 under mpsim's simulation runtime and 0 under
# CPython (observed or not), so validate must find the mismatch.
import sys

if __name__ == '__main__':
    sys.exit(1 if 'mpsim_rt.channel' in sys.modules else 0)
