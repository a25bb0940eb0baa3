"""The contract of test cells run by the grader (CONTRIBUTING.md, "What hidden tests may assume"), checked statically.

Every name a test cell reads must resolve in the grader's namespace: the prelude (imports, definitions and
UPPER_CASE constants of the given cells), the proxies of the solution cells' names, the builtins, or what an
earlier test cell defined. A test that reads the notebook's data (``X_train``) would fail every student at grading.
"""

from __future__ import annotations

import ast
import builtins

import nbformat
import pytest
from conftest import grade_meta, tiny_notebook

from dcai_helpers.course.notebooks import read_notebook
from dcai_helpers.labs import LABS
from dcai_helpers.verdicts.trusted import TestPlan, _free_names


def _bound(source: str) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            names.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.Import | ast.ImportFrom):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_name_a_test_cell_reads_resolves_in_the_graders_namespace(lab):
    plan = TestPlan.from_notebook(read_notebook(lab.solution))
    known = _bound(plan.prelude) | set(plan.functions) | set(plan.variables) | set(dir(builtins))
    unresolved = []
    for cell in plan.cells:
        for part in (cell.public, cell.hidden):
            missing = _free_names(part) - known
            if missing:
                unresolved.append(f"{cell.grade_id}: {sorted(missing)}")
            known |= _bound(part)
    assert not unresolved, f"{lab.id}: test cells read names the grader does not have: {unresolved}"


def test_the_plan_keeps_definitions_and_constants_of_given_cells_only():
    nb = tiny_notebook()
    nb.cells.insert(
        1,
        nbformat.v4.new_code_cell(
            "%matplotlib inline\nimport numpy as np\nSEED = 0\ndata = np.arange(SEED, 10)\nprint(data)\n"
            "def helper(x):\n    return x\n"
        ),
    )
    nb.cells.insert(2, nbformat.v4.new_code_cell("total = 3\n\ndef triple(x):\n    return 3 * x\n"))
    nb.cells[2].metadata = grade_meta("triple", solution=True)
    plan = TestPlan.from_notebook(nb)
    assert plan.prelude == "import numpy as np\nSEED = 0\ndef helper(x):\n    return x"
    assert plan.functions == ("triple", "double") and plan.variables == ("total",)
    assert [(cell.grade_id, cell.points) for cell in plan.cells] == [("test_double", 3.0)]
    assert "double(21)" in plan.cells[0].hidden and "double(21)" not in plan.cells[0].public
    assert TestPlan.from_json(plan.to_json()) == plan
    assert plan.modules() == ("numpy",)
