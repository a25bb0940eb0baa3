"""JupyterLab as students and self-learners use it: `make lab` driven in headless Chromium, step by step.

Each test saves a screenshot of every step under build/screenshots/<test name>/ and prints where they are
(`pytest -s` shows it; -ra shows it for a failure too). Without `chromium` on PATH the tests skip, and fail under
CI=true; see tests/browser.py.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from answers import solution_answers
from browser import (
    KERNEL_MS,
    PAGE_LOAD_MS,
    REPO,
    Screenshots,
    choose_menu,
    launch_chromium,
    make_lab,
    open_from_file_browser,
    wait_kernel_idle,
)
from playwright.sync_api import Browser, Page, expect, sync_playwright

LAB = "label_errors"
# The first exercise (the one the student answers) and the later ones left undone, by grade_id.
ANSWERED = "compute_out_of_sample_pred_probs"
UNANSWERED = (
    "per_class_thresholds",
    "count_confident_joint",
    "calibrate_confident_joint",
    "find_issues_prune_by_noise_rate",
    "rank_by_self_confidence",
)
# nbgrader's Validate runs the whole notebook in a fresh kernel on the server.
VALIDATE_MS = 240_000
VIEWPORT = {"width": 1400, "height": 900}

pytestmark = pytest.mark.xdist_group("browser")  # one browser at a time: two would only slow each other down


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        chromium = launch_chromium(playwright)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(viewport=VIEWPORT)
    yield context.new_page()
    context.close()


@pytest.fixture
def screenshots(request: pytest.FixtureRequest) -> Iterator[Screenshots]:
    shots = Screenshots.for_test(request.node.name)
    yield shots
    print(shots.report())


def cell_with_grade_id(notebook: Path, grade_id: str) -> int:
    """Index of the cell whose nbgrader ``grade_id`` is ``grade_id``, in the order JupyterLab shows them."""
    cells = nbformat.read(notebook, as_version=4).cells
    return next(i for i, cell in enumerate(cells) if cell.metadata.get("nbgrader", {}).get("grade_id") == grade_id)


def solution_answer(grade_id: str) -> str:
    """The solution cell's code with its markers removed: a correct answer, as a student would paste it."""
    return solution_answers(LAB)[grade_id]


def test_student_works_through_label_errors(page: Page, screenshots: Screenshots, tmp_path: Path) -> None:
    labs = tmp_path / "labs"
    shutil.copytree(REPO / "labs", labs)
    notebook = labs / LAB / f"{LAB}.ipynb"
    solution_index = cell_with_grade_id(notebook, ANSWERED)
    test_index = cell_with_grade_id(notebook, f"test_{ANSWERED}")

    with make_lab(labs, tmp_path / "home") as lab:
        # The instructor's formgrader is not served to students; the student's validate endpoint is.
        assert lab.status_code("formgrader") == 404, "`make lab` serves nbgrader's formgrader to students"
        page.goto(lab.page_url(), timeout=PAGE_LOAD_MS)
        expect(page.locator(".jp-DirListing-item").first).to_be_visible(timeout=PAGE_LOAD_MS)
        page.get_by_role("menuitem", name="Nbgrader", exact=True).click()
        nbgrader_menu = page.locator(".lm-Menu:visible .lm-Menu-itemLabel")
        expect(nbgrader_menu.first).to_be_visible()
        screenshots.take(page, "nbgrader-menu")
        menu_items = [label for label in nbgrader_menu.all_inner_texts() if label]
        assert menu_items == ["Assignment List"], f"the student's Nbgrader menu shows {menu_items}"
        page.keyboard.press("Escape")

        panel = open_from_file_browser(page, LAB, f"{LAB}.ipynb")
        expect(panel.get_by_role("button", name="Validate")).to_be_visible()
        wait_kernel_idle(page)
        screenshots.take(page, "opened")

        cells = panel.locator(".jp-Notebook .jp-Cell")
        solution_cell, test_cell = cells.nth(solution_index), cells.nth(test_index)
        choose_menu(page, "Run", "Run All Cells")
        # Run All stops at the first error: the first exercise's test calls the unanswered function.
        error = test_cell.locator(".jp-OutputArea-output", has_text="NotImplementedError")
        expect(error).to_be_visible(timeout=KERNEL_MS)
        wait_kernel_idle(page)
        error.scroll_into_view_if_needed()
        screenshots.take(page, "run-all-not-implemented")

        solution_cell.locator(".cm-content").click()
        page.keyboard.press("Control+a")
        page.keyboard.insert_text(solution_answer(ANSWERED))  # a paste: no auto-indent, no auto-closed brackets
        screenshots.take(page, "answer-pasted")
        test_prompt = test_cell.locator(".jp-InputPrompt")
        prompt_before = test_prompt.inner_text()
        page.keyboard.press("Shift+Enter")  # the solution cell, then the test cell right after it
        page.keyboard.press("Shift+Enter")
        expect(test_prompt).not_to_have_text(prompt_before, timeout=KERNEL_MS)
        expect(test_prompt).to_have_text(re.compile(r"\[\d+\]:"), timeout=KERNEL_MS)
        test_cell.scroll_into_view_if_needed()
        screenshots.take(page, "answer-passes-its-test")
        test_output = test_cell.locator(".jp-OutputArea").inner_text()
        assert "Error" not in test_output, f"the first exercise's test fails with the solution's answer:\n{test_output}"

        panel.get_by_role("button", name="Validate").click()
        report = page.locator(".jp-Dialog", has_text="Validation Results")
        expect(report).to_be_visible(timeout=VALIDATE_MS)
        screenshots.take(page, "validate-report")
        report_text = report.inner_text()
        assert "There was an error running the validate command" not in report_text, report_text
        missing = [grade_id for grade_id in UNANSWERED if grade_id not in report_text]
        assert not missing, f"Validate's report does not name the failing tests of {missing}:\n{report_text}"
        # The report quotes each failing test cell; only the first exercise's test says "Exercise 1 (".
        assert "Exercise 1 (" not in report_text, f"Validate reports the answered exercise as failing:\n{report_text}"


def test_solution_plots_render_as_images(page: Page, screenshots: Screenshots, tmp_path: Path) -> None:
    solution = tmp_path / "solutions" / LAB
    shutil.copytree(REPO / "solutions" / LAB, solution)
    cells = nbformat.read(solution / f"{LAB}.ipynb", as_version=4).cells
    images_in_file = sum(
        "image/png" in output.get("data", {}) for cell in cells if cell.cell_type == "code" for output in cell.outputs
    )
    assert images_in_file > 0, f"solutions/{LAB} has no plot to check"

    with make_lab(solution.parent, tmp_path / "home") as lab:
        page.goto(lab.page_url(), timeout=PAGE_LOAD_MS)
        panel = open_from_file_browser(page, LAB, f"{LAB}.ipynb")
        images = panel.locator(".jp-OutputArea-output img")
        expect(images).to_have_count(images_in_file, timeout=PAGE_LOAD_MS)
        for index in range(images_in_file):
            image = images.nth(index)
            image.scroll_into_view_if_needed()
            # Decoded and drawn: an <img> whose PNG is broken has no natural size.
            page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=image.element_handle())
            screenshots.take(page, f"plot-{index + 1}")
