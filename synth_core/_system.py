"""What this machine has, measured when asked (Linux /proc; None where it cannot be read)."""

from __future__ import annotations

import os


def cores() -> int:
    """Processors this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def _memory_mb(path: str, field_name: str) -> float | None:
    """A figure in kB from a /proc file, in MB; None when unknown."""
    try:
        with open(path) as info:
            for line in info:
                if line.startswith(field_name + ":"):
                    return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def total_memory_mb() -> float | None:
    """The machine's memory (MemTotal), in MB."""
    return _memory_mb("/proc/meminfo", "MemTotal")


def available_memory_mb() -> float | None:
    """Memory the system could still give processes (MemAvailable), in MB."""
    return _memory_mb("/proc/meminfo", "MemAvailable")


def resident_memory_mb() -> float | None:
    """This process's resident memory now (VmRSS), in MB."""
    return _memory_mb("/proc/self/status", "VmRSS")


def peak_memory_mb(pid: int) -> float | None:
    """A live process's peak resident memory (VmHWM), in MB."""
    return _memory_mb(f"/proc/{pid}/status", "VmHWM")


def own_peak_memory_mb() -> float | None:
    """This process's peak resident memory in MB (getrusage; Linux reports kB)."""
    try:
        import resource
    except ImportError:  # not on POSIX
        return None
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
