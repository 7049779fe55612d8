#!/usr/bin/env python3
"""Runs a daemon under a child subreaper that reaps what it leaves behind.

    subreaper.py /usr/sbin/libvirtd -d

libvirtd daemonizes, and QEMU guests daemonize again: their parents exit, so they are re-parented to the nearest
subreaper, or to PID 1. Where PID 1 is not an init that reaps orphans (the firecracker init of these machines), an
exited QEMU stays a zombie; libvirt then sees its pid alive and waits on it: a QEMU capability probe blocks every
define for minutes, a destroyed guest never finishes stopping. Started (detached) in front of the daemon, this process
becomes the subreaper of everything the daemon forks, reaps each exit, and ends once none is left; it also outlives a
stopped libvirtd for as long as its guests run.
"""
import ctypes
import os
import sys

PR_SET_CHILD_SUBREAPER = 36


def main(argv):
    if len(argv) < 2:
        sys.exit("usage: subreaper.py PROGRAM [ARG...]")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("subreaper.py: prctl(PR_SET_CHILD_SUBREAPER): " + os.strerror(ctypes.get_errno()))
    if os.fork() == 0:
        try:
            os.execv(argv[1], argv[1:])
        finally:
            os._exit(127)
    while True:
        try:
            os.wait()
        except ChildProcessError:
            return 0
        except InterruptedError:
            continue


if __name__ == "__main__":
    sys.exit(main(sys.argv))
