"""A graded class in nbgrader's own tools: `dcai formgrader OUT` in Chromium, `nbgrader export` and feedback there."""

from __future__ import annotations

import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from browser import PAGE_LOAD_MS, REPO, Screenshots, free_port, jupyter_server, launch_chromium, server_args
from playwright.sync_api import expect, sync_playwright
from test_grade import WRONG, student_notebook, submit

from dcai_helpers.course.notebooks import read_notebook, tidy_notebook
from dcai_helpers.grading import formgrader
from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.records import read_csv

BIN = Path(sys.executable).parent


@pytest.fixture
def graded_class(tiny_lab, tmp_path) -> Path:
    """The tiny lab graded for alice (right), bob (wrong) and carol (an empty file)."""
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab, student_notebook(tiny_lab, tmp_path))
    submit(subs, "bob", tiny_lab, student_notebook(tiny_lab, tmp_path, WRONG))
    submit(subs, "carol", tiny_lab, raw=b"")
    grade(tiny_lab, subs, out=tmp_path / "out", jobs=2, timeout=60)
    return tmp_path / "out"


def test_a_graded_folder_is_a_course_with_its_answer_key(graded_class, tiny_lab):
    key = graded_class / "source" / tiny_lab.id / tiny_lab.solution.name
    assert read_notebook(key) == tidy_notebook(read_notebook(tiny_lab.solution))
    assert (graded_class / "nbgrader_config.py").is_file()


def test_nbgrader_export_and_feedback_in_the_folder_keep_dcai_s_files_and_hidden_tests(graded_class, tiny_lab):
    before = read_csv(graded_class / "grades.csv")
    for command in (["export"], ["generate_feedback", tiny_lab.id, "--force"]):
        done = subprocess.run([BIN / "nbgrader", *command], cwd=graded_class, capture_output=True, text=True)
        assert done.returncode == 0, done.stderr
    assert read_csv(graded_class / "grades.csv") == before, "nbgrader export wrote over dcai's grades.csv"
    exported = (graded_class / "nbgrader-grades.csv").read_text()
    assert "alice" in exported and "bob" in exported
    page = (graded_class / "feedback" / "bob" / tiny_lab.id / f"{tiny_lab.id}.html").read_text()
    assert "double(2) == 4" in page, "the public test is the student's to see"
    assert "double(21)" not in page, "formgrader's feedback must not carry the hidden tests"


def test_formgrader_lists_and_opens_each_graded_submission(graded_class, tiny_lab, tmp_path, request):
    shots = Screenshots.for_test(request.node.name)
    untracked = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    port, token = free_port(), secrets.token_hex(16)
    command = [str(BIN / "dcai"), "formgrader", str(graded_class), "--", *server_args(port, token)]
    with jupyter_server(command, tmp_path / "home", port, token, name="dcai formgrader") as server:
        with sync_playwright() as playwright:
            browser = launch_chromium(playwright)
            # Formgrader's pages ask its API without the token in their address: the header carries it.
            headers = {"Authorization": f"token {token}"}
            page = browser.new_page(viewport={"width": 1400, "height": 900}, extra_http_headers=headers)
            page.goto(server.page_url(f"formgrader/gradebook/{tiny_lab.id}/{tiny_lab.solution.stem}"))
            rows = page.locator("tbody tr")
            expect(rows.filter(has_text="alice")).to_be_visible(timeout=PAGE_LOAD_MS)
            expect(rows.filter(has_text="bob")).to_be_visible()
            expect(rows.filter(has_text="alice")).to_contain_text("3 / 3")
            expect(rows.filter(has_text="bob")).to_contain_text("0 / 3")
            shots.take(page, "manual-grading")
            rows.filter(has_text="bob").get_by_role("link").first.click()
            expect(page.get_by_text("return x + 1")).to_be_visible(timeout=PAGE_LOAD_MS)  # bob's own answer
            expect(page.get_by_text("double(21) == 42").first).to_be_visible()  # the instructor sees hidden tests
            shots.take(page, "bob-submission")
            page.goto(server.page_url(f"files/feedback/bob/{tiny_lab.id}/{tiny_lab.solution.stem}.html"))
            expect(page.get_by_text("double(2) == 4").first).to_be_visible(timeout=PAGE_LOAD_MS)
            assert "double(21)" not in page.content()
            shots.take(page, "bob-feedback")
            browser.close()
    print(shots.report())
    after = subprocess.run(["git", "status", "--porcelain"], cwd=REPO, capture_output=True, text=True).stdout
    assert after == untracked, "formgrader wrote into the repository"
    assert not (REPO / "gradebook.db").exists() or (REPO / "gradebook.db").stat().st_size > 0


def test_formgrader_refuses_a_folder_that_was_not_graded(tmp_path):
    done = subprocess.run([BIN / "dcai", "formgrader", str(tmp_path)], capture_output=True, text=True)
    assert done.returncode == 2
    assert "give the --out folder of `dcai grade`" in done.stderr
    assert not (tmp_path / "nbgrader_config.py").exists()


def test_an_older_graded_folder_gets_its_answer_key(graded_class, tiny_lab, monkeypatch):
    monkeypatch.setattr(formgrader, "get_lab", lambda lab_id: tiny_lab)
    shutil.rmtree(graded_class / "source")
    (graded_class / "nbgrader_config.py").unlink()
    added = formgrader.prepare(graded_class, solutions_dir=tiny_lab.solution.parents[1])
    assert len(added) == 2
    assert nbformat.read(graded_class / "source" / tiny_lab.id / tiny_lab.solution.name, as_version=4).cells
