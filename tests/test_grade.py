"""``dcai grade`` on the tiny lab: statuses, CSV, gradebook, feedback, zip collection and the CLI."""

from __future__ import annotations

import html
import inspect
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest
from conftest import TEST, grade_meta, tiny_notebook
from nbgrader.api import Gradebook

from dcai_helpers.authoring.release import generate
from dcai_helpers.cli import build_parser, main
from dcai_helpers.course.config import COURSE_ID
from dcai_helpers.course.notebooks import HIDDEN_NOTE, hidden_test_lines
from dcai_helpers.grading.grade import KERNEL_POLL_SECONDS, grade, kernel_threads
from dcai_helpers.grading.integrity import changed_locked_cells
from dcai_helpers.grading.records import CSV_COLUMNS, read_csv
from dcai_helpers.grading.status import Event, Finding
from dcai_helpers.grading.submissions import collect
from dcai_helpers.labs import get_lab

WRONG = "def double(x):\n    return x + 1\n"
# A wrong answer with the tricks that fooled a grader running its tests in the student's kernel.
PATCHED = (
    "import sys\nimport numpy as np\nnp.allclose = lambda *a, **k: True\nsys.displayhook('full marks')\n"
    "get_ipython().showtraceback = lambda *a, **k: None\n\ndef double(x):\n    return x + 1\n"
)


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
        "dave": ("ok", 0.0),
        "erin": ("missing", 0.0),
    }
    csv_rows = read_csv(out / "grades.csv")
    assert list(csv_rows[0]) == list(CSV_COLUMNS)
    assert [r["student_id"] for r in csv_rows] == ["alice", "bob", "carol", "dave", "erin"]
    assert rows["bob"].detail == "graded: 0/3 points, lost points on test_double."


def test_feedback_for_everyone_without_hidden_tests(graded, tiny_lab):
    out, rows = graded
    secret = hidden_test_lines(nbformat.read(tiny_lab.solution, as_version=4))
    for student in rows:
        page = out / "feedback" / student / tiny_lab.id / f"{tiny_lab.id}.html"
        text = html.unescape(page.read_text(encoding="utf-8"))
        assert not [line for line in secret if line in text], student
    assert (
        HIDDEN_NOTE.lstrip("# (").split(";")[0]
        in (out / "feedback" / "bob" / tiny_lab.id / f"{tiny_lab.id}.html").read_text()
    )


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
    assert changed_locked_cells(release, release) == []
    assert changed_locked_cells(edited, release) == [Finding(Event.CELL_EDITED, "test_double")]
    assert changed_locked_cells(deleted, release) == [Finding(Event.CELL_DELETED, "test_double")]


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
    rows = {r.student_id: r for r in grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=60, sandbox=False)}
    assert (rows["alice"].status, rows["alice"].score) == ("ok", 3.0)
    assert (rows["bob"].status, rows["bob"].score) == ("crashed", 0.0)


#: Kernels that stop answering (item 3 of issue 9), each in the solution cell ``double``, before the test.
IGNORES_INTERRUPTS = "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\nwhile True:\n    pass\n"
SILENCES_ITSELF = "import builtins\nbuiltins.isinstance = lambda *a, **k: True\n"
STOPS_ITS_PARENT = "import os, signal\nos.kill(os.getppid(), signal.SIGSTOP)\n"


def daemon_then_kill_parent(marker: str) -> str:
    """Start a daemon of its own session that would sleep for 10 minutes, then kill the kernel's parent."""
    return (
        "import os, signal, subprocess, sys\n"
        f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)  # {marker}'],\n"
        "                 start_new_session=True)\n"
        "os.kill(os.getppid(), signal.SIGKILL)\n"
    )


def processes_with(marker: str) -> list[int]:
    """Pids whose command line holds ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if entry.name.isdigit() and marker.encode() in (entry / "cmdline").read_bytes():
                found.append(int(entry.name))
        except OSError:
            continue
    return found


def test_kernels_that_stop_answering_keep_what_ran_and_leave_nothing_behind(tiny_lab, tmp_path, monkeypatch):
    # Without the sandbox (the kernel's parent is the worker, and nothing dies with a pid namespace).
    # A short grace, so that erin's stopped worker is killed soon; long enough for a busy machine.
    monkeypatch.setattr("dcai_helpers.grading.grade.WORKER_GRACE", 30)
    marker = f"dcai-daemon-{os.getpid()}-{tmp_path.name}"
    subs = tmp_path / "submitted"
    answers = {
        "alice": None,
        "bob": IGNORES_INTERRUPTS,
        "carol": daemon_then_kill_parent(marker),
        "dave": SILENCES_ITSELF,
        "erin": STOPS_ITS_PARENT,
    }
    for student, answer in answers.items():
        submit(subs, student, tiny_lab, student_notebook(tiny_lab, tmp_path, answer))
    rows = {r.student_id: r for r in grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=5, sandbox=False)}
    found = {student: (row.status, row.score) for student, row in rows.items()}
    assert found == {
        "alice": ("ok", 3.0),
        "bob": ("timeout", 0.0),
        "carol": ("crashed", 0.0),
        "dave": ("crashed", 0.0),
        "erin": ("timeout", 0.0),
    }, {s: r.detail for s, r in rows.items()}
    for student in ("bob", "carol", "dave", "erin"):
        assert "double" in rows[student].detail, rows[student].detail  # the cell it stopped in
    assert "killed" in rows["carol"].detail and "was stopped" in rows["erin"].detail
    assert not processes_with(marker), "the daemon of a kernel outlived its submission"
    log = (tmp_path / "out" / "logs" / "carol.log").read_text()
    assert "crashed" in log


def test_cells_before_a_hang_keep_their_points(tiny_lab, tmp_path, monkeypatch):
    # A second exercise after the first: the first keeps its 3 points when the second hangs.
    nb = student_notebook(tiny_lab, tmp_path)
    nb.cells.append(nbformat.v4.new_code_cell(IGNORES_INTERRUPTS))
    subs = tmp_path / "submitted"
    submit(subs, "bob", tiny_lab, nb)
    (row,) = grade(tiny_lab, subs, out=tmp_path / "out", jobs=1, timeout=5)
    assert (row.status, row.score) == ("timeout", 3.0), row.detail
    assert "cell 4" in row.detail, row.detail


@pytest.mark.parametrize(
    ("omp", "jobs", "cores", "expected"),
    [("", 1, 8, 0), ("", 2, 8, 4), ("", 16, 8, 1), ("1", 1, 8, 1), ("1", 2, 8, 1), ("6", 2, 8, 4), ("x", 2, 8, 4)],
)
def test_kernel_threads_share_the_cores_under_an_omp_cap(monkeypatch, omp, jobs, cores, expected):
    monkeypatch.setenv("OMP_NUM_THREADS", omp)
    assert kernel_threads(jobs, cores) == expected


def copied(nb, index: int) -> nbformat.NotebookNode:
    """``nb`` with cell ``index`` pasted again right after it, metadata and all (a new cell id, as JupyterLab does)."""
    copy = nbformat.from_dict(nb.cells[index])
    copy.id = f"{copy.id}-copy"
    nb.cells.insert(index + 1, copy)
    return nb


def test_copied_added_and_retagged_cells_are_graded_on_the_release(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, "copied_answer", tiny_lab, copied(student_notebook(tiny_lab, tmp_path), 1))
    submit(subs, "copied_test", tiny_lab, copied(student_notebook(tiny_lab, tmp_path), 2))
    added = student_notebook(tiny_lab, tmp_path)
    added.cells.append(nbformat.v4.new_code_cell("pass", metadata=grade_meta("bonus", grade=True, points=100)))
    submit(subs, "added", tiny_lab, added)
    retagged = student_notebook(tiny_lab, tmp_path)
    retagged.cells[2].metadata["nbgrader"]["points"] = 30
    submit(subs, "retagged", tiny_lab, retagged)
    rows = {r.student_id: r for r in grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=60)}
    assert {s: (r.status, r.score, r.max_score) for s, r in rows.items()} == {
        "copied_answer": ("tampered", 3.0, 3.0),
        "copied_test": ("tampered", 3.0, 3.0),
        "added": ("tampered", 3.0, 3.0),
        "retagged": ("tampered", 3.0, 3.0),
    }, {s: r.detail for s, r in rows.items()}
    assert "cell double was duplicated" in rows["copied_answer"].detail
    assert "cell test_double was duplicated" in rows["copied_test"].detail
    assert "graded cell bonus" in rows["added"].detail
    assert "test_double" in rows["retagged"].detail and "points 30 instead of 3" in rows["retagged"].detail
    page = tmp_path / "out" / "feedback" / "copied_answer" / tiny_lab.id / f"{tiny_lab.id}.html"
    assert "cell double was duplicated" in page.read_text(encoding="utf-8")


def test_every_student_is_in_the_gradebook_and_told_what_was_wrong(graded, tiny_lab):
    out, rows = graded
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        for student, row in rows.items():
            assert gb.find_submission_notebook(tiny_lab.id, tiny_lab.id, student).score == row.score, student
    missing = (out / "feedback" / "erin" / tiny_lab.id / f"{tiny_lab.id}.html").read_text(encoding="utf-8")
    assert f"{tiny_lab.id}/{tiny_lab.id}.ipynb" in missing and "logs/" not in missing
    invalid = (out / "feedback" / "carol" / tiny_lab.id / f"{tiny_lab.id}.html").read_text(encoding="utf-8")
    assert "What to do" in invalid and "logs/" not in invalid
    page = (out / "feedback" / "bob" / tiny_lab.id / f"{tiny_lab.id}.html").read_text(encoding="utf-8")
    assert "test cell test_double" in page  # test cells are named


def test_feedback_pages_are_offline_and_sanitised(tiny_lab, tmp_path):
    nb = student_notebook(tiny_lab, tmp_path)
    nb.cells.insert(0, nbformat.v4.new_markdown_cell("<script>alert(1)</script> [x](javascript:alert(2))"))
    shown = nbformat.v4.new_code_cell("from IPython.display import HTML\nHTML('<img src=x onerror=alert(3)>')")
    shown.outputs = []
    nb.cells.insert(1, shown)
    subs = tmp_path / "submitted"
    submit(subs, "mallory", tiny_lab, nb)
    (row,) = grade(tiny_lab, subs, out=tmp_path / "out", jobs=1, timeout=60)
    assert (row.status, row.score) == ("ok", 3.0), row.detail
    text = (tmp_path / "out" / "feedback" / "mallory" / tiny_lab.id / f"{tiny_lab.id}.html").read_text()
    lowered = text.lower()
    # The code cell's source shows the attack as escaped text (&lt;img ...); no live tag may carry it.
    assert "<script" not in lowered and "<img src=x onerror" not in lowered and 'href="javascript:' not in lowered
    assert "cdn" not in lowered and "mathjax.js" not in lowered


def test_grading_without_bubblewrap_is_refused_unless_asked(tiny_lab, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("dcai_helpers.grading.grade.bwrap_available", lambda: False)
    registered = get_lab
    monkeypatch.setattr("dcai_helpers.grading.grade.get_lab", lambda i: tiny_lab if i == tiny_lab.id else registered(i))
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    with pytest.raises(RuntimeError, match="--no-sandbox"):
        grade(tiny_lab, subs, out=tmp_path / "out")
    assert main(["grade", tiny_lab.id, str(subs), "--out", str(tmp_path / "out")]) == 1
    assert not (tmp_path / "out" / "grades.csv").exists()
    assert main(["grade", tiny_lab.id, str(subs), "--out", str(tmp_path / "out"), "--no-sandbox", "--jobs", "1"]) == 0
    err = capsys.readouterr().err
    assert "isolation: NO SANDBOX" in err and f"answer key: {tiny_lab.solution}" in err
    assert "[1/1] alice: ok" in err  # one progress line per submission when stderr is no terminal


def test_every_keyword_of_grade_is_a_cli_flag_with_its_default():
    parser = build_parser()
    grade_parser = next(a for a in parser._subparsers._group_actions[0].choices.values() if a.prog.endswith(" grade"))
    actions = {action.dest: action for action in grade_parser._actions}
    keywords = [p for p in inspect.signature(grade).parameters.values() if p.kind is inspect.Parameter.KEYWORD_ONLY]
    assert {p.name for p in keywords} <= set(actions)
    for parameter in keywords:
        if parameter.default is not inspect.Parameter.empty:
            assert actions[parameter.name].default == parameter.default, parameter.name


def test_a_private_answer_key_is_used_and_a_missing_one_stops_everything(tiny_lab, tmp_path, monkeypatch):
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    private = tmp_path / "private"
    stricter = tiny_notebook(test=TEST.replace("double(2) == 4", "double(2) == 5"))
    (private / tiny_lab.id).mkdir(parents=True)
    nbformat.write(stricter, private / tiny_lab.id / f"{tiny_lab.id}.ipynb")
    (row,) = grade(tiny_lab, subs, out=tmp_path / "out", jobs=1, timeout=60, solutions_dir=private)
    assert row.score == 0.0, "graded against the repository's key, not the private one"
    registered = get_lab
    monkeypatch.setattr("dcai_helpers.grading.grade.get_lab", lambda i: tiny_lab if i == tiny_lab.id else registered(i))
    args = ["grade", tiny_lab.id, str(subs), "--out", str(tmp_path / "o2"), "--solutions", str(tmp_path / "nowhere")]
    assert main(args) != 0
    assert not (tmp_path / "o2" / "grades.csv").exists()


STDIN_SCRIPT = """
import sys
sys.path.insert(0, {tests!r})
from conftest import tiny_notebook
from dcai_helpers.grading.grade import grade
from dcai_helpers.labs import Lab
from pathlib import Path
lab = Lab("tiny_lab", "Tiny lab", 3, (), "none", solutions_dir=Path({solutions!r}))
rows = grade(lab, {subs!r}, out={out!r}, jobs=1, timeout=60)
print("ROWS", [(r.student_id, str(r.status), r.score) for r in rows])
"""


def test_a_script_on_standard_input_can_grade(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    script = STDIN_SCRIPT.format(
        tests=str(Path(__file__).parent), solutions=str(tiny_lab.solutions_dir), subs=str(subs), out=str(tmp_path / "o")
    )
    done = subprocess.run([sys.executable, "-"], input=script, capture_output=True, text=True, timeout=600)
    assert "ROWS [('alice', 'ok', 3.0)]" in done.stdout, done.stderr[-3000:]


def test_the_next_kernel_starts_while_a_graded_submission_is_scored_and_phases_are_timed(
    tiny_lab, tmp_path, monkeypatch
):
    subs = tmp_path / "submitted"
    for student in ("alice", "bob"):
        submit(subs, student, tiny_lab, student_notebook(tiny_lab, tmp_path))
    timings = tmp_path / "timings.json"
    monkeypatch.setenv("DCAI_GRADE_TIMINGS", str(timings))
    rows = grade(tiny_lab, subs, out=tmp_path / "out", jobs=1, timeout=60)
    assert [(row.status, row.score) for row in rows] == [("ok", 3.0), ("ok", 3.0)]
    found = json.loads(timings.read_text())
    assert {"course set-up", "fork server", "submissions", "total"} <= set(found["run"])
    for phases in found["submissions"]:
        assert {"worker start", "kernel start", "cells", "grader tests", "feedback", "merge"} <= set(phases), phases
        # The kernel's slot went back once the kernel ended, before the worker saved scores and feedback.
        assert phases["kernel held"] <= phases["worker"] - phases["feedback"] + KERNEL_POLL_SECONDS, phases


def test_an_invalid_lms_upload_page_speaks_the_lms_words(tiny_lab, tmp_path):
    archive = tmp_path / "lms.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("leeann_12348_70030_report.pdf", b"%PDF")
        zf.writestr("Anne O'Brien_1234568_assignsubmission_onlinetext_/onlinetext.html", b"<p>my answers</p>")
    rows = grade(tiny_lab, archive, out=tmp_path / "out", jobs=1, timeout=60)
    assert {row.student_id: row.status for row in rows} == {"leeann": "invalid", "Anne O'Brien": "invalid"}
    feedback = tmp_path / "out" / "feedback"
    canvas = html.unescape((feedback / "leeann" / tiny_lab.id / f"{tiny_lab.id}.html").read_text(encoding="utf-8"))
    assert "you uploaded report.pdf" in canvas and "Submit Assignment > File Upload" in canvas
    assert "70030" not in canvas and f"{tiny_lab.id}/{tiny_lab.id}.ipynb" not in canvas
    moodle = html.unescape(
        (feedback / "Anne O'Brien" / tiny_lab.id / f"{tiny_lab.id}.html").read_text(encoding="utf-8")
    )
    assert "only Moodle online text" in moodle and "File submissions of the Moodle assignment" in moodle
    assert not (feedback / "Anne O'Brien_1234568_assignsubmission_onlinetext_").exists()


def test_only_regrades_the_named_students_and_keeps_the_others(graded, tiny_lab, tmp_path, monkeypatch, capsys):
    out, rows = graded
    subs = tmp_path / "submitted"
    alice_page = (out / "feedback" / "alice" / tiny_lab.id / f"{tiny_lab.id}.html").read_text()
    submit(subs, "bob", tiny_lab, student_notebook(tiny_lab, tmp_path))  # bob fixed his answer
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path, WRONG))  # not regraded: her row stays
    regraded = grade(tiny_lab, subs, out=out, jobs=1, timeout=60, only=["bob"])
    assert [row.student_id for row in regraded] == ["bob"]
    after = {row["student_id"]: row for row in read_csv(out / "grades.csv")}
    assert set(after) == set(rows), "the other students' rows are kept"
    assert float(after["bob"]["score"]) == 3 and float(after["alice"]["score"]) == 3
    assert (out / "feedback" / "alice" / tiny_lab.id / f"{tiny_lab.id}.html").read_text() == alice_page
    with Gradebook(f"sqlite:///{out / 'gradebook.db'}", course_id=COURSE_ID) as gb:
        assert gb.find_submission(tiny_lab.id, "bob").score == 3
        assert gb.find_submission(tiny_lab.id, "alice").score == 3
    registered = get_lab
    monkeypatch.setattr("dcai_helpers.grading.grade.get_lab", lambda i: tiny_lab if i == tiny_lab.id else registered(i))
    capsys.readouterr()
    assert main(["grade", tiny_lab.id, str(subs), "--out", str(out), "--only", "bobb"]) == 1
    assert "--only names no submission: 'bobb' (did you mean 'bob'?)" in capsys.readouterr().err
    assert read_csv(out / "grades.csv") == list(after.values())
