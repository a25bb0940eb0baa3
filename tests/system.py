"""What the system tests (tests/test_jupyterhub.py, tests/test_slurm.py) start outside Python, and stop again.

They run real services on this machine: Unix users and groups, a JupyterHub with its proxy, Slurm's and
munge's daemons. Each is created with a name of its own (so parallel runs never share one) and removed when
the test ends, whether it passed or failed: users with their home folders, processes by their process group,
their user id or the mount namespace they were started in.

A test that cannot run here (a package missing) is skipped with a message saying what to install,
except under ``CI=true``, where it fails: ``.ci/run`` installs everything these tests need. Without root they
skip everywhere (see :func:`need_root`).
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest

#: How long a service gets to stop after SIGTERM before it and its group are killed.
STOP_S = 30


def under_ci() -> bool:
    """True under ``CI=true``, where a test that cannot run fails instead of skipping."""
    return os.environ.get("CI", "").lower() == "true"


def need(ok: bool, reason: str) -> None:
    """Skip the test with ``reason`` unless ``ok``; under ``CI=true`` fail with it (``.ci/run`` installs it all)."""
    if ok:
        return
    if under_ci():
        pytest.fail(f"{reason}; under CI=true it is required (.ci/run installs it)", pytrace=False)
    pytest.skip(reason)


def need_root(what: str) -> None:
    """Skip unless we run as root, which creating users and starting daemons takes.

    A skip under ``CI=true`` too: root is not something ``.ci/run`` can install. The project's CI runs as root;
    GitHub's hosted runner runs ``.ci/run`` as a user, and these tests skip there.
    """
    if os.geteuid() != 0:
        pytest.skip(f"{what} needs root (it creates Unix users and starts system daemons)")


def need_commands(commands: Iterable[str], install: str) -> None:
    """Skip (fail under CI) unless every command is on ``PATH``; ``install`` says how to get them."""
    missing = [command for command in commands if shutil.which(command) is None]
    need(not missing, f"{', '.join(missing)} not on PATH ({install})")


def unique_suffix() -> str:
    """Six hex digits that make this run's user, group and cluster names its own."""
    return secrets.token_hex(3)


def world_reachable_folder(prefix: str) -> Path:
    """A new folder in the system's temporary folder that every user can traverse (0755).

    pytest's ``tmp_path`` lies in root's 0700 folder, which other users (and munge) cannot reach.
    """
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    folder.chmod(0o755)
    return folder


@dataclass(frozen=True)
class UnixUser:
    """A Unix user the test created: its name, password, user id and home folder."""

    name: str
    password: str
    uid: int
    home: Path


@dataclass
class UnixAccounts:
    """Unix users and groups created for one test; :meth:`remove` deletes them, their homes and processes."""

    users: list[UnixUser] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    def add_group(self, name: str) -> str:
        """Create the group ``name``."""
        subprocess.run(["groupadd", name], check=True, capture_output=True)
        self.groups.append(name)
        return name

    def add_user(self, name: str, *, home: Path, groups: Iterable[str] = ()) -> UnixUser:
        """Create ``name`` with a random password, a 0700 home folder at ``home`` and membership of ``groups``."""
        command = ["useradd", "--create-home", "--home-dir", str(home), "--shell", "/bin/bash"]
        if groups := list(groups):
            command += ["--groups", ",".join(groups)]
        subprocess.run([*command, name], check=True, capture_output=True)
        password = secrets.token_urlsafe(16)
        subprocess.run(["chpasswd"], input=f"{name}:{password}\n", text=True, check=True, capture_output=True)
        home.chmod(0o700)  # what keeps one student's work and feedback from another (some systems default to 0755)
        user = UnixUser(name, password, int(subprocess.check_output(["id", "-u", name], text=True)), home)
        self.users.append(user)
        return user

    def remove(self) -> None:
        """Kill every process of these users, then delete them with their homes, then their groups."""
        kill_processes(uids={user.uid for user in self.users})
        for user in self.users:
            subprocess.run(["userdel", "--remove", user.name], capture_output=True)
        for group in self.groups:
            subprocess.run(["groupdel", group], capture_output=True)


@contextmanager
def unix_accounts() -> Iterator[UnixAccounts]:
    """Users and groups that exist until the block ends, however it ends."""
    accounts = UnixAccounts()
    try:
        yield accounts
    finally:
        accounts.remove()


def mount_namespace(pid: int) -> str:
    """The mount namespace of process ``pid`` (as ``mnt:[inode]``)."""
    return os.readlink(f"/proc/{pid}/ns/mnt")


def kill_processes(*, uids: set[int] = frozenset(), namespace: str = "") -> int:
    """Kill every process whose real user id is in ``uids`` or that lives in mount namespace ``namespace``.

    Returns how many were killed. Repeats until none is found, so a child forked meanwhile goes too.
    """
    if not uids and not namespace:
        return 0
    killed = 0
    for _ in range(10):
        found = 0
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit() or int(entry.name) == os.getpid():
                continue
            try:
                status = (entry / "status").read_text().splitlines()
                uid = next(int(line.split()[1]) for line in status if line.startswith("Uid:"))
                in_namespace = bool(namespace) and os.readlink(entry / "ns" / "mnt") == namespace
                if uid in uids or in_namespace:
                    os.kill(int(entry.name), signal.SIGKILL)
                    found += 1
            except (OSError, StopIteration, ValueError):
                continue  # it ended meanwhile
        killed += found
        if not found:
            break
        time.sleep(0.2)
    return killed


def stop_process_group(process: subprocess.Popen, *, timeout: float = STOP_S) -> None:
    """SIGTERM ``process`` (started with ``start_new_session=True``), wait, then SIGKILL its whole group."""
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
    try:
        os.killpg(process.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    process.wait()
