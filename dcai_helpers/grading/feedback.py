"""HTML feedback for students with nbgrader's ``generate_feedback``, without the hidden tests.

The graded notebook is the instructor's: its test cells hold the answer key's hidden tests and each test cell's
verdict (:mod:`dcai_helpers.grading.worker`). The kernel never saw a hidden test, so nothing it printed can hold
one; the feedback shows what it printed, warnings included. We run nbgrader's feedback converter with our steps
first: :class:`~dcai_helpers.course.notebooks.CutHiddenTests` replaces each hidden-test region by a note,
:class:`KeepVerdictText` keeps only the text of each verdict (the student-safe message), and
:class:`NameTestCells` heads each test cell with its exercise.

Pages work offline and carry nothing a student could use against whoever opens them: Markdown and HTML
outputs go through nbconvert's ``SanitizeHTML`` (bleach), and :func:`make_safe` then drops every script
(MathJax from a CDN included: formulas show as TeX), remote resource, event-handler attribute and
``javascript:`` URL.
"""

from __future__ import annotations

import html
import logging
import re
from pathlib import Path

from nbconvert.exporters import HTMLExporter
from nbconvert.preprocessors import CSSHTMLHeaderPreprocessor
from nbconvert.preprocessors.sanitize import SanitizeHTML
from nbformat import NotebookNode
from nbgrader.apps import NbGraderAPI
from nbgrader.coursedir import CourseDirectory
from nbgrader.preprocessors import GetGrades, NbGraderPreprocessor
from traitlets.config import Config

from dcai_helpers.course.config import course_config
from dcai_helpers.course.notebooks import CutHiddenTests, is_test_cell, nbgrader_meta
from dcai_helpers.grading.status import MEANING, Status
from dcai_helpers.verdicts.trusted import VERDICT_MIME


class KeepVerdictText(NbGraderPreprocessor):
    """Keep only the text of each verdict output: the whole verdict (what the tests printed) is the instructor's."""

    def preprocess_cell(self, cell: NotebookNode, resources: dict, index: int) -> tuple[NotebookNode, dict]:
        for output in cell.get("outputs", []):
            output.get("data", {}).pop(VERDICT_MIME, None)
        return cell, resources


class NameTestCells(NbGraderPreprocessor):
    """Head each test cell with the exercise it tests (the last ``Exercise`` heading above it) and its points."""

    def preprocess(self, nb: NotebookNode, resources: dict) -> tuple[NotebookNode, dict]:
        exercise = ""
        for cell in nb.cells:
            if cell.cell_type == "markdown":
                headings = [line.lstrip("#").strip() for line in cell.source.splitlines() if line.startswith("#")]
                exercise = next((h for h in headings if h.lower().startswith("exercise")), exercise)
            elif is_test_cell(cell):
                meta = nbgrader_meta(cell)
                name = f"tests of {exercise}" if exercise else "tests"
                cell.source = f"# {name} (test cell {meta.get('grade_id')}, {meta.get('points', 0)} points)\n" + (
                    cell.source
                )
        return nb, resources


#: What :func:`make_safe` removes: elements that run or load something, remote style sheets, and within any
#: tag, event handlers and script URLs (page text never holds a bare ``<``: nbconvert escapes it).
_UNSAFE_ELEMENTS = re.compile(r"<(script|iframe|object|embed)\b.*?</\1\s*>", flags=re.IGNORECASE | re.DOTALL)
_UNSAFE_TAGS = re.compile(r"</?(script|iframe|object|embed|base|meta\s+http-equiv)\b[^>]*>", flags=re.IGNORECASE)
_REMOTE_LINKS = re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(https?:)?//[^>]*>", flags=re.IGNORECASE)
_TAG = re.compile(r"<[a-zA-Z][^>]*>")
_HANDLERS = re.compile(r"""\s on[a-z]+ \s* = \s* ("[^"]*"|'[^']*'|[^\s>]+)""", flags=re.IGNORECASE | re.VERBOSE)
_SCRIPT_URLS = re.compile(r"(javascript|vbscript|data\s*:\s*text/html)\s*:", flags=re.IGNORECASE)


def make_safe(page: str) -> str:
    """``page`` without scripts, frames, remote links, event handlers or ``javascript:`` URLs."""
    page = _UNSAFE_ELEMENTS.sub("", page)
    page = _UNSAFE_TAGS.sub("", page)
    page = _REMOTE_LINKS.sub("", page)
    return _TAG.sub(lambda tag: _SCRIPT_URLS.sub("blocked:", _HANDLERS.sub("", tag.group(0))), page)


class SafeHTMLExporter(HTMLExporter):
    """nbconvert's HTML exporter whose page is :func:`make_safe` before nbgrader writes it: the page is written once."""

    def from_notebook_node(self, nb: NotebookNode, resources: dict | None = None, **kwargs) -> tuple[str, dict]:
        output, resources = super().from_notebook_node(nb, resources, **kwargs)
        return make_safe(output), resources


def configure(config: Config) -> Config:
    """Set nbgrader's ``generate_feedback`` steps in ``config`` to the student-safe ones: the hidden tests leave first,
    verdicts keep their text only, then nbgrader's own steps. The graded folder's ``nbgrader_config.py`` calls it, so
    formgrader's "generate feedback" makes the same pages."""
    config.GenerateFeedback.preprocessors = [
        CutHiddenTests,
        KeepVerdictText,
        NameTestCells,
        SanitizeHTML,
        GetGrades,
        CSSHTMLHeaderPreprocessor,
    ]
    config.SanitizeHTML.enabled = True  # nbconvert's preprocessors are off unless enabled
    config.GenerateFeedback.exporter_class = SafeHTMLExporter
    return config


def generate(course_root: Path, lab_id: str, *, db_url: str) -> None:
    """Write ``feedback/<student>/<lab>/<lab>.html`` for every autograded notebook under ``course_root``.

    Raises
    ------
    RuntimeError
        When nbgrader cannot generate the feedback, with nbgrader's reason.
    """
    config = course_config(course_root, db_url=db_url)
    configure(config)
    api = NbGraderAPI(coursedir=CourseDirectory(config=config), config=config)
    api.log.setLevel(logging.ERROR)
    result = api.generate_feedback(lab_id, student_id="*", force=True)
    if not result["success"]:
        raise RuntimeError(
            f"nbgrader generate_feedback failed for lab '{lab_id}':\n{result.get('error') or result.get('log')}"
        )


#: What a student should do next, by status (for the feedback page).
NEXT_STEP: dict[Status, str] = {
    Status.OK: "",
    Status.TIMEOUT: "Make the cell named above faster (or end its loop), run the notebook again, and submit again.",
    Status.MEMORY: "Use less memory in the cell named above, run the notebook top to bottom, and submit it again.",
    Status.CRASHED: "Remove what stops Python in the cell named above (exit, os._exit, kills) and submit again.",
    Status.TAMPERED: "Keep the test cells as released: do not edit, delete, copy or retag them, and do not replace the "
    "functions tests use. Ask your instructor if you think this is a mistake.",
    Status.INVALID: "Submit the lab's notebook itself, saved from JupyterLab, under the file name given above.",
    Status.MISSING: "Your submission did not include the notebook; submit it under the file name given above.",
}


def with_note(text: str, *, status: str, detail: str) -> str:
    """An nbgrader feedback page with the row's status and detail, and what to do next, at its top."""
    note = _note(Status(status), detail)
    body = re.search(r"<body[^>]*>", text)
    at = body.end() if body else 0
    return text[:at] + note + text[at:]


def _note(status: Status, detail: str) -> str:
    """The status box of a feedback page."""
    next_step = NEXT_STEP.get(status, "")
    return (
        f"<div class='dcai-status' style='border:2px solid #c60;padding:0.5em;margin:1em'>"
        f"<p><b>Status:</b> {html.escape(str(status))} ({html.escape(MEANING[status])})</p>"
        f"<p>{html.escape(detail)}</p>"
        + (f"<p><b>What to do:</b> {html.escape(next_step)}</p>" if next_step else "")
        + "</div>\n"
    )


def status_page(
    path: Path,
    *,
    student_id: str,
    lab_id: str,
    status: str,
    detail: str,
    score: float,
    max_score: float,
    expected: str = "",
) -> None:
    """Write a one-page HTML feedback for a submission nbgrader could not grade (or graded only in part).

    ``expected`` is the file the grader looks for (``<lab>/<lab>.ipynb``), named for ``invalid`` and ``missing``.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    status = Status(status)
    wanted = (
        f"<p><b>Expected:</b> a notebook named {html.escape(expected)}</p>\n"
        if expected and status in (Status.INVALID, Status.MISSING)
        else ""
    )
    body = (
        f"<h1>{html.escape(lab_id)}: feedback for {html.escape(student_id)}</h1>\n"
        f"<p><b>Score:</b> {score:g} / {max_score:g}</p>\n{_note(status, detail)}{wanted}"
    )
    path.write_text(
        f"<!DOCTYPE html>\n<html><head><meta charset='utf-8'><title>{html.escape(lab_id)}</title></head>\n"
        f"<body>\n{body}</body></html>\n",
        encoding="utf-8",
    )
