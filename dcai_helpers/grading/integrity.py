"""Detect tampering: edited or deleted test cells, and test helpers replaced at run time.

Two checks, both reported as the status ``tampered``:

- :func:`edited_test_cells` compares the submission's locked cells with the release. nbgrader
  restores edited test cells from the gradebook anyway, so the score is what the restored tests give.
- :class:`InjectIntegrityProbes` and :class:`ScoreIntegrityProbes` are nbgrader preprocessors that run
  around nbgrader's ``Execute``. A probe cell injected first records the pristine test helpers (numpy's
  comparison and ``numpy.testing`` functions, builtins, IPython's execution and traceback machinery);
  a probe before and after every test cell reports what was replaced since. A test cell that ran
  with a replaced helper scores 0: the probe cells are removed and the test cell gets an error
  output saying what was replaced, so nbgrader's own scoring gives it 0 points and the feedback says why.

This deters the usual monkeypatches (``np.allclose = lambda *a, **k: True``, a no-op
``assert_allclose``, a silenced traceback, an AST transformer that drops asserts). Code running in the
same interpreter can always defeat an in-process check it has studied; the instructor sees the
status ``tampered`` and the reason, and decides.
"""

from __future__ import annotations

import json

from nbformat import NotebookNode
from nbformat.v4 import new_code_cell, new_output
from nbgrader.preprocessors import NbGraderPreprocessor

from dcai_helpers.grading.notebooks import nbgrader_meta

#: MIME type the probes report in; nothing else writes it.
PROBE_MIME = "application/vnd.dcai.integrity+json"
#: Marks the grader's probe cells, so they are removed after execution.
PROBE_TAG = "dcai_integrity_probe"
#: Error name given to a test cell that ran with a replaced helper, and its message around the names.
TAMPER_ENAME = "IntegrityError"
TAMPER_PREFIX, TAMPER_SUFFIX = "this test ran after the submission replaced ", "; it scores 0"

SNAPSHOT_SOURCE = r"""
def _dcai_integrity_snapshot():
    import builtins, math, sys
    import numpy, numpy.testing
    from IPython.display import publish_display_data
    shell = get_ipython()
    watched = {"numpy": numpy, "numpy.testing": numpy.testing, "builtins": builtins, "math": math}
    names = {
        "numpy": ["allclose", "isclose", "array_equal", "array_equiv", "all", "any", "abs", "isnan", "isfinite"],
        "numpy.testing": [n for n in dir(numpy.testing) if n.startswith("assert")],
        "builtins": ["AssertionError", "isinstance", "len", "abs", "all", "any", "round", "sum", "min", "max",
                     "sorted", "set", "float", "int", "type", "hasattr", "getattr", "print", "repr", "str"],
        "math": ["isclose"],
    }
    shell_methods = ["run_cell", "run_cell_async", "run_ast_nodes", "run_code", "showtraceback", "_showtraceback",
                     "showsyntaxerror", "transform_cell", "should_run_async"]
    pristine = {(m, n): getattr(watched[m], n) for m in names for n in names[m] if hasattr(watched[m], n)}
    pristine.update({("shell", n): getattr(shell, n) for n in shell_methods})
    modules = {m: sys.modules.get(m) for m in watched}
    tracer = (sys.gettrace(), sys.getprofile())
    library_modules = ("numpy", "numpy.testing", "pandas.testing", "sklearn.metrics", "math", "builtins")

    def from_notebook(obj):
        code = getattr(obj, "__code__", None) or getattr(getattr(obj, "__func__", None), "__code__", None)
        filename = getattr(code, "co_filename", "") or ""
        return (getattr(obj, "__module__", None) == "__main__" or type(obj).__module__ == "__main__"
                or "ipykernel_" in filename or filename.startswith("<ipython-input"))

    def hooks():
        manager = shell.input_transformer_manager
        yield from (f for callbacks in shell.events.callbacks.values() for f in callbacks)
        yield from shell.ast_transformers
        yield from shell.input_transformers_post
        yield from manager.cleanup_transforms
        yield from manager.line_transforms

    def replaced():
        found = []
        for (m, n), value in pristine.items():
            owner = shell if m == "shell" else watched[m]
            current = getattr(owner, n, None)
            if current is not value and current != value:  # bound methods are new objects, equal ones
                found.append(f"{m}.{n}")
        found += [f"sys.modules[{m!r}]" for m, module in modules.items() if sys.modules.get(m) is not module]
        if any(from_notebook(hook) for hook in hooks()):
            found.append("IPython's execution hooks (events or input/AST transformers)")
        if (sys.gettrace(), sys.getprofile()) != tracer:
            found.append("the trace or profile function")
        for name in library_modules:
            module = sys.modules.get(name)
            for attr in dir(module) if module is not None else []:
                try:
                    value = getattr(module, attr)
                except Exception:
                    continue
                if callable(value) and from_notebook(value):
                    found.append(f"{name}.{attr}")
        return sorted(set(found))

    def report(position):
        try:
            found = replaced()
        except BaseException as err:  # a probe that cannot look is itself a finding
            found = [f"the integrity probe failed ({type(err).__name__})"]
        publish_display_data({"__PROBE_MIME__": {"position": position, "replaced": found}})

    return report

_dcai_integrity_report = _dcai_integrity_snapshot()
del _dcai_integrity_snapshot
_dcai_integrity_report("start")
""".replace("__PROBE_MIME__", PROBE_MIME)


def _probe_cell(source: str) -> NotebookNode:
    """A grader cell, tagged so that :class:`ScoreIntegrityProbes` finds and removes it."""
    cell = new_code_cell(source.strip())
    cell.metadata["tags"] = [PROBE_TAG]
    return cell


def is_probe(cell: dict) -> bool:
    """True for a cell the grader injected."""
    return PROBE_TAG in cell.get("metadata", {}).get("tags", [])


class InjectIntegrityProbes(NbGraderPreprocessor):
    """Inject a helper snapshot first and a probe before and after every test cell."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        cells = [_probe_cell(SNAPSHOT_SOURCE)]
        for cell in nb.cells:
            grade_id = nbgrader_meta(cell).get("grade_id")
            is_test = cell.cell_type == "code" and nbgrader_meta(cell).get("grade") and grade_id
            if is_test:
                cells.append(_probe_cell(f"_dcai_integrity_report({'before:' + grade_id!r})"))
            cells.append(cell)
            if is_test:
                cells.append(_probe_cell(f"_dcai_integrity_report({'after:' + grade_id!r})"))
        nb.cells = cells
        return nb, resources


def _probe_finding(cell: dict) -> list[str] | None:
    """What a probe cell reported replaced; ``None`` when it did not run (interrupted or kernel gone)."""
    for output in cell.get("outputs", []):
        report = output.get("data", {}).get(PROBE_MIME)
        if report is not None:
            return list(report.get("replaced", []))
    errors = [output.get("ename", "") for output in cell.get("outputs", []) if output.get("output_type") == "error"]
    if any(name in ("CellTimeoutError", "KeyboardInterrupt") for name in errors):
        return None
    if cell.get("execution_count") is None and not cell.get("outputs"):
        return None
    # It ran but reported nothing: its reporting was suppressed or the probe was removed.
    return [f"the integrity probe's report ({', '.join(errors) or 'no output'})"]


class ScoreIntegrityProbes(NbGraderPreprocessor):
    """Remove the probe cells; give every test cell that ran with a replaced helper an error output (0 points)."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        findings: dict[str, list[str]] = {}
        last: list[str] = []
        kept = []
        for cell in nb.cells:
            if is_probe(cell):
                found = _probe_finding(cell)
                if found:
                    last = found
                    source = cell.source
                    if "'before:" in source or "'after:" in source:
                        grade_id = source.split(":", 1)[1].rstrip("')")
                        findings.setdefault(grade_id, [])
                        findings[grade_id] = sorted(set(findings[grade_id]) | set(found))
                continue
            kept.append(cell)
        for cell in kept:
            grade_id = nbgrader_meta(cell).get("grade_id")
            if grade_id in findings and cell.cell_type == "code":
                replaced = ", ".join(findings[grade_id])
                cell.outputs.append(
                    new_output(
                        "error",
                        ename=TAMPER_ENAME,
                        evalue=f"{TAMPER_PREFIX}{replaced}{TAMPER_SUFFIX}",
                        traceback=[f"{TAMPER_ENAME}: this test ran after the submission replaced {replaced}"],
                    )
                )
        nb.cells = kept
        resources["dcai_integrity"] = {"tampered_cells": findings, "last_report": last}
        return nb, resources


def replaced_helpers(nb: dict) -> list[str]:
    """What the probes found replaced, from the error outputs :class:`ScoreIntegrityProbes` added."""
    found = set()
    for cell in nb["cells"]:
        for output in cell.get("outputs", []):
            if output.get("ename") == TAMPER_ENAME and output.get("evalue", "").startswith(TAMPER_PREFIX):
                names = output["evalue"][len(TAMPER_PREFIX) :].removesuffix(TAMPER_SUFFIX)
                found.update(names.split(", "))
    return sorted(found)


def edited_test_cells(submission: dict, release: dict) -> list[str]:
    """How the submission's locked cells differ from the release: one phrase per edited, retyped or deleted cell."""
    submitted = {nbgrader_meta(c).get("grade_id"): c for c in submission.get("cells", []) if nbgrader_meta(c)}
    problems = []
    for cell in release["cells"]:
        meta = nbgrader_meta(cell)
        if not meta.get("locked") or not meta.get("grade_id"):
            continue
        grade_id = meta["grade_id"]
        theirs = submitted.get(grade_id)
        if theirs is None:
            problems.append(f"deleted {grade_id}")
        elif theirs.get("cell_type") != cell.cell_type:
            problems.append(f"turned {grade_id} into {theirs.get('cell_type')}")
        elif _normalised(theirs.get("source", "")) != _normalised(cell.source):
            problems.append(f"edited {grade_id}")
    return problems


def _normalised(source: str | list) -> str:
    """Cell source without trailing whitespace, the way JupyterLab may save it."""
    text = "".join(source) if isinstance(source, list) else source
    return json.dumps([line.rstrip() for line in text.strip().splitlines()])
