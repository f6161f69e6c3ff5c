"""Resident memory and open descriptors of a parley master and its worker processes (/proc)."""

import os


def children(pid):
    try:
        with open("/proc/%d/task/%d/children" % (pid, pid)) as f:
            return [int(p) for p in f.read().split()]
    except OSError:
        return []


def rss_kib(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def fd_count(pid):
    try:
        return len(os.listdir("/proc/%d/fd" % pid))
    except OSError:
        return 0


def tree(pid):
    """{'processes': n, 'rss_kib': sum, 'fds': sum} over the master and its children."""
    pids = [pid] + children(pid)
    return {
        "processes": len(pids),
        "rss_kib": sum(rss_kib(p) for p in pids),
        "fds": sum(fd_count(p) for p in pids),
    }
