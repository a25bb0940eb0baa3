"""HTML feedback for students with nbgrader's ``generate_feedback``, without the hidden tests.

nbgrader's own feedback shows the autograded notebook whole, hidden tests and their tracebacks
included (nbgrader issues #917 and #1363). We run nbgrader's feedback converter with one more
preprocessor first, :class:`HideHiddenTests`: it cuts the hidden-test regions out of every cell, and
reduces each test cell's outputs to the name and message of its error, because a traceback quotes
the failing (hidden) line.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path

from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbformat import NotebookNode
from nbformat.v4 import new_output
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import ClearHiddenTests, GetGrades

from dcai_helpers.grading.config import course_config
from dcai_helpers.grading.notebooks import HIDDEN_TEST_MARKERS, is_test_cell, marked_lines

#: What replaces a hidden-test region in the feedback.
HIDDEN_NOTE = "# (hidden tests ran here when your notebook was graded; they are not shown)"


class HideHiddenTests(ClearHiddenTests):
    """Cut hidden-test regions out of every cell and reduce test-cell outputs to their error line."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        lines, hiding = [], False
        for line in cell.source.split("\n"):
            if self.begin_test_delimeter in line:
                hiding = True
                lines.append(line[: len(line) - len(line.lstrip())] + HIDDEN_NOTE)
            elif self.end_test_delimeter in line:
                hiding = False
            elif not hiding:
                lines.append(line)
        cell.source = "\n".join(lines)
        if is_test_cell(cell):
            errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
            cell.outputs = [
                new_output("error", ename=o.ename, evalue=o.evalue, traceback=[f"{o.ename}: {o.evalue}"])
                for o in errors
            ]
        return cell, resources


def generate(course_root: Path, lab_id: str, *, db_url: str) -> None:
    """Write ``feedback/<student>/<lab>/<lab>.html`` for every autograded notebook under ``course_root``.

    Raises
    ------
    RuntimeError
        When nbgrader cannot generate the feedback, with nbgrader's reason.
    """
    config = course_config(course_root, db_url=db_url)
    # Hidden tests leave first, then nbgrader's own feedback steps.
    config.GenerateFeedback.preprocessors = [HideHiddenTests, GetGrades, CSSHTMLHeaderPreprocessor]
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.ERROR)
    result = api.generate_feedback(lab_id, student_id="*", force=True)
    if not result["success"]:
        raise RuntimeError(
            f"nbgrader generate_feedback failed for lab '{lab_id}':\n{result.get('error') or result.get('log')}"
        )


def status_page(
    path: Path, *, student_id: str, lab_id: str, status: str, detail: str, score: float, max_score: float
) -> None:
    """Write a one-page HTML feedback for a submission nbgrader could not grade."""
    path.parent.mkdir(parents=True, exist_ok=True)
    body = (
        f"<h1>{html.escape(lab_id)}: feedback for {html.escape(student_id)}</h1>\n"
        f"<p><b>Score:</b> {score:g} / {max_score:g}</p>\n"
        f"<p><b>Status:</b> {html.escape(status)}</p>\n<p>{html.escape(detail)}</p>\n"
    )
    path.write_text(
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(lab_id)}</title></head>\n"
        f"<body>\n{body}</body></html>\n",
        encoding="utf-8",
    )


def hidden_test_lines(nb: dict) -> list[str]:
    """The non-blank lines between hidden-test markers of ``nb`` (what feedback must never show)."""
    return [line for cell in nb["cells"] for line in marked_lines(cell.get("source", ""), HIDDEN_TEST_MARKERS)]
