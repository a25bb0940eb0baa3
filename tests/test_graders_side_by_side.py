"""Several graders on one machine: root and a normal user grade one after the other and at the same time.

Root's grader claims kernel user ids through its own lock folder; a normal user's grader cannot switch user ids,
so it takes no lock and never touches root's folder. The user runs this checkout's ``dcai`` in a mount namespace
where the private folders above the venv are opened for it (:mod:`reachable_namespace`), as on a server where the
course lives in a shared folder.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import nbformat
import pytest
from conftest import tiny_notebook
from system import need_commands, need_root, unique_suffix, unix_accounts, world_reachable_folder

from dcai_helpers.authoring.release import generate
from dcai_helpers.grading.records import read_csv
from dcai_helpers.grading.sandbox import bwrap_available
from dcai_helpers.labs import REPO_ROOT, Lab

pytestmark = pytest.mark.skipif(not bwrap_available(), reason="needs bubblewrap: apt-get install -y bubblewrap")


GRADE_SCRIPT = """
import sys
from pathlib import Path
from dcai_helpers.grading.grade import grade
from dcai_helpers.labs import Lab
if __name__ == "__main__":
    lab = Lab("tiny_lab", "Tiny lab", 3, (), "none", solutions_dir=Path("{solutions}"))
    grade(lab, "{submitted}", out=sys.argv[1], jobs=1, timeout=120)
"""


def _class(root: Path, lab: Lab) -> Path:
    release = nbformat.read(generate(lab, root / "release"), as_version=4)
    for student, answer in {
        "ann": "def double(x):\n    return 2 * x\n",
        "bob": "def double(x):\n    return x\n",
    }.items():
        nb = nbformat.from_dict(release)
        nb.cells[1].source = answer
        path = root / "submitted" / student / lab.id / f"{lab.id}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    return root / "submitted"


def test_root_and_a_normal_user_grade_side_by_side_without_a_traceback():
    need_root("grading as another Unix user")
    need_commands(["useradd", "runuser", "unshare", "mount"], "apt-get install passwd util-linux mount")
    shared = world_reachable_folder("dcai-two-graders-")
    stage = Path(tempfile.mkdtemp(prefix="dcai-stage-"))  # root's own (0700), for reachable_namespace
    try:
        lab = Lab("tiny_lab", "Tiny lab", 3, (), "none", solutions_dir=shared / "solutions")
        lab.solution.parent.mkdir(parents=True)
        nbformat.write(tiny_notebook(), lab.solution)
        submitted = _class(shared, lab)
        for path in [shared, *shared.rglob("*")]:
            path.chmod(0o755 if path.is_dir() else 0o644)
        with unix_accounts() as accounts:
            user = accounts.add_user(f"dcaig{unique_suffix()}", home=shared / "home")
            (shared / "user-out").mkdir()
            shutil.chown(shared / "user-out", user.name)
            # grade() as `dcai grade` calls it (the tiny lab is not in the registry the command reads).
            script = GRADE_SCRIPT.format(solutions=lab.solutions_dir, submitted=submitted)
            dcai = [sys.executable, "-c", script]
            # Root first: its lock folder is now on the machine.
            first = subprocess.run([*dcai, str(shared / "root-out-1")], capture_output=True, text=True)
            assert first.returncode == 0, first.stderr[-2000:]
            namespace = ["unshare", "--mount", "--propagation", "private", sys.executable]
            namespace += [str(Path(__file__).parent / "reachable_namespace.py"), "--stage", str(stage)]
            namespace += [str(REPO_ROOT), str(Path(sys.executable).parent.parent), str(Path(sys.base_prefix))]
            as_user = [*namespace, "--", "runuser", "-u", user.name, "--", "env", f"HOME={user.home}", "TMPDIR=/tmp"]
            # Then the user and root at once.
            user_run = subprocess.Popen(
                [*as_user, *dcai, str(shared / "user-out")],
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
                cwd=shared,
            )
            root_run = subprocess.run([*dcai, str(shared / "root-out-2")], capture_output=True, text=True)
            user_out, user_err = user_run.communicate(timeout=600)
            assert root_run.returncode == 0, root_run.stderr[-2000:]
            assert user_run.returncode == 0 and "Traceback" not in user_err, user_err[-3000:]
            for out in ("root-out-1", "root-out-2", "user-out"):
                scores = {row["student_id"]: float(row["score"]) for row in read_csv(shared / out / "grades.csv")}
                assert scores == {"ann": 3.0, "bob": 0.0}, out
    finally:
        shutil.rmtree(shared, ignore_errors=True)
        shutil.rmtree(stage, ignore_errors=True)
