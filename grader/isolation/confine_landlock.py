"""Landlock: the kernel's unprivileged access control, applied by a process to itself and its children.

A ruleset handles every access right the running kernel knows; whatever no rule grants is denied,
even to root. Besides the filesystem, ABI 4 denies TCP bind/connect and ABI 6 keeps signals and
abstract unix sockets inside the sandbox (no signal to the grading process, the forkserver, anyone).
"""

from __future__ import annotations

import ctypes
import os
import stat
from pathlib import Path

from grader.isolation import confine_kernel as kernel

EXECUTE, WRITE_FILE, READ_FILE, READ_DIR = 1 << 0, 1 << 1, 1 << 2, 1 << 3
_ABI1_FS = (1 << 13) - 1  # execute .. make_sym
_REFER, _TRUNCATE, _IOCTL_DEV = 1 << 13, 1 << 14, 1 << 15
_FILE_RIGHTS = EXECUTE | WRITE_FILE | READ_FILE | _TRUNCATE | _IOCTL_DEV
READ = EXECUTE | READ_FILE | READ_DIR
_NET_TCP = (1 << 0) | (1 << 1)  # bind, connect
_SCOPE = (1 << 0) | (1 << 1)    # abstract unix sockets, signals
_RULE_PATH_BENEATH = 1
_CREATE_RULESET_VERSION = 1


class _RulesetAttr(ctypes.Structure):
    _fields_ = [("handled_access_fs", ctypes.c_uint64), ("handled_access_net", ctypes.c_uint64),
                ("scoped", ctypes.c_uint64)]


class _PathBeneath(ctypes.Structure):
    _pack_ = 1
    _fields_ = [("allowed_access", ctypes.c_uint64), ("parent_fd", ctypes.c_int32)]


def abi() -> int:
    """The Landlock ABI version of the running kernel, 0 when it has none (or it is disabled)."""
    version = kernel.syscall(kernel.SYS_LANDLOCK_CREATE_RULESET, None, ctypes.c_size_t(0),
                             ctypes.c_uint32(_CREATE_RULESET_VERSION))
    return max(int(version), 0)


def _handled_fs(version: int) -> int:
    return _ABI1_FS | (_REFER if version >= 2 else 0) | (_TRUNCATE if version >= 3 else 0) | (
        _IOCTL_DEV if version >= 5 else 0)


def restrict(read: list[Path], write: list[Path], read_write_files: list[Path]) -> int:
    """Confines this process (and its future children) to reading beneath `read`, writing beneath
    `write` and to the given files; no TCP, no signal or abstract socket out of the sandbox.
    Returns the ABI used. Paths that do not exist are skipped. Needs PR_SET_NO_NEW_PRIVS first."""
    version = abi()
    if version < 1:
        raise kernel.KernelRefused(0, "Landlock is not available")
    handled = _handled_fs(version)
    attr = _RulesetAttr(handled, _NET_TCP if version >= 4 else 0, _SCOPE if version >= 6 else 0)
    size = ctypes.sizeof(attr) if version >= 6 else (16 if version >= 4 else 8)
    ruleset = kernel.check(kernel.syscall(kernel.SYS_LANDLOCK_CREATE_RULESET, ctypes.byref(attr),
                                          ctypes.c_size_t(size), ctypes.c_uint32(0)), "landlock_create_ruleset")
    try:
        for paths, access in ((read, READ), (write, handled), (read_write_files, READ_FILE | WRITE_FILE | _TRUNCATE)):
            for path in paths:
                _allow(ruleset, path, access & handled)
        kernel.check(kernel.syscall(kernel.SYS_LANDLOCK_RESTRICT_SELF, ruleset, ctypes.c_uint32(0)),
                     "landlock_restrict_self")
    finally:
        os.close(ruleset)
    return version


def _allow(ruleset: int, path: Path, access: int) -> None:
    try:
        fd = os.open(path, os.O_PATH | os.O_CLOEXEC)
    except OSError:
        return
    try:
        if not stat.S_ISDIR(os.fstat(fd).st_mode):
            access &= _FILE_RIGHTS
        rule = _PathBeneath(access, fd)
        kernel.check(kernel.syscall(kernel.SYS_LANDLOCK_ADD_RULE, ruleset, _RULE_PATH_BENEATH, ctypes.byref(rule),
                                    ctypes.c_uint32(0)), f"landlock_add_rule {path}")
    finally:
        os.close(fd)
