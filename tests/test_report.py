"""`dcai report`: the class report of a graded class of ten, its numbers, and its page offline in Chromium."""

from __future__ import annotations

import zipfile

import nbformat
import pytest
from browser import Screenshots, launch_chromium
from playwright.sync_api import expect, sync_playwright
from test_grade import WRONG, student_notebook

from dcai_helpers.cli import main
from dcai_helpers.grading.grade import grade
from dcai_helpers.grading.report import class_report, write_html

# Passes the public test (double(2) == 4) and fails the hidden one.
HARDCODED = "def double(x):\n    return 4 if x == 2 else 0\n"


@pytest.fixture
def graded_class(tiny_lab, tmp_path):
    """A Canvas zip of ten students (right, wrong, hard-coded, empty, late, resubmitted), graded."""
    right = nbformat.writes(student_notebook(tiny_lab, tmp_path))
    wrong = nbformat.writes(student_notebook(tiny_lab, tmp_path, WRONG))
    hardcoded = nbformat.writes(student_notebook(tiny_lab, tmp_path, HARDCODED))
    lab = tiny_lab.id
    files = {
        f"alice_101_1_{lab}.ipynb": right,
        f"bob_102_2_{lab}.ipynb": right,
        f"carol_103_3_{lab}.ipynb": right,
        f"dave_104_4_{lab}.ipynb": wrong,
        f"erin_105_5_{lab}.ipynb": wrong,
        f"frank_106_6_{lab}.ipynb": hardcoded,
        f"grace_107_7_{lab}.ipynb": hardcoded,
        f"heidi_108_8_{lab}.ipynb": "",
        f"ivan_late_109_9_{lab}.ipynb": right,
        f"judy_110_10_{lab}.ipynb": wrong,
        f"judy_110_11_{lab}-1.ipynb": right,  # the resubmission is graded
    }
    archive = tmp_path / "canvas.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    grade(tiny_lab, archive, out=tmp_path / "out", jobs=2, timeout=60)
    return tmp_path / "out"


def test_the_report_counts_what_the_grader_decided(graded_class):
    report = class_report(graded_class)
    assert report.lab == "tiny_lab" and len(report.rows) == 10
    assert {s: n for s, n in report.statuses().items() if n} == {"ok": 9, "invalid": 1}
    (cell,) = report.cells
    assert cell.grade_id == "test_double" and cell.max_points == 3
    assert (cell.public["passed"], sum(cell.public.values())) == (7, 9)  # dave and erin fail the public test
    assert (cell.hidden["passed"], cell.hidden["failed"]) == (5, 2)  # frank and grace's hard-coded answers
    messages = dict(cell.top_messages())
    assert messages["Exercise 1 (double): expected double(2) == 4"] == 2
    assert sum(messages.values()) == 4
    assert report.late == ["ivan"] and report.resubmitted == ["judy"]
    assert set(report.seconds) == {"alice", "bob", "carol", "dave", "erin", "frank", "grace", "ivan", "judy"}
    assert all(0 < s < 60 for s in report.seconds.values())
    text = report.render()
    assert "10 student(s)" in text and "public 78 %, hidden 71 %" in text and "2 x Exercise 1" in text


def test_dcai_report_writes_an_offline_page_that_shows_the_numbers(graded_class, request, capsys):
    assert main(["report", str(graded_class)]) == 0
    assert f"wrote {graded_class / 'report.html'}" in capsys.readouterr().out
    page_file = graded_class / "report.html"
    text = page_file.read_text()
    assert "<script" not in text and "http://" not in text.replace("http://www.w3.org", "")
    shots = Screenshots.for_test(request.node.name)
    requested = []
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_page(viewport={"width": 1300, "height": 1800})
        page.on("request", lambda r: requested.append(r.url))
        page.goto(page_file.as_uri())
        expect(page.get_by_role("heading", name="tiny_lab: class report")).to_be_visible()
        expect(page.locator("td", has_text="7 of 9 (78 %)")).to_be_visible()
        expect(page.locator("td", has_text="expected double(2) == 4")).to_be_visible()
        expect(page.locator("svg").first).to_be_visible()
        shots.take(page, "class-report")
        browser.close()
    print(shots.report())
    assert [url for url in requested if not url.startswith("file:")] == [], "the page must work offline"


def test_a_folder_without_grades_is_refused(tmp_path):
    with pytest.raises(FileNotFoundError, match="give the --out folder"):
        class_report(tmp_path)
    assert main(["report", str(tmp_path)]) == 2


def test_a_page_for_a_class_with_no_graded_notebook(graded_class, tmp_path):
    import shutil

    shutil.rmtree(graded_class / "autograded")
    report = class_report(graded_class)
    assert report.seconds == {} and not report.cells[0].public and not report.cells[0].messages
    assert write_html(report, tmp_path / "r.html").read_text().count("<svg") == 4
