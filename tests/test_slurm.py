"""The Slurm recipe of docs/scaling-out.md, run: examples/slurm/ on a real one-node cluster, then compared.

A class of four (all answered, none, one exercise and late, not a notebook) is handed in as a Canvas zip. The
recipe's own ``submit.sh`` submits the grading array (``dcai grade --shard K/4`` per task) and the merge job that
waits for it, on a cluster of Debian's slurm-wlm and munge started by tests/slurm.py. The merged
``grades.csv``, gradebook and feedback must equal one unsharded ``dcai grade`` of the same zip.

Needs root (skips without) and Debian's ``slurm-wlm`` and ``munge`` (and bubblewrap, for the sandbox); without
those the test skips, except under CI=true, where it fails (.ci/run installs them). Run it alone with
``pytest tests/test_slurm.py``.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from answers import answer, solution_answers
from slurm import one_node_cluster
from system import need, need_commands, need_root, world_reachable_folder
from test_shard import gradebook_contents, tree

from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.records import read_rows
from dcai_helpers.grading.sandbox import bwrap_available
from dcai_helpers.grading.shard import shard_of

REPO = Path(__file__).resolve().parents[1]
RECIPE = REPO / "examples" / "slurm"
DOCS = REPO / "docs" / "scaling-out.md"
LAB = "label_errors"
SHARDS = 4  # submit.sh's default, as in the docs
# Both jobs of the recipe, on a loaded 2-core machine.
JOBS_S = 600

pytestmark = pytest.mark.xdist_group("slurm")


def class_zip(folder: Path) -> Path:
    """A Canvas zip of four students: every exercise answered, none, the first one only (late), not a notebook."""
    release = nbformat.read(REPO / "labs" / LAB / f"{LAB}.ipynb", as_version=4)
    answers = solution_answers(LAB)
    answered = nbformat.from_dict(release)
    assert answer(answered, answers) == len(answers)
    first_only = nbformat.from_dict(release)
    assert answer(first_only, answers, [next(iter(answers))]) == 1
    archive = folder / "submissions.zip"
    with zipfile.ZipFile(archive, "w") as zipped:
        zipped.writestr(f"adalovelace_1001_5001_{LAB}.ipynb", nbformat.writes(answered))
        zipped.writestr(f"benbitdiddle_1002_5002_{LAB}.ipynb", nbformat.writes(release))
        zipped.writestr(f"cyhacker_late_1003_5003_{LAB}.ipynb", nbformat.writes(first_only))
        zipped.writestr(f"deenotebook_1004_5004_{LAB}.ipynb", "my answers are in my head")
    return archive


def test_the_slurm_recipe_grades_as_one_run(tmp_path: Path) -> None:
    need_root("a Slurm cluster")
    need_commands(
        ["munged", "slurmctld", "slurmd", "sbatch", "scontrol", "sinfo", "scancel"], "apt-get install slurm-wlm munge"
    )
    need_commands(["unshare"], "apt-get install util-linux")
    need(bwrap_available(), "bubblewrap is missing: dcai grade's sandbox needs it (apt-get install bubblewrap)")
    folder = world_reachable_folder("dcai-slurm-")
    try:
        course = folder / "course"
        course.mkdir()
        archive = class_zip(course)
        shutil.copytree(REPO / "solutions" / LAB, course / "private" / "solutions" / LAB)
        students = ["adalovelace", "benbitdiddle", "cyhacker", "deenotebook"]
        # Not part of the recipe: the class must leave a shard empty, which the recipe must take in its stride.
        assert len({shard_of(student, SHARDS) for student in students}) < SHARDS
        env = {name: value for name, value in os.environ.items() if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), env.get("PATH", "/usr/bin:/bin")])
        env |= {"SHARDS": str(SHARDS), "SOLUTIONS": str(course / "private" / "solutions")}
        with one_node_cluster(folder, env=env) as cluster:
            submitted = cluster.run([str(RECIPE / "submit.sh")], cwd=course, timeout=60)
            assert submitted.returncode == 0, f"submit.sh failed:\n{submitted.stdout}{submitted.stderr}"
            grading, merging = submitted.stdout.split()
            # One run of the whole class while the cluster works: what the merge must equal.
            grade(LAB, archive, out=tmp_path / "whole", solutions_dir=course / "private" / "solutions")
            states = cluster.wait([grading, merging], timeout=JOBS_S)
            job_output = "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(course.glob("slurm-*.out")))
            assert states == {grading: ["COMPLETED"] * SHARDS, merging: ["COMPLETED"]}, f"{states}\n{job_output}"
        merged, whole = course / "grading" / LAB, tmp_path / "whole"
        assert [row.student_id for row in read_rows(whole / "grades.csv")] == students
        assert read_rows(merged / "grades.csv") == read_rows(whole / "grades.csv")
        assert gradebook_contents(merged / "gradebook.db") == gradebook_contents(whole / "gradebook.db")
        assert tree(merged) == tree(whole)
        feedback = sorted((whole / "feedback").rglob("*.html"))
        assert len(feedback) == len(students), feedback
        for page in feedback:
            assert (merged / page.relative_to(whole)).read_bytes() == page.read_bytes(), f"{page.name} differs"
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def fenced_blocks(markdown: str) -> list[str]:
    """The contents of the Markdown's fenced code blocks."""
    return [match.group(1) for match in re.finditer(r"^```[\w-]*\n(.*?)^```$", markdown, flags=re.M | re.S)]


def test_the_docs_quote_the_recipe_that_runs() -> None:
    """docs/scaling-out.md shows each file of examples/slurm/ whole, as one code block, as the test runs it."""
    blocks = fenced_blocks(DOCS.read_text())
    files = sorted(RECIPE.iterdir())
    assert files, "examples/slurm/ is empty"
    for path in files:
        assert path.read_text() in blocks, f"docs/scaling-out.md does not quote examples/slurm/{path.name} verbatim"
