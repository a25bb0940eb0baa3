"""``dcai grade`` on the tiny lab: statuses, CSV, gradebook, feedback, zip collection and the CLI."""

from __future__ import annotations

import html
import zipfile
from pathlib import Path

import nbformat
import pytest

from dcai_helpers.grading.cli import main
from dcai_helpers.grading.feedback import hidden_test_lines
from dcai_helpers.grading.grade import grade, kernel_threads
from dcai_helpers.grading.integrity import edited_test_cells
from dcai_helpers.grading.records import CSV_COLUMNS, read_csv
from dcai_helpers.grading.release import generate
from dcai_helpers.grading.submissions import collect
from dcai_helpers.labs import get_lab

WRONG = "def double(x):\n    return x + 1\n"
PATCHED = "import numpy as np\nnp.allclose = lambda *a, **k: True\n\ndef double(x):\n    return 2 * x\n"


def student_notebook(lab, tmp_path: Path, answer: str | None = None) -> nbformat.NotebookNode:
    """The tiny lab's release, answered with ``answer`` (the solution by default)."""
    release = nbformat.read(generate(lab, tmp_path / "release"), as_version=4)
    release.cells[1].source = answer or "def double(x):\n    return 2 * x\n"
    return release


def submit(folder: Path, student: str, lab, nb=None, raw: bytes | None = None) -> None:
    path = folder / student / lab.id / f"{lab.id}.ipynb"
    path.parent.mkdir(parents=True, exist_ok=True)
    if raw is not None:
        path.write_bytes(raw)
    else:
        nbformat.write(nb, path)


@pytest.fixture
def graded(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    submit(subs, "bob", tiny_lab, student_notebook(tiny_lab, tmp_path, WRONG))
    submit(subs, "carol", tiny_lab, raw=b"")
    submit(subs, "dave", tiny_lab, student_notebook(tiny_lab, tmp_path, PATCHED))
    (subs / "erin").mkdir()
    rows = grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=60)
    return tmp_path / "out", {row.student_id: row for row in rows}


def test_statuses_scores_and_csv(graded):
    out, rows = graded
    assert {s: (r.status, r.score) for s, r in rows.items()} == {
        "alice": ("ok", 3.0),
        "bob": ("ok", 0.0),
        "carol": ("invalid", 0.0),
        "dave": ("tampered", 0.0),
        "erin": ("missing", 0.0),
    }
    csv_rows = read_csv(out / "grades.csv")
    assert list(csv_rows[0]) == list(CSV_COLUMNS)
    assert [r["student_id"] for r in csv_rows] == ["alice", "bob", "carol", "dave", "erin"]
    assert "numpy.allclose" in rows["dave"].detail


def test_feedback_for_everyone_without_hidden_tests(graded, tiny_lab):
    out, rows = graded
    secret = hidden_test_lines(nbformat.read(tiny_lab.solution, as_version=4))
    for student in rows:
        page = out / "feedback" / student / tiny_lab.id / f"{tiny_lab.id}.html"
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert not [line for line in secret if line in text], student
    assert "hidden tests ran here" in (out / "feedback" / "bob" / tiny_lab.id / f"{tiny_lab.id}.html").read_text()


def test_zip_follows_zip_collect_names(tiny_lab, tmp_path):
    archive = tmp_path / "lms.zip"
    good = nbformat.writes(student_notebook(tiny_lab, tmp_path))
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("alice_tiny_lab.ipynb", good)
        zf.writestr("bob_12345_678_tiny_lab.ipynb", good)
        zf.writestr("carol_tiny_lab.pdf", b"%PDF")
        zf.writestr("dave_other_lab.ipynb", good)
    found = {s.student_id: s for s in collect(tiny_lab, archive, scratch=tmp_path)}
    assert {s: (e.status, e.notebook is not None) for s, e in found.items()} == {
        "alice": (None, True),
        "bob": (None, True),
        "carol": ("invalid", False),
        "dave": ("invalid", False),
    }


def test_edited_test_cells_names_each_change(tiny_lab, tmp_path):
    release = student_notebook(tiny_lab, tmp_path)
    edited = student_notebook(tiny_lab, tmp_path)
    edited.cells[2].source = "pass"
    deleted = student_notebook(tiny_lab, tmp_path)
    del deleted.cells[2]
    assert edited_test_cells(release, release) == []
    assert edited_test_cells(edited, release) == ["edited test_double"]
    assert edited_test_cells(deleted, release) == ["deleted test_double"]


def test_cli_exits_0_for_bad_submissions_and_2_for_a_bad_lab(tiny_lab, tmp_path, monkeypatch, capsys):
    subs = tmp_path / "submitted"
    submit(subs, "zoe", tiny_lab, raw=b"{broken")
    registered = get_lab
    monkeypatch.setattr("dcai_helpers.grading.grade.get_lab", lambda i: tiny_lab if i == tiny_lab.id else registered(i))
    assert main(["grade", tiny_lab.id, str(subs), "--out", str(tmp_path / "out"), "--jobs", "1"]) == 0
    assert read_csv(tmp_path / "out" / "grades.csv")[0]["status"] == "invalid"
    assert main(["grade", "no_such_lab", str(subs), "--out", str(tmp_path / "o2")]) == 2
    assert "1 invalid" in capsys.readouterr().out


def test_bad_limits_are_refused(tiny_lab, tmp_path):
    with pytest.raises(ValueError, match="`jobs` must be a positive integer"):
        grade(tiny_lab, tmp_path, out=tmp_path / "out", jobs=-1)


def test_fallback_without_bubblewrap_still_grades(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    submit(subs, "bob", tiny_lab, student_notebook(tiny_lab, tmp_path, "import os\nos._exit(3)\n"))
    rows = {r.student_id: r for r in grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=60, isolate=False)}
    assert (rows["alice"].status, rows["alice"].score) == ("ok", 3.0)
    assert (rows["bob"].status, rows["bob"].score) == ("crashed", 0.0)


def test_a_worker_that_hangs_is_killed_and_the_batch_goes_on(tiny_lab, tmp_path, monkeypatch):
    # A kernel that ignores interrupts keeps nbgrader waiting past the cell timeout; the parent kills its worker.
    monkeypatch.setattr("dcai_helpers.grading.grade.WORKER_GRACE", 5)
    stubborn = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    submit(subs, "bob", tiny_lab, student_notebook(tiny_lab, tmp_path, stubborn))
    rows = {r.student_id: r for r in grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=5)}
    assert (rows["alice"].status, rows["alice"].score) == ("ok", 3.0)
    assert (rows["bob"].status, rows["bob"].score) == ("timeout", 0.0)
    assert "was stopped" in rows["bob"].detail


@pytest.mark.parametrize(
    ("omp", "jobs", "cores", "expected"),
    [("", 1, 8, 0), ("", 2, 8, 4), ("", 16, 8, 1), ("1", 1, 8, 1), ("1", 2, 8, 1), ("6", 2, 8, 4), ("x", 2, 8, 4)],
)
def test_kernel_threads_share_the_cores_under_an_omp_cap(monkeypatch, omp, jobs, cores, expected):
    monkeypatch.setenv("OMP_NUM_THREADS", omp)
    assert kernel_threads(jobs, cores) == expected
