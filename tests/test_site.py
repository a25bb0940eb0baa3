"""The course site for self-learners (``make site``): one page per lab, its plots, no hidden test, a download.

The site is built once per module into a temporary folder, as ``make site`` builds it; one page is then
rendered in headless Chromium and its screenshot kept under ``build/screenshots/site/`` for a person to read.
"""

from __future__ import annotations

import base64
import html
import re
from pathlib import Path

import nbformat
import pytest
from browser import chromium_executable
from nbformat.v4 import new_code_cell, new_notebook, new_output

from dcai_helpers.authoring.site import (
    SiteBuild,
    build_site,
    hidden_only_lines,
    leaked_hidden_lines,
    strip_hidden_tests,
)
from dcai_helpers.course.notebooks import HIDDEN_NOTE, HIDDEN_TEST_MARKERS
from dcai_helpers.labs import LABS, REPO_ROOT

pytestmark = [
    pytest.mark.xdist_group("site"),
    # Sphinx's notice to the theme and myst-parser about an API they still use; nothing this project can change.
    pytest.mark.filterwarnings("ignore::sphinx.deprecation.RemovedInSphinx11Warning"),
]

#: The page rendered in Chromium, and where its screenshot is kept.
RENDERED_LAB = "label_errors"
SCREENSHOT_DIR = REPO_ROOT / "build" / "screenshots" / "site"
#: The whole site must build quickly on a 2-core laptop (it takes about 15 s there).
BUILD_BUDGET_SECONDS = 120
_TAG = re.compile(r"<[^>]+>")
_IMG_SRC = re.compile(r'<img\b[^>]*\bsrc="([^"]+)"')


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    built = build_site(tmp_path_factory.mktemp("site"))
    print(f"site: {len(built.pages)} pages built in {built.seconds:.1f} s")
    return built


def page_text(path: Path) -> str:
    """The text a reader sees on an HTML page: tags removed, entities decoded."""
    return html.unescape(_TAG.sub("", path.read_text(encoding="utf-8")))


def png_outputs(notebook_path: Path) -> list[bytes]:
    """The decoded image/png outputs of a notebook, in order."""
    nb = nbformat.read(notebook_path, as_version=4)
    return [
        base64.b64decode(output["data"]["image/png"])
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.outputs
        if "image/png" in output.get("data", {})
    ]


def test_the_build_is_quick(site):
    assert site.seconds < BUILD_BUDGET_SECONDS, (
        f"the site took {site.seconds:.0f} s to build; it must stay under {BUILD_BUDGET_SECONDS} s. "
        "Check that nb_execution_mode is still 'off' in site/conf.py."
    )


def test_every_lab_has_a_page_with_its_objectives(site):
    assert sorted(site.pages) == sorted(lab.id for lab in LABS)
    for lab in LABS:
        page = site.pages[lab.id]
        assert page.is_file(), f"{lab.id}: no page at {page}"
        first_heading = nbformat.read(lab.solution, as_version=4).cells[0].source.splitlines()[0].lstrip("# ")
        text = page_text(page)
        assert first_heading in text, f"{lab.id}: the page lacks the notebook's title {first_heading!r}"
        assert "Learning objectives" in text, f"{lab.id}: the page lacks the learning objectives"


def test_index_lists_every_lab_from_the_registry_and_how_to_run_them(site):
    index = site.html_dir / "index.html"
    text, raw = page_text(index), index.read_text(encoding="utf-8")
    for lab in LABS:
        assert lab.title in text, f"the index lacks {lab.id}'s title {lab.title!r}"
        assert f'href="labs/{lab.id}.html"' in raw, f"the index does not link to {lab.id}'s page"
    assert "How to run these yourself" in text
    assert "make lab" in text, "the index should quote the README's quickstart (`make lab`)"


def test_every_plot_of_a_solution_is_an_image_on_its_page(site):
    for lab in LABS:
        page = site.pages[lab.id]
        sources = _IMG_SRC.findall(page.read_text(encoding="utf-8"))
        shown = [(page.parent / src).resolve().read_bytes() for src in sources if not src.startswith(("http", "data:"))]
        plots = png_outputs(lab.solution)
        assert plots, f"{lab.id}: the solution has no plot (a lab must show its result as a plot)"
        missing = [position for position, plot in enumerate(plots) if plot not in shown]
        assert not missing, f"{lab.id}: plots {missing} of the solution's {len(plots)} are not images on its page"
        assert len(sources) == len(plots), f"{lab.id}: {len(sources)} images on the page, {len(plots)} plots"


def test_headline_numbers_appear_on_their_page(site):
    for lab in LABS:
        nb = nbformat.read(lab.solution, as_version=4)
        text = page_text(site.pages[lab.id])
        headline_cells = [cell for cell in nb.cells if cell.source.startswith("# NBVAL_CHECK_OUTPUT")]
        assert headline_cells, f"{lab.id}: no # NBVAL_CHECK_OUTPUT cell"
        for cell in headline_cells:
            for output in cell.outputs:
                if output.output_type == "stream" and output.name == "stdout":
                    for line in filter(str.strip, output.text.splitlines()):
                        assert line.strip() in text, f"{lab.id}: headline line {line.strip()!r} is not on its page"


def test_no_hidden_test_line_reaches_any_built_file(site):
    hidden = hidden_only_lines(LABS)
    # A scan that looks for nothing proves nothing: every lab has hidden tests to look for.
    assert all(len(lines) >= 10 for lines in hidden.values()), {lab: len(lines) for lab, lines in hidden.items()}
    # The whole build folder: the pages, the downloads, the staged sources and myst-nb's copies.
    build_dir = site.html_dir.parent
    assert leaked_hidden_lines(build_dir) == {}
    for path in build_dir.rglob("*"):
        if path.is_file() and path.suffix in (".html", ".ipynb", ".js", ".txt"):
            text = path.read_text(encoding="utf-8", errors="replace")
            for marker in HIDDEN_TEST_MARKERS:
                assert marker not in text, f"{path.relative_to(build_dir)}: holds the marker {marker!r}"


def test_the_leak_scan_finds_a_hidden_line_in_a_page_and_a_notebook(tmp_path):
    lab = LABS[0]
    line = hidden_only_lines([lab])[lab.id][0]
    # As Pygments writes a code line: split into spans, with entities.
    highlighted = "</span> <span>".join(html.escape(word) for word in line.split(" "))
    (tmp_path / "page.html").write_text(f"<pre><span>{highlighted}</span>\n</pre>")
    nbformat.write(new_notebook(cells=[new_code_cell(f"x = 1\n    {line}\n")]), tmp_path / "copy.ipynb")
    (tmp_path / "clean.html").write_text("<p>nothing hidden here</p>")
    leaks = leaked_hidden_lines(tmp_path, [lab])
    assert sorted(leaks) == ["copy.ipynb", "page.html"], leaks


def test_strip_hidden_tests_keeps_solutions_and_outputs_and_drops_tracebacks():
    begin, end = HIDDEN_TEST_MARKERS
    test_cell = new_code_cell(
        f"assert f(1) == 2\n    {begin}\n    assert f(7) == 8  # secret\n    {end}\nprint('ok')",
        metadata={"nbgrader": {"grade": True, "solution": False, "grade_id": "test_f", "points": 1}},
        outputs=[
            new_output("stream", name="stdout", text="score: 0.9\n"),
            new_output("error", ename="AssertionError", evalue="x", traceback=["assert f(7) == 8  # secret"]),
        ],
    )
    solution_cell = new_code_cell(
        "def f(x):\n    ### BEGIN SOLUTION\n    return x + 1\n    ### END SOLUTION",
        metadata={"nbgrader": {"grade": False, "solution": True, "grade_id": "f"}},
        outputs=[new_output("stream", name="stdout", text="defined\n")],
    )
    nb = strip_hidden_tests(new_notebook(cells=[solution_cell, test_cell]))
    assert nb.cells[0].source == solution_cell.source and len(nb.cells[0].outputs) == 1
    assert nb.cells[1].source == f"assert f(1) == 2\n    {HIDDEN_NOTE}\nprint('ok')"
    assert [output.output_type for output in nb.cells[1].outputs] == ["stream"]


def test_student_notebook_download_is_the_release(site):
    for lab in LABS:
        page = site.pages[lab.id]
        links = re.findall(rf'href="([^"]*_downloads/[^"]*/{lab.id}\.ipynb)"', page.read_text(encoding="utf-8"))
        assert links, f"{lab.id}: its page has no link to download {lab.id}.ipynb"
        for link in links:
            target = (page.parent / link).resolve()
            assert target.read_bytes() == lab.release.read_bytes(), f"{lab.id}: {link} is not {lab.release}"


def test_a_page_renders_in_headless_chromium(site):
    executable = chromium_executable()
    sync_playwright = pytest.importorskip("playwright.sync_api").sync_playwright
    page_path = site.pages[RENDERED_LAB]
    SCREENSHOT_DIR.mkdir(parents=True, exist_ok=True)
    screenshot = SCREENSHOT_DIR / f"{RENDERED_LAB}.png"
    plot_screenshot = SCREENSHOT_DIR / f"{RENDERED_LAB}-headline-plot.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            # Offline: any request that leaves the machine (MathJax's CDN) is refused, as on a laptop without network.
            page.route(re.compile(r"^https?://"), lambda route: route.abort())
            page.goto(page_path.as_uri())
            page.wait_for_load_state("load")
            title = page.title()
            widths = page.eval_on_selector_all("article img", "images => images.map(i => i.naturalWidth)")
            download = page.get_by_role("link", name=f"{RENDERED_LAB}.ipynb").first
            download_href = download.get_attribute("href")
            page.screenshot(path=str(screenshot), full_page=False)
            # The headline plot, the lab's result, for a person to look at as well.
            plot = page.locator("article img").last
            plot.scroll_into_view_if_needed()
            page.screenshot(path=str(plot_screenshot), full_page=False)
        finally:
            browser.close()
    print(f"site screenshots: {screenshot} {plot_screenshot}")
    expected_plots = len(png_outputs(LABS[[lab.id for lab in LABS].index(RENDERED_LAB)].solution))
    assert "Label errors" in title, title
    assert len(widths) == expected_plots and all(width > 0 for width in widths), (
        f"expected {expected_plots} loaded images on the page, found widths {widths}"
    )
    assert download_href and download_href.endswith(f"{RENDERED_LAB}.ipynb")


def test_the_manual_is_in_the_site(site):
    manual = site.html_dir / "manual"
    pages = sorted(page.stem for page in manual.glob("*.html"))
    assert pages == sorted(page.stem for page in (REPO_ROOT / "docs").glob("*.md")), pages
    grading = (manual / "grading.html").read_text(encoding="utf-8")
    assert "How verdicts are made" in grading
    # A link out of docs/ names the repository's file; it never points at a page the site lacks.
    assert "../CONTRIBUTING.md" not in grading
