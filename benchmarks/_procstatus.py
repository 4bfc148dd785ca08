"""A field of /proc/self/status in kB (VmRSS now, VmHWM the peak): the memory benchmarks' one probe."""


def status_kb(field: str) -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return 0
