"""Builders of hostile submissions of a real lab, for ``tests/test_hostile_submissions.py``.

Every submission starts from the lab's student release (``labs/<lab>/<lab>.ipynb``); the correct
answers come from its solution. Attacks that must FAIL (reading the solutions, writing the
gradebook, opening a socket...) sabotage their own answer when they succeed, so a full score proves
the attack was stopped.

Most kinds are "lean": they drop the unlocked, ungraded demo cells after the data is loaded (a student
may delete those), so that a batch of 20 kinds stays fast; their test cells only use their own fixtures.
"""

from __future__ import annotations

from collections.abc import Callable

import nbformat

from dcai_helpers.course.notebooks import SOLUTION_MARKERS, is_solution_cell, is_test_cell, nbgrader_meta
from dcai_helpers.labs import Lab

#: Appended to an attack: when it worked, the first answer is wrecked (the test then fails).
SABOTAGE = "\nif _attack_worked:\n    {name} = None  # the attack worked: lose these points on purpose\n"


def correct(lab: Lab) -> nbformat.NotebookNode:
    """The release with every solution cell answered from the solution notebook."""
    release = nbformat.read(lab.release, as_version=4)
    solution = nbformat.read(lab.solution, as_version=4)
    answers = {nbgrader_meta(c).get("grade_id"): c.source for c in solution.cells if is_solution_cell(c)}
    for cell in release.cells:
        if is_solution_cell(cell):
            lines = answers[nbgrader_meta(cell)["grade_id"]].splitlines()
            cell.source = "\n".join(line for line in lines if line.strip() not in SOLUTION_MARKERS)
    return release


def lean(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Drop the ungraded code cells after the first solution cell (what a student may delete)."""
    first = next(i for i, cell in enumerate(nb.cells) if is_solution_cell(cell))
    nb.cells = [cell for i, cell in enumerate(nb.cells) if i < first or cell.cell_type != "code" or nbgrader_meta(cell)]
    return nb


def first_answer(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The first solution cell."""
    return next(cell for cell in nb.cells if is_solution_cell(cell))


def first_function(nb: nbformat.NotebookNode) -> str:
    """Name of the function the first solution cell defines."""
    return first_answer(nb).source.split("def ", 1)[1].split("(", 1)[0]


def test_cell(nb: nbformat.NotebookNode, index: int = 0) -> nbformat.NotebookNode:
    """The ``index``-th test cell."""
    return [cell for cell in nb.cells if is_test_cell(cell)][index]


def prepend(code: str) -> Callable[[nbformat.NotebookNode], nbformat.NotebookNode]:
    """A mutation that runs ``code`` before the first answer (the answer stays correct)."""

    def mutate(nb):
        cell = first_answer(nb)
        cell.source = code.strip() + "\n\n" + cell.source
        return nb

    return mutate


def attack(code: str) -> Callable[[nbformat.NotebookNode], nbformat.NotebookNode]:
    """A mutation that runs ``code`` (which sets ``_attack_worked``) and wrecks the first answer if it worked."""

    def mutate(nb):
        cell = first_answer(nb)
        cell.source = code.strip() + "\n\n" + cell.source + SABOTAGE.format(name=first_function(nb))
        return nb

    return mutate


def edit_test(nb):
    """Replace the first test cell's code by ``pass``."""
    test_cell(nb).source = "pass"
    return nb


def delete_test(nb):
    """Delete the first test cell."""
    nb.cells.remove(test_cell(nb))
    return nb


def test_to_markdown(nb):
    """Turn the first test cell into Markdown."""
    cell = test_cell(nb)
    index = nb.cells.index(cell)
    nb.cells[index] = nbformat.v4.new_markdown_cell(cell.source, metadata=cell.metadata, id=cell.get("id", "md"))
    return nb


def wrong_first_answer(nb):
    """Answer the first exercise wrongly (a function returning None)."""
    cell = first_answer(nb)
    header = cell.source.split(":\n", 1)[0]
    cell.source = header + ":\n    return None\n"
    return nb


def read_attack(paths_glob: list[str]) -> str:
    """Attack code: succeed when any file matching ``paths_glob`` can be read."""
    return f"""
import glob
_attack_worked = False
for _pattern in {paths_glob!r}:
    for _path in glob.glob(_pattern, recursive=True):
        try:
            open(_path, "rb").read(10)
            _attack_worked = True
        except OSError:
            pass
"""


def write_attack(paths_glob: list[str]) -> str:
    """Attack code: succeed when any file matching ``paths_glob`` can be opened for appending."""
    return f"""
import glob
_attack_worked = False
for _pattern in {paths_glob!r}:
    for _path in glob.glob(_pattern, recursive=True):
        try:
            with open(_path, "ab") as _f:
                _f.write(b"")
            _attack_worked = True
        except OSError:
            pass
"""


def network_attack(port: int) -> str:
    """Attack code: succeed when a TCP connection to the grader's host (``127.0.0.1:port``) or the internet opens."""
    return f"""
import socket
_attack_worked = False
for _address in [("127.0.0.1", {port}), ("1.1.1.1", 53)]:
    try:
        socket.create_connection(_address, timeout=2).close()
        _attack_worked = True
    except OSError:
        pass
"""


THREAD_STORM = """
import threading, time
_threads = []
try:
    for _ in range(2000):
        _t = threading.Thread(target=time.sleep, args=(2,), daemon=True)
        _t.start()
        _threads.append(_t)
except RuntimeError:
    pass
"""

FORK_STORM = """
import os, time
_children = []
try:
    for _ in range(500):
        _pid = os.fork()
        if _pid == 0:
            time.sleep(5)
            os._exit(0)
        _children.append(_pid)
except OSError:
    pass
for _pid in _children:
    os.waitpid(_pid, 0)
"""


def append_cell(code: str) -> Callable[[nbformat.NotebookNode], nbformat.NotebookNode]:
    """A mutation that adds a code cell at the end of the notebook."""

    def mutate(nb):
        nb.cells.append(nbformat.v4.new_code_cell(code))
        return nb

    return mutate


def _first_answer_body(nb: nbformat.NotebookNode, body: str) -> nbformat.NotebookNode:
    """The first solution cell's function with ``body`` (indented four spaces) instead of its answer."""
    cell = first_answer(nb)
    header = cell.source.split(":\n", 1)[0]
    cell.source = header + ":\n" + "\n".join("    " + line for line in body.strip().splitlines()) + "\n"
    return nb


def displayhook_first_answer(nb):
    """A stub whose first line shows a string: an in-kernel grader read that as the test cell's full credit."""
    return _first_answer_body(nb, "import sys\nsys.displayhook('full marks')\nraise NotImplementedError()")


def reads_expected_first_answer(nb):
    """An answer that returns the hidden test's reference, looked up in its callers' frames."""
    return _first_answer_body(
        nb,
        """
import inspect
for frame in inspect.stack():
    for name, value in frame.frame.f_locals.items():
        if name.startswith("_fresh_expected") or name == "_expected":
            return value
raise LookupError("no reference in reach")
""",
    )


def raising_history_first_answer(nb):
    """An answer that raises an error whose message is the kernel's whole input history."""
    return _first_answer_body(nb, "raise ValueError('\\n'.join(get_ipython().user_ns.get('_ih', [])))")


#: The notebook's own ``np`` rebound to a look-alike whose comparisons always pass (the real numpy untouched).
FAKE_NUMPY = """
import numpy as _real_numpy


class _LookAlike:
    def __getattr__(self, name):
        return getattr(_real_numpy, name)

    def allclose(self, *args, **kwargs):
        return True

    def array_equal(self, *args, **kwargs):
        return True


np = _LookAlike()
"""

#: 2 GB in files of 1 MiB each, each under any per-file limit; it reports how far it got.
DISK_FILLER = """
import os as _os
_written = 0
try:
    for _i in range(2048):
        with open(f"filler{_i}.bin", "wb") as _f:
            _f.write(b"x" * 2**20)
        _written += 1
except OSError:
    pass
print(f"filled {_written} MiB")
for _i in range(_written):
    _os.remove(f"filler{_i}.bin")
"""

#: One display output of 100 MB.
HUGE_IMAGE = """
import base64 as _b64
from IPython.display import display as _display
_display({"image/png": _b64.b64encode(b"\\x89PNG" + b"0" * 75_000_000).decode()}, raw=True)
"""
