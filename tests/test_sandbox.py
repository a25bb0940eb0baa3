"""The kernel sandbox: what a confined process can read, write and reach."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from dcai_helpers.grading import sandbox
from dcai_helpers.grading.limits import Limits
from dcai_helpers.grading.sandbox import (
    KERNEL_UID_BASE,
    bwrap_available,
    claim_kernel_uid,
    kernel_command,
    others_can_run_python,
)

needs_bwrap = pytest.mark.skipif(not bwrap_available(), reason="needs bubblewrap: apt-get install -y bubblewrap")

PROBE = """
import json, os, socket, sys
report = {}
try:
    open(sys.argv[1]).read(); report["read_secret"] = True
except OSError:
    report["read_secret"] = False
try:
    open(os.path.join(sys.argv[2], "out.txt"), "w").write("x"); report["write_scratch"] = True
except OSError:
    report["write_scratch"] = False
try:
    open(sys.argv[1] + ".new", "w"); report["write_outside"] = True
except OSError:
    report["write_outside"] = False
try:
    socket.create_connection(("127.0.0.1", int(sys.argv[3])), timeout=2).close(); report["network"] = True
except OSError:
    report["network"] = False
try:
    bytearray(8 * 1024**3); report["big_alloc"] = True
except MemoryError:
    report["big_alloc"] = False
written = 0
try:  # many files, each under any per-file limit: only a limit on the whole folder stops them
    for i in range(400):
        with open(os.path.join(sys.argv[2], f"fill{i}.bin"), "wb") as f:
            f.write(b"x" * 1024 * 1024)
        written += 1
except OSError:
    pass
report["wrote_mb"] = written
import dcai_helpers, numpy
print(json.dumps(report))
"""


@pytest.fixture
def reachable(tmp_path):
    """A folder the kernel's own user id can traverse (0711, as ``dcai grade``'s work folder), unlike ``tmp_path``.

    pytest's ``tmp_path`` lies in a 0700 folder of root's: a kernel of another user id could not reach a
    scratch folder there, though ``dcai grade`` itself never puts one in such a place.
    """
    folder = Path(tempfile.mkdtemp(prefix="dcai-sandbox-test-"))
    os.chmod(folder, 0o711)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def confined(root: Path, *, probe: str = PROBE, python: str = sys.executable, **limits) -> dict:
    """Run ``probe`` sandboxed with ``python`` and a scratch folder in ``root``; return its report."""
    import json
    import socket

    secret = root / "secret" / "hidden_tests.txt"
    secret.parent.mkdir(exist_ok=True)
    secret.write_text("assert answer == 42")
    scratch = root / "scratch"
    scratch.mkdir()
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    port = server.getsockname()[1]
    try:
        with claim_kernel_uid() as uid:
            if os.geteuid() == 0:
                os.chown(scratch, uid, uid)
            command = kernel_command(
                [python, "-c", probe, str(secret), str(scratch), str(port)],
                scratch=scratch,
                extra_writable=[],
                limits=Limits(memory_mb=2048, disk_mb=64, **limits),
                uid=uid,
            )
            result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        server.close()
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


@needs_bwrap
def test_bubblewrap_confines_files_network_and_memory(reachable):
    report = confined(reachable, isolate=True)
    assert report == {
        "read_secret": False,
        "write_scratch": True,
        "write_outside": False,
        "network": False,
        "big_alloc": False,
        "wrote_mb": report["wrote_mb"],
    }
    # 400 files of 1 MiB each: the 64 MiB file system of its own stops them (a per-file limit would not).
    assert 50 <= report["wrote_mb"] < 64
    assert not list((reachable / "scratch").iterdir()), "the sandbox's scratch lives and dies with it"


@pytest.mark.skipif(
    os.geteuid() != 0 or not others_can_run_python(),
    reason="the fallback's own user id needs root and a Python other users can run",
)
def test_fallback_still_limits_memory_and_hides_private_files(reachable):
    (reachable / "secret").mkdir(mode=0o700)
    report = confined(reachable, isolate=False)
    assert report["write_scratch"] and not report["big_alloc"]
    assert not report["read_secret"] and not report["write_outside"]


def test_fallback_limits_memory(reachable):
    report = confined(reachable, isolate=False)
    assert report["write_scratch"] and not report["big_alloc"]


#: The system's own Python, which other users can run (Debian's python3), and PROBE without numpy and dcai_helpers.
SYSTEM_PYTHON = "/usr/bin/python3"
BARE_PROBE = PROBE.replace("import dcai_helpers, numpy\n", "import os\nreport['uid'] = os.getuid()\n")


def system_python_for_others() -> bool:
    """True when the system Python exists and every folder on its way is open to other users."""
    path = Path(os.path.realpath(SYSTEM_PYTHON))
    return path.is_file() and all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents])


@pytest.mark.skipif(os.geteuid() != 0, reason="a kernel's own user id needs the grader to run as root")
@pytest.mark.skipif(
    not system_python_for_others(), reason=f"needs {SYSTEM_PYTHON}, runnable by other users (apt-get install python3)"
)
def test_fallback_runs_the_kernel_as_its_own_user_id_with_the_system_python(reachable, monkeypatch):
    # CI's Python may live in root's 0700 home, where the own-user-id path is skipped; this runs it anyway.
    monkeypatch.setattr(sandbox, "others_can_run_python", lambda: True)
    (reachable / "secret").mkdir(mode=0o700)
    report = confined(reachable, probe=BARE_PROBE, python=SYSTEM_PYTHON, isolate=False)
    assert report["uid"] >= KERNEL_UID_BASE
    assert report["write_scratch"] and not report["big_alloc"]
    assert not report["read_secret"] and not report["write_outside"]


def test_kernel_command_sets_rlimits_and_clears_the_environment(tmp_path):
    command = kernel_command(
        ["python", "-m", "ipykernel_launcher"],
        scratch=tmp_path,
        extra_writable=[],
        limits=Limits(memory_mb=100, disk_mb=50, isolate=False),
        uid=KERNEL_UID_BASE,
    )
    assert f"--as={100 * 1024 * 1024}" in command
    assert f"--fsize={50 * 1024 * 1024}" in command, "without bubblewrap only one file's size can be capped"
    assert command[:2] == ["env", "-i"]
    assert command[-3:] == ["python", "-m", "ipykernel_launcher"]


def test_each_claim_gets_a_user_id_of_its_own_until_it_ends(monkeypatch):
    # A range of two ids that no other test uses, so parallel tests cannot take them.
    monkeypatch.setattr(sandbox, "KERNEL_UID_BASE", KERNEL_UID_BASE + 900)
    monkeypatch.setattr(sandbox, "KERNEL_UID_COUNT", 2)
    with claim_kernel_uid() as first, claim_kernel_uid() as second:
        assert {first, second} == {KERNEL_UID_BASE + 900, KERNEL_UID_BASE + 901}
        with pytest.raises(RuntimeError, match="in use"), claim_kernel_uid():
            pass
    with claim_kernel_uid() as again:
        assert again == KERNEL_UID_BASE + 900


def test_a_normal_user_takes_no_lock_and_keeps_its_own_user_id(monkeypatch, tmp_path):
    # Root grading first left its lock folder behind (root's, mode 0700); a normal user then grades.
    monkeypatch.setattr(sandbox, "UID_LOCK_DIR", tmp_path / "locks")
    monkeypatch.setattr(sandbox.os, "geteuid", lambda: 1234)
    with claim_kernel_uid() as uid:
        assert uid == 1234
    assert not (tmp_path / "locks").exists()
