"""The processes behind a running assistant, for tests/security: which child of this
test run listens on a port, whether it still runs, and killing it (SIGKILL) to take
a server down. Read from /proc (Linux).
"""

from __future__ import annotations

import os
import signal
import time
import urllib.parse


def _listening_inodes(port: int) -> set[str]:
    inodes: set[str] = set()
    suffix = f":{port:04X}"
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = open(table).read().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if fields[1].endswith(suffix) and fields[3] == "0A":  # 0A: LISTEN
                inodes.add(fields[9])
    return inodes


def _children() -> list[int]:
    """Processes this test run started (direct children of this process)."""
    me, found = os.getpid(), []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = open(f"/proc/{entry}/stat").read()
        except OSError:
            continue
        if int(stat.rsplit(")", 1)[1].split()[1]) == me:
            found.append(int(entry))
    return found


def listening_child(port: int) -> int | None:
    """The pid of the child of this process that listens on ``port`` (None: none does)."""
    inodes = _listening_inodes(port)
    if not inodes:
        return None
    for pid in _children():
        try:
            links = [os.readlink(f"/proc/{pid}/fd/{fd}") for fd in os.listdir(f"/proc/{pid}/fd")]
        except OSError:
            continue
        if any(link[8:-1] in inodes for link in links if link.startswith("socket:[")):
            return pid
    return None


def is_running(pid: int) -> bool:
    try:
        state = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")


def port_of(url: str) -> int:
    port = urllib.parse.urlsplit(url).port
    assert port is not None
    return port


def kill_listener(url: str, timeout: float = 15) -> int:
    """Kill (SIGKILL) the process this run started that serves ``url``; return its pid."""
    port = port_of(url)
    pid = listening_child(port)
    assert pid is not None, f"no child process of this test run listens on port {port}"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and (is_running(pid) or _listening_inodes(port)):
        time.sleep(0.1)
    assert not is_running(pid), f"process {pid} still running"
    return pid
