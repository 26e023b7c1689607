"""Linux namespaces for a worker: its own mounts, network, processes and IPC, and a root filesystem
built for it that holds only what it may read (like bubblewrap does, without its executable).

The worker enters the namespaces itself, after the fork from the preloaded forkserver, so a worker
still costs a fork plus a few dozen mount calls. A new PID namespace applies to children only, so
the worker forks once more: the child is PID 1 of the namespace and runs the submission; the parent
just waits and exits like it (when PID 1 dies, the kernel kills every process of the namespace).
"""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

from grader.isolation import confine_kernel as kernel

NOBODY = 65534
_DEVICES = ("null", "zero", "full", "random", "urandom")
STAGING = "/tmp"  # an empty tmpfs is mounted here (in the worker's mount namespace only)


def unshare_all(privileged: bool) -> None:
    """Root enters new namespaces directly (and later drops to `nobody`); anyone else through a
    user namespace in which they keep their own uid."""
    flags = kernel.CLONE_NEWNS | kernel.CLONE_NEWNET | kernel.CLONE_NEWPID | kernel.CLONE_NEWIPC
    if privileged:
        kernel.unshare(flags)
        return
    uid, gid = os.geteuid(), os.getegid()
    kernel.unshare(flags | kernel.CLONE_NEWUSER)
    Path("/proc/self/setgroups").write_text("deny")
    Path("/proc/self/uid_map").write_text(f"{uid} {uid} 1")
    Path("/proc/self/gid_map").write_text(f"{gid} {gid} 1")


def become_pid_one(keep_fd: int) -> None:
    """Forks; returns in the child (PID 1 of the new namespace). The parent closes its copy of
    `keep_fd` (the result pipe, so that the grading process sees EOF when the child dies), waits
    for the child and ends the same way it did."""
    pid = os.fork()
    if pid == 0:
        kernel.prctl(kernel.PR_SET_PDEATHSIG, signal.SIGKILL)
        return
    os.close(keep_fd)
    while True:
        try:
            _, status = os.waitpid(pid, 0)
            break
        except InterruptedError:
            continue
        except ChildProcessError:
            os._exit(1)
    if os.WIFSIGNALED(status):
        sig = os.WTERMSIG(status)
        signal.signal(sig, signal.SIG_DFL)
        os.kill(os.getpid(), sig)
    os._exit(os.waitstatus_to_exitcode(status) if os.WIFEXITED(status) else 1)


def _bind(source: str, target: Path, *, read_only: bool = True) -> None:
    if os.path.isdir(source):
        target.mkdir(parents=True, exist_ok=True)
    else:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.touch(exist_ok=True)
    kernel.mount(source, str(target), None, kernel.MS_BIND | kernel.MS_REC)
    if read_only:
        kernel.make_read_only(str(target))


def _private_copy(source: str, target: Path) -> None:
    """A read-only tmpfs copy of `source`, readable by anyone (for a submission `nobody` may not read)."""
    target.mkdir(parents=True, exist_ok=True)
    kernel.mount("tmpfs", str(target), "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, "mode=0755")
    shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True)
    os.chmod(target, 0o755)
    for folder, dirs, files in os.walk(target):
        for name in dirs:
            os.chmod(os.path.join(folder, name), 0o755)
        for name in files:
            if not os.path.islink(os.path.join(folder, name)):
                os.chmod(os.path.join(folder, name), 0o644)
    kernel.make_read_only(str(target))


def build_root(read: list[str], hidden: list[str], submission: str, *, scratch: str, scratch_bytes: int,
               owner: tuple[int, int], copy_submission: bool = False) -> bool:
    """Replaces the root filesystem with one holding, read-only, the `read` paths (minus `hidden`
    ones inside them) and the submission; a private tmpfs of `scratch_bytes` at `scratch`, owned by
    `owner`; the few devices Python needs; and a fresh /proc when the kernel allows one. The submission
    is a read-only view of the original, or with `copy_submission` a private read-only copy.
    Returns whether /proc was mounted."""
    kernel.mount(None, "/", None, kernel.MS_REC | kernel.MS_PRIVATE)
    kernel.mount("tmpfs", STAGING, "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, "size=64k,mode=0755")
    os.mkdir(f"{STAGING}/old")
    kernel.pivot_root(STAGING, f"{STAGING}/old")
    os.chdir("/")
    new = Path("/new")
    new.mkdir()
    kernel.mount("tmpfs", str(new), "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV, "size=1m,mode=0755")
    old = "/old"
    # The scratch first: a read tree or the submission under the scratch's path (a clone in /tmp, its
    # .venv) is bound inside it, instead of being covered by it.
    scratch_dir = new / scratch.lstrip("/")
    scratch_dir.mkdir(parents=True, exist_ok=True)
    kernel.mount("tmpfs", str(scratch_dir), "tmpfs", kernel.MS_NOSUID | kernel.MS_NODEV,
                 f"size={scratch_bytes},mode=0700,uid={owner[0]},gid={owner[1]}")
    for path in read:
        source = old + path
        if os.path.islink(source) and os.path.dirname(path) == "/":  # /bin -> usr/bin and the like
            os.symlink(os.readlink(source), new / path.lstrip("/"))
        elif os.path.exists(source):
            _bind(source, new / path.lstrip("/"))
    for path in hidden:
        target = new / path.lstrip("/")
        if target.is_dir() and not target.is_symlink():
            kernel.mount("tmpfs", str(target), "tmpfs", kernel.MS_RDONLY | kernel.MS_NOSUID | kernel.MS_NODEV,
                         "size=4k,mode=0")
        elif target.exists() and not target.is_symlink():
            kernel.mount(f"{old}/dev/null", str(target), None, kernel.MS_BIND)
    if copy_submission:
        _private_copy(old + submission, new / submission.lstrip("/"))
    else:
        _bind(old + submission, new / submission.lstrip("/"))
    for device in _DEVICES:
        if os.path.exists(f"{old}/dev/{device}"):
            _bind(f"{old}/dev/{device}", new / "dev" / device, read_only=False)
    (new / "proc").mkdir(exist_ok=True)
    try:
        kernel.mount("proc", str(new / "proc"), "proc", kernel.MS_RDONLY | kernel.MS_NOSUID | kernel.MS_NODEV
                     | kernel.MS_NOEXEC)
        has_proc = True
    except kernel.KernelRefused:  # user namespaces under a masked /proc (Docker): no /proc at all
        has_proc = False
    kernel.mount(None, str(new), None, kernel.MS_REMOUNT | kernel.MS_BIND | kernel.MS_RDONLY | kernel.MS_NOSUID
                 | kernel.MS_NODEV)
    os.chdir(new)
    kernel.pivot_root(".", ".")  # the old root (staging tmpfs with the host tree) ends up on top...
    kernel.umount_detach(".")    # ...and is detached: nothing of the host remains reachable
    os.chdir("/")
    return has_proc


def drop_privileges(privileged: bool) -> tuple[int, int]:
    """Root becomes `nobody`; anyone else keeps their uid. No capability is left either way."""
    kernel.drop_bounding_set()
    if privileged:
        os.setgroups([])
        os.setresgid(NOBODY, NOBODY, NOBODY)
        os.setresuid(NOBODY, NOBODY, NOBODY)
    kernel.clear_capabilities()
    return os.getuid(), os.getgid()
