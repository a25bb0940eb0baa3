"""Run a student's kernel isolated and limited: bubblewrap where installed, rlimits and a uid of its own always.

Only the kernel (the student's code) is confined; nbgrader, which runs the kernel, is not. The kernel

- sees, read-only, the system (``/usr``, ``/etc``, ...), the Python installation, the virtual
  environment and the ``dcai_helpers`` package, and nothing else of the file system: not
  ``solutions/``, not the gradebook, not the hidden tests, not other students' submissions;
- may write only to its own scratch folder (the folder nbgrader executes the notebook in);
- has no network (a network namespace of its own; it talks to nbgrader over unix sockets);
- runs as a user id of its own (claimed with :func:`claim_kernel_uid`, so no two kernels on the
  machine share one, whichever grading run started them) with limits on its address space
  (``RLIMIT_AS``) and on the number of its processes and threads (``RLIMIT_NPROC``).

Without bubblewrap (:func:`bwrap_available` is false) ``dcai grade`` refuses to grade unless told
``--no-sandbox``; the fallback then keeps the user id (when Python is reachable by other users), the
rlimits, a scrubbed environment and file permissions that hide the grading folders, but the kernel can
read any world-readable file (a world-readable checkout of ``solutions/`` included) and reach the network.

Whatever a kernel starts ends with its submission, on every path and with or without bubblewrap:
:func:`end_processes` kills the worker's session and every process that carries the submission's token
in its environment (a daemon that started a session of its own included), and the kernel's user id is swept.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from traitlets import Instance, Integer, Unicode

import dcai_helpers
from dcai_helpers.grading.limits import Limits

#: The kernels' user ids: ``KERNEL_UID_BASE`` up to ``KERNEL_UID_BASE + KERNEL_UID_COUNT - 1``.
KERNEL_UID_BASE = 61000
KERNEL_UID_COUNT = 1000
#: Root-only folder of the lock files that give each running kernel a user id of its own (only root switches
#: a kernel's user id; a grader run by a normal user runs its kernels as itself and takes no lock).
UID_LOCK_DIR = Path(tempfile.gettempdir()) / "dcai-kernel-uids"
#: Processes plus threads one kernel's user id may run (``RLIMIT_NPROC``).
MAX_PROCESSES = 128
#: System folders a kernel may read (those that exist are bound read-only).
SYSTEM_PATHS = ("/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/etc", "/opt")
#: The environment variable that marks every process a submission's kernel started.
TOKEN_VARIABLE = "DCAI_GRADING_TOKEN"


def bwrap_available() -> bool:
    """True when bubblewrap is installed and can create the namespaces the sandbox needs."""
    bwrap = shutil.which("bwrap")
    if bwrap is None:
        return False
    probe = [bwrap, "--unshare-net", "--unshare-pid", "--ro-bind", "/", "/", "--proc", "/proc", "--dev", "/dev", "true"]
    return subprocess.run(probe, capture_output=True, timeout=30).returncode == 0


def readable_roots() -> list[Path]:
    """Folders outside the system ones a kernel must read: Python, the venv and ``dcai_helpers`` only."""
    package = Path(dcai_helpers.__file__).resolve().parent
    roots = {Path(sys.base_prefix).resolve(), Path(sys.prefix), package}
    return sorted(roots)


def others_can_run_python() -> bool:
    """True when a user other than us can reach Python, the venv and ``dcai_helpers`` (every folder on the way is o+x).

    Without bubblewrap, the kernel's own user id needs this; a Python under ``/root`` (mode 0700), say, fails it.
    """
    roots = [*readable_roots(), Path(os.path.realpath(sys.executable))]
    return all(os.stat(folder).st_mode & stat.S_IXOTH for folder in _ancestors(roots) + roots if folder.exists())


def _ancestors(paths: list[Path]) -> list[Path]:
    """Every ancestor folder of ``paths`` (without ``/``), parents first."""
    found = set()
    for path in paths:
        found.update(p for p in path.parents if p != Path("/"))
    return sorted(found, key=lambda p: (len(p.parts), str(p)))


def bwrap_prefix(writable: list[tuple[Path, Path]], *, scratch: Path | None = None, disk_mb: int = 0) -> list[str]:
    """The ``bwrap`` arguments that confine a process to read-only system and Python.

    ``writable`` holds ``(folder, seen_as)`` pairs: host folders it may write, and where it sees them.
    ``scratch``, when given, is a file system of ``disk_mb`` MiB of its own (a ``tmpfs`` that lives and dies
    with the sandbox), which is all it may fill; ``/dev/shm`` gets the same size.
    """
    readable = readable_roots()
    cmd = [shutil.which("bwrap") or "bwrap", "--unshare-ipc", "--unshare-pid", "--unshare-net", "--unshare-uts"]
    cmd += ["--unshare-cgroup-try", "--die-with-parent", "--new-session", "--clearenv"]
    # The kernel switches to its own user id inside the sandbox (see kernel_command).
    cmd += ["--cap-add", "CAP_SETUID,CAP_SETGID"] if os.geteuid() == 0 else []
    for path in SYSTEM_PATHS:
        if Path(path).exists():
            cmd += ["--ro-bind", path, path]
    seen = [seen_as for _, seen_as in writable] + ([scratch] if scratch else [])
    # bwrap creates missing parents with mode 0700; a non-root kernel must traverse them.
    for folder in _ancestors(readable + seen):
        if not any(str(folder).startswith(p + "/") or str(folder) == p for p in SYSTEM_PATHS):
            cmd += ["--perms", "0755", "--dir", str(folder)]
    for path in readable:
        cmd += ["--ro-bind", str(path), str(path)]
    for folder, seen_as in writable:
        cmd += ["--bind", str(folder), str(seen_as)]
    size = ["--size", str(disk_mb * 1024 * 1024)] if disk_mb else []
    if scratch is not None:
        cmd += ["--perms", "1777", *size, "--tmpfs", str(scratch)]
    cmd += ["--proc", "/proc", "--dev", "/dev", "--perms", "1777", *size, "--tmpfs", "/dev/shm"]
    return cmd


def kernel_command(
    argv: list[str],
    *,
    scratch: Path,
    extra_writable: list[Path],
    limits: Limits,
    uid: int,
    workdir: Path | None = None,
    token: str = "",
) -> list[str]:
    """Wrap a kernel's ``argv`` so it runs sandboxed under ``limits``, writing only its scratch folder.

    The caller starts the command with ``scratch`` as its working folder (that is all the fallback has).

    Parameters
    ----------
    argv : list of str
        The kernel's command, for example ``[python, -m, ipykernel_launcher, -f, conn.json]``.
    scratch : Path
        Without bubblewrap, the kernel's working and only writable folder (also its ``HOME`` and ``TMPDIR``).
        With bubblewrap the kernel gets a fresh file system of ``limits.disk_mb`` MiB instead, at ``workdir``.
    extra_writable : list of Path
        Further folders the kernel must write (its connection file and unix sockets).
    limits : Limits
        Memory, disk, thread and isolation limits.
    uid : int
        User id the kernel runs as (applied only when the grader runs as root).
    workdir : Path, optional
        Where the kernel sees its scratch folder inside bubblewrap (default: at ``scratch``'s path). nbgrader
        runs the kernel in the folder it writes the graded notebook to; a file system of the kernel's own
        there keeps it from planting files (or symlinks) where nbgrader, as root, writes next.
    token : str, optional
        Put in the kernel's environment as ``DCAI_GRADING_TOKEN``, which its children inherit, so that
        :func:`end_processes` finds whatever it started (a daemon that left its session included).
    """
    home = workdir if limits.isolate and workdir else scratch
    env = {
        "PATH": f"{Path(sys.executable).parent}:/usr/local/bin:/usr/bin:/bin",
        "HOME": str(home),
        "TMPDIR": str(home),
        "MPLCONFIGDIR": str(home),
        "LANG": "C.UTF-8",
        "PYTHONDONTWRITEBYTECODE": "1",
        "NBGRADER_EXECUTION": "autograde",
    }
    if token:
        env[TOKEN_VARIABLE] = token
    if limits.threads:
        # Parallel kernels that each take every core slow each other down.
        env.update(thread_environment(limits.threads))
    cmd: list[str] = []
    if limits.isolate:
        cmd += bwrap_prefix([(path, path) for path in extra_writable], scratch=home, disk_mb=limits.disk_mb)
        cmd += ["--chdir", str(home)]
        for key, value in env.items():
            cmd += ["--setenv", key, value]
    else:
        cmd += ["env", "-i", *(f"{key}={value}" for key, value in env.items())]
    # Inside bubblewrap the bound folders are reachable; without it, only a world-reachable Python is.
    switch_user = os.geteuid() == 0 and shutil.which("setpriv") and (limits.isolate or others_can_run_python())
    if switch_user:
        cmd += ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
        cmd += ["--inh-caps=-all", "--bounding-set=-all"]
    memory = limits.memory_mb * 1024 * 1024
    # RLIMIT_FSIZE too, so one file cannot fill the disk (the only disk limit without bubblewrap).
    cmd += ["prlimit", f"--as={memory}", f"--fsize={min(memory, limits.disk_mb * 1024 * 1024)}", "--core=0"]
    # RLIMIT_NPROC counts every process of the user id; it only means something for a uid of its own.
    cmd += [f"--nproc={MAX_PROCESSES}"] if switch_user else []
    return [*cmd, "--", *argv]


#: The environment variables that set the numerical libraries' threads (torch follows OMP_NUM_THREADS).
THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def thread_environment(threads: int) -> dict[str, str]:
    """The environment that gives OpenMP, OpenBLAS, MKL and torch ``threads`` threads each."""
    return {variable: str(threads) for variable in THREAD_VARIABLES}


class SandboxedKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel runs through :func:`kernel_command`, talking over unix sockets.

    ``scratch_root`` holds ``kernel/`` (the connection file and sockets) and ``work/`` (the kernel's only
    writable folder without bubblewrap; with it, a sized file system of its own at the ``cwd`` nbclient asks
    for: nbgrader's autograded folder).
    """

    scratch_root = Unicode(help="folder for the connection file and unix sockets of the kernel").tag(config=True)
    limits = Instance(Limits, args=(), help="what the kernel may use (see dcai_helpers.grading.limits)").tag(
        config=True
    )
    uid = Integer(KERNEL_UID_BASE, help="the kernel's user id (applied when the grader runs as root)").tag(config=True)
    token = Unicode("", help="marks the kernel and all it starts (see end_processes)").tag(config=True)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._kernel_dir = Path(self.scratch_root) / "kernel"
        self._work_dir = Path(self.scratch_root) / "work"
        for folder in (Path(self.scratch_root), self._kernel_dir, self._work_dir):
            folder.mkdir(parents=True, exist_ok=True)
            os.chmod(folder, 0o711)
        _give_to(self._kernel_dir, self.uid)
        _give_to(self._work_dir, self.uid)
        if self.limits.isolate:
            # The kernel has its own network namespace: TCP to 127.0.0.1 would not reach nbgrader.
            self.transport = "ipc"
            self.ip = str(self._kernel_dir / "ipc")
        self.connection_file = str(self._kernel_dir / "kernel.json")
        self._kernel_cwd: Path | None = None

    async def _async_pre_start_kernel(self, **kw):
        self._kernel_cwd = Path(kw.get("cwd") or self._work_dir).resolve()
        kw["cwd"] = str(self._work_dir)
        # bwrap does not forward SIGINT; ipykernel interrupts itself on an interrupt_request message.
        self.kernel_spec.interrupt_mode = "message"
        if self.token:  # bubblewrap itself carries the mark too
            kw["env"] = {**(kw.get("env") or os.environ), TOKEN_VARIABLE: self.token}
        cmd, kw = await super()._async_pre_start_kernel(**kw)
        _give_to(Path(self.connection_file), self.uid)
        return cmd, kw

    def lock_kernel_folder(self) -> None:
        """Once the kernel is up: its connection folder stops being writable to it (it could fill the disk there).

        The sockets it bound stay usable. Only a grader running as root can take the folder back from a kernel
        of its own user id; a normal user's kernel could undo a ``chmod``, so there it is left as it is.
        """
        if os.geteuid() == 0:
            for item in [self._kernel_dir, *self._kernel_dir.iterdir()]:
                if item.is_file() and not item.is_symlink():
                    os.chown(item, 0, 0, follow_symlinks=False)
                    os.chmod(item, 0o644)
            os.chown(self._kernel_dir, 0, 0)
            os.chmod(self._kernel_dir, 0o711)

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        """The kernel's command, wrapped in the sandbox."""
        argv = super().format_kernel_cmd(extra_arguments)
        argv[0] = sys.executable if Path(argv[0]).name.startswith("python") else argv[0]
        return kernel_command(
            argv,
            scratch=self._work_dir,
            extra_writable=[self._kernel_dir],
            limits=self.limits,
            uid=self.uid,
            workdir=self._kernel_cwd,
            token=self.token,
        )


@contextlib.contextmanager
def claim_kernel_uid() -> Iterator[int]:
    """Hold a kernel user id that no other kernel on this machine uses until the block ends.

    Each id has a lock file; the first one this process can lock is its. Parallel workers, and
    grading runs in other processes (two ``dcai grade`` at once, parallel tests), thus never share an
    id, so one run's process limit and its sweep of leftover processes (:func:`kill_processes_of`,
    on entry and on exit) never touch another run's kernel.

    Raises
    ------
    RuntimeError
        When all ``KERNEL_UID_COUNT`` ids are in use.
    """
    if os.geteuid() != 0:  # a normal user's kernels run as that user: no id to share, nothing to lock
        yield os.geteuid()
        return
    UID_LOCK_DIR.mkdir(mode=0o700, exist_ok=True)
    if UID_LOCK_DIR.is_symlink() or UID_LOCK_DIR.stat().st_uid != 0:
        raise RuntimeError(f"{UID_LOCK_DIR} is not root's own folder; remove it and grade again")
    for uid in range(KERNEL_UID_BASE, KERNEL_UID_BASE + KERNEL_UID_COUNT):
        handle = open(UID_LOCK_DIR / f"{uid}.lock", "a")  # noqa: SIM115 (held for the whole block)
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            continue
        try:
            kill_processes_of(uid)  # left by a grading run that was itself killed
            yield uid
        finally:
            kill_processes_of(uid)  # what the kernel left behind
            handle.close()
        return
    raise RuntimeError(f"all {KERNEL_UID_COUNT} kernel user ids are in use; grade with fewer --jobs at once")


def kill_processes_of(uid: int) -> int:
    """Kill every process running as ``uid`` (a kernel's own user id) and return how many.

    A kernel's children can outlive it (a fork storm, a daemon); with bubblewrap they die with its
    pid namespace, without it this sweep is what ends them. Only ids from ``KERNEL_UID_BASE`` up are swept.
    """
    if uid < KERNEL_UID_BASE or os.geteuid() != 0:
        return 0
    killed = 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            real_uid = next(
                int(line.split()[1]) for line in (entry / "status").read_text().splitlines() if line.startswith("Uid:")
            )
            if real_uid == uid:
                os.kill(int(entry.name), 9)
                killed += 1
        except (OSError, StopIteration, ValueError):
            continue  # the process ended meanwhile
    return killed


def end_processes(*, token: str = "", session: int = 0) -> int:
    """Kill every process marked with ``token`` or in session ``session``; return how many.

    Whatever a submission's kernel starts ends with the submission, on every path: the worker's session
    holds nbgrader and (through bubblewrap's ``--die-with-parent``) the sandbox; the token, inherited
    through the environment, finds a kernel or daemon that started a session of its own, with or without
    bubblewrap and whatever its user id. Our own process is never killed.
    """
    if not token and not session:
        return 0
    mark = f"{TOKEN_VARIABLE}={token}".encode()
    killed = 0
    for _ in range(3):  # again, for a child forked while we looked
        found = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                stat_fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                in_session = session and int(stat_fields[3]) == session
                marked = token and mark in (entry / "environ").read_bytes().split(b"\0")
                if in_session or marked:
                    os.kill(int(entry.name), 9)
                    found += 1
            except (OSError, IndexError, ValueError):
                continue  # the process ended meanwhile, or is not ours to read
        killed += found
        if not found:
            break
    return killed


def _give_to(path: Path, uid: int) -> None:
    """Make ``path`` (recursively) the kernel user's, when we run as root; private to it otherwise."""
    if os.geteuid() != 0:
        return
    for item in [path, *path.rglob("*")] if path.is_dir() else [path]:
        os.chown(item, uid, uid, follow_symlinks=False)
