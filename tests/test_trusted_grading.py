"""Verdicts made where student code cannot reach: each trick that fooled a grader running its tests in the student's
kernel, graded in one batch of the tiny lab (sandboxed, as instructors grade).

The tiny lab's test cell checks ``double(2) == 4`` publicly and, hidden, computes ``_expected = 42`` before it checks
``double(21) == _expected``: so a submission that could see the hidden test, its locals or its output, or that could
change how the test's outcome is read, would pass with a wrong answer. Every wrong answer below must score 0, with
status ``ok``; every right one full marks.
"""

from __future__ import annotations

import html
import sqlite3

import nbformat
import pytest
from conftest import SOLUTION, tiny_notebook

from dcai_helpers.authoring.release import generate
from dcai_helpers.course.notebooks import hidden_test_lines
from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.records import read_csv
from dcai_helpers.grading.sandbox import bwrap_available
from dcai_helpers.labs import Lab

pytestmark = pytest.mark.skipif(not bwrap_available(), reason="needs bubblewrap: apt-get install -y bubblewrap")

HIDDEN_TEST = """assert double(2) == 4, "Exercise 1 (double): expected double(2) == 4"
### BEGIN HIDDEN TESTS
_expected = 42
assert double(21) == _expected, "Exercise 1 (double): a hidden test failed"
### END HIDDEN TESTS
"""

#: A wrong answer: right on the public case, wrong on the hidden one.
WRONG = "def double(x):\n    return 4 if x == 2 else 0\n"

#: Submission kind -> (the solution cell's source, the score it must get).
KINDS = {
    "right": (SOLUTION, 3.0),
    "wrong": (WRONG, 0.0),
    # nbgrader scored a test cell by its outputs: a first execute_result that is not a number was full credit.
    "displayhook": (
        "import sys\n\ndef double(x):\n    sys.displayhook('full marks')\n    raise ValueError('no')\n",
        0.0,
    ),
    # An AST transformer that wraps every statement of every later cell in try/except: no assertion can fail.
    "ast_transformer": (
        "import ast\n\n"
        "class _Swallow(ast.NodeTransformer):\n"
        "    def visit_Module(self, node):\n"
        "        node.body = [ast.Try(body=[s], handlers=[ast.ExceptHandler(type=None, name=None, body=[ast.Pass()])],"
        " orelse=[], finalbody=[]) for s in node.body]\n"
        "        return ast.fix_missing_locations(node)\n\n"
        "get_ipython().ast_transformers.append(_Swallow())\n" + WRONG,
        0.0,
    ),
    # Comparisons replaced only while test cells run (a pre-run hook), restored after: no probe could see it.
    "hooked_comparisons": (
        "import builtins\n_real = builtins.AssertionError\n\n"
        "def _quiet(*a, **k):\n    builtins.AssertionError = type('Never', (Exception,), {})\n\n"
        "def _loud(*a, **k):\n    builtins.AssertionError = _real\n\n"
        "get_ipython().events.register('pre_run_cell', _quiet)\n"
        "get_ipython().events.register('post_run_cell', _loud)\n" + WRONG,
        0.0,
    ),
    # The hidden test's reference, read from the caller's frame.
    "reads_caller_frame": (
        "import inspect\n\n"
        "def double(x):\n"
        "    for frame in inspect.stack():\n"
        "        if '_expected' in frame.frame.f_locals:\n"
        "            return frame.frame.f_locals['_expected']\n"
        "        if '_expected' in frame.frame.f_globals:\n"
        "            return frame.frame.f_globals['_expected']\n"
        "    return 4 if x == 2 else 0\n",
        0.0,
    ),
    # The answer key printed into the feedback: the input history, and the test's source in an error message.
    "prints_history": (
        SOLUTION + "\nprint('HISTORY', get_ipython().user_ns.get('_ih'))\n"
        "get_ipython().events.register('post_run_cell', lambda *a: print('HISTORY', get_ipython().user_ns['_ih']))\n",
        3.0,
    ),
    "error_quotes_the_test": (
        "def double(x):\n    raise ValueError(str(get_ipython().user_ns.get('_ih')))\n",
        0.0,
    ),
    # A forged verdict output: the grader reads verdicts from its own process, not from cells.
    "forged_verdict": (
        "from IPython.display import display\n"
        "display({'application/vnd.dcai.verdict+json': {'grade_id': 'test_double', 'points': 3.0, 'max_points': 3.0,"
        " 'public': 'passed', 'hidden': 'passed'}, 'text/plain': 'Grader: 3/3 points'}, raw=True)\n" + WRONG,
        0.0,
    ),
    # An honest slip: a correct answer that warns (nbgrader counted any stderr in a test cell as a failure).
    "warns": (
        "import warnings\n\ndef double(x):\n    warnings.warn('careful: x is not checked')\n    return 2 * x\n",
        3.0,
    ),
    # A result that is not plain data: an object whose == always says yes.
    "always_equal": (
        "class _Yes(int):\n    def __eq__(self, other):\n        return True\n\ndef double(x):\n    return _Yes(0)\n",
        0.0,
    ),
}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    """The tiny lab with a hidden reference computed before the student is called, every kind graded once."""
    root = tmp_path_factory.mktemp("trusted")
    lab = Lab("tiny_lab", "Tiny lab", 3, (), "none", solutions_dir=root / "solutions")
    lab.solution.parent.mkdir(parents=True)
    nbformat.write(tiny_notebook(test=HIDDEN_TEST), lab.solution)
    release = nbformat.read(generate(lab, root / "release"), as_version=4)
    for student, (answer, _) in KINDS.items():
        nb = nbformat.from_dict(release)
        nb.cells[1].source = answer
        path = root / "submitted" / student / lab.id / f"{lab.id}.ipynb"
        path.parent.mkdir(parents=True)
        nbformat.write(nb, path)
    grade(lab, root / "submitted", out=root / "out", jobs=2, timeout=120)
    return lab, root / "out", {row["student_id"]: row for row in read_csv(root / "out" / "grades.csv")}


@pytest.mark.parametrize("student", sorted(KINDS))
def test_each_trick_earns_what_the_answer_is_worth(batch, student):
    _, _, rows = batch
    assert (rows[student]["status"], float(rows[student]["score"])) == ("ok", KINDS[student][1]), rows[student]


def test_no_feedback_page_holds_a_hidden_line(batch):
    lab, out, rows = batch
    secret = [line for line in hidden_test_lines(nbformat.read(lab.solution, as_version=4)) if len(line) >= 12]
    assert secret
    for student in rows:
        text = html.unescape((out / "feedback" / student / lab.id / f"{lab.id}.html").read_text(encoding="utf-8"))
        leaked = [line for line in secret if line in text]
        assert not leaked, f"{student}: {leaked}"
    history = html.unescape((out / "feedback" / "prints_history" / lab.id / f"{lab.id}.html").read_text())
    assert "HISTORY" in history, "what the kernel printed is in the feedback: it simply holds no hidden test"


def test_a_warning_costs_nothing_and_the_feedback_shows_it(batch):
    lab, out, _ = batch
    page = html.unescape((out / "feedback" / "warns" / lab.id / f"{lab.id}.html").read_text(encoding="utf-8"))
    assert "careful: x is not checked" in page
    assert "Grader: 3/3 points" in page


def test_a_forged_verdict_is_neither_read_nor_shown_as_the_graders(batch):
    lab, out, _ = batch
    graded = nbformat.read(out / "autograded" / "forged_verdict" / lab.id / f"{lab.id}.ipynb", as_version=4)
    verdicts = [o for o in graded.cells[2].outputs if "application/vnd.dcai.verdict+json" in o.get("data", {})]
    assert len(verdicts) == 1 and verdicts[0]["data"]["application/vnd.dcai.verdict+json"]["points"] == 0.0
    with sqlite3.connect(out / "gradebook.db") as db:
        scores = db.execute(
            "SELECT grade.auto_score FROM grade JOIN submitted_notebook ON grade.notebook_id = submitted_notebook.id "
            "JOIN submitted_assignment ON submitted_notebook.assignment_id = submitted_assignment.id "
            "WHERE submitted_assignment.student_id = 'forged_verdict'"
        ).fetchall()
    assert scores == [(0.0,)]
