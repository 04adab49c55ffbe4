"""Finding the llama.cpp servers a test started, among any others on the machine.

Other sessions (an eval, another test run) may run their own embedded servers at the same
time, so "all llama_cpp.server processes" is not a test's own set. A test sets a unique
environment marker in the process it starts; the server inherits the environment, and
/proc/PID/environ tells whose it is.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

MARKER_VAR = "EXTRACT_TEST_MARKER"


def new_marker() -> str:
    return uuid.uuid4().hex


def _cmdline(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return b""


def _environ(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return b""


def servers(marker: str | None = None) -> set[int]:
    """Live (not zombie) llama_cpp.server processes; with a marker, only those carrying it."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        pid = int(entry)
        if b"llama_cpp.server" not in _cmdline(pid) or not alive(pid):
            continue
        if marker is None or f"{MARKER_VAR}={marker}".encode() in _environ(pid).split(b"\0"):
            found.add(pid)
    return found


def alive(pid: int) -> bool:
    """True while the process exists and is not a zombie."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def ray_workers(marker: str) -> set[int]:
    """Live extract Ray workers (actor processes titled ray::ExtractWorker) carrying the marker:
    Ray's processes inherit the environment of the process that started the local instance."""
    found = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit() or b"ray::ExtractWorker" not in _cmdline(int(entry)) or not alive(int(entry)):
            continue
        if f"{MARKER_VAR}={marker}".encode() in _environ(int(entry)).split(b"\0"):
            found.add(int(entry))
    return found
