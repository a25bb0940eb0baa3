"""The course site for self-learners: every solution with its committed outputs, as static HTML.

Sphinx with myst-nb and sphinx-book-theme (what Jupyter Book 1 builds on) renders the stored outputs of
each notebook without running it (``nb_execution_mode = "off"``), is pure Python and builds offline.
The build has two steps:

1. :func:`stage_site` copies each registered lab's solution into a build folder with its hidden tests cut
   out (:func:`strip_hidden_tests`, the same rule as the students' feedback), adds a link to download
   the student notebook ``labs/<lab>/<lab>.ipynb``, and writes the index page from the lab registry and
   the README's quickstart.
2. :func:`build_site` runs Sphinx on the staged folder with the configuration in ``site/conf.py``, warnings
   as errors, then scans every file it wrote for hidden-test lines (:func:`leaked_hidden_lines`) and
   fails if one got through.

Run ``dcai site [OUT_DIR]`` (``make site``); the pages land in ``OUT_DIR/html``.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat.v4 import new_markdown_cell

from dcai_helpers.course.notebooks import (
    HIDDEN_TEST_MARKERS,
    MIN_LEAK_LINE_LENGTH,
    CutHiddenTests,
    is_test_cell,
    marked_lines,
    read_notebook,
    unmarked_lines,
)
from dcai_helpers.labs import LABS, REPO_ROOT, Lab, lab_table

#: The Sphinx configuration folder (conf.py, templates, static files).
CONF_DIR = REPO_ROOT / "site"
#: Where ``make site`` builds: the staged sources under ``source/``, the pages under ``html/``.
DEFAULT_OUT_DIR = REPO_ROOT / "build" / "site"
#: Staged folders: lab pages, and the student notebooks offered for download (not pages themselves).
PAGES_SUBDIR = "labs"
STUDENT_SUBDIR = "student"
#: Where the manual (the repository's docs/) goes in the site, and the order its pages are listed in.
MANUAL_SUBDIR = "manual"
DOCS_DIR = REPO_ROOT / "docs"
MANUAL_ORDER = ("students", "self-learners", "instructors", "grading", "names-and-zips", "isolation", "scaling-out")
#: Built files that are text and could carry source code; images and fonts cannot.
TEXT_SUFFIXES = (".html", ".js", ".json", ".txt", ".ipynb", ".md", ".css", ".py", ".xml")
#: Hidden-test lines at least this long count as leaked wherever they occur, even inside another line.
MIN_SUBSTRING_LEAK_LENGTH = 40
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class SiteBuild:
    """What :func:`build_site` made.

    Attributes
    ----------
    html_dir : Path
        Folder of the pages; open ``html_dir / "index.html"``.
    pages : dict of str to Path
        Each lab id with its page.
    seconds : float
        Wall time of staging and building.
    """

    html_dir: Path
    pages: dict[str, Path]
    seconds: float


def strip_hidden_tests(nb: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """Cut every hidden-test region out of ``nb`` (in place) and drop the error outputs of test cells.

    A region runs from a line containing ``### BEGIN HIDDEN TESTS`` to one containing ``### END HIDDEN
    TESTS``, both included (matched anywhere in the line, as nbgrader's ``ClearHiddenTests`` does), and
    is replaced by one ``HIDDEN_NOTE`` line at the marker's indentation (the one cutter,
    :class:`~dcai_helpers.course.notebooks.CutHiddenTests`). A test cell's error output
    goes too, because a traceback quotes the failing line, which may be hidden. Solution code and every
    other output stay: the solutions are public for self-learners.

    Parameters
    ----------
    nb : NotebookNode
        A solution notebook.

    Returns
    -------
    NotebookNode
        ``nb`` itself.
    """
    cutter = CutHiddenTests()
    for index, cell in enumerate(nb.cells):
        cutter.preprocess_cell(cell, {}, index)
        if is_test_cell(cell):
            cell.outputs = [output for output in cell.outputs if output.output_type != "error"]
    return nb


def hidden_only_lines(labs: Sequence[Lab] = LABS) -> dict[str, list[str]]:
    """Each lab's hidden-test lines that no lab shows anywhere outside its hidden regions.

    A line such as ``assert ok, message`` or an import may be hidden in one lab and public in another
    (or in the same one, or be part of a longer public line); finding it on a page proves nothing. So only
    the hidden lines found nowhere in any solution's or student notebook's visible source, not even inside
    another line, and at least :data:`MIN_LEAK_LINE_LENGTH` characters long, count.

    Returns
    -------
    dict of str to list of str
        Each lab id with its sorted, stripped hidden-only lines.
    """
    solutions = {lab.id: read_notebook(lab.solution) for lab in labs}
    notebooks = [*solutions.values(), *(read_notebook(lab.release) for lab in labs if lab.release.is_file())]
    visible = "\n".join(
        line for nb in notebooks for cell in nb.cells for line in unmarked_lines(cell.source, HIDDEN_TEST_MARKERS)
    )
    return {
        lab_id: sorted(
            line
            for line in {line for cell in nb.cells for line in marked_lines(cell.source, HIDDEN_TEST_MARKERS)}
            if line not in visible and len(line) >= MIN_LEAK_LINE_LENGTH
        )
        for lab_id, nb in solutions.items()
    }


def readme_quickstart(readme: Path = REPO_ROOT / "README.md") -> str:
    """The body of the README's ``## Quickstart`` section (Markdown), so the site never repeats it by hand.

    Raises
    ------
    ValueError
        When the README has no such section.
    """
    text = readme.read_text(encoding="utf-8")
    match = re.search(r"^## Quickstart\n(.*?)(?=^## )", text, flags=re.MULTILINE | re.DOTALL)
    if match is None:
        raise ValueError(f"{readme}: no '## Quickstart' section; the site's index quotes it, so add it back")
    return match.group(1).strip()


def manual_pages() -> list[Path]:
    """The manual's pages (``docs/*.md``), in the order the site lists them."""
    rank = {stem: position for position, stem in enumerate(MANUAL_ORDER)}
    return sorted(DOCS_DIR.glob("*.md"), key=lambda page: (rank.get(page.stem, len(rank)), page.stem))


def index_page(labs: Sequence[Lab], quickstart: str) -> str:
    """The site's index page (MyST Markdown): what the site is, the labs table and how to run them."""
    table = lab_table(
        labs,
        {
            "lab": lambda lab: f"[{lab.title}]({PAGES_SUBDIR}/{lab.id}.ipynb)",
            "headline metric (before vs after)": lambda lab: lab.headline,
            "student notebook": lambda lab: f"{{download}}`download </{STUDENT_SUBDIR}/{lab.id}.ipynb>`",
        },
    )
    toctree = "\n".join(f"{PAGES_SUBDIR}/{lab.id}" for lab in labs)
    return "\n".join(
        [
            "# Data-centric AI labs",
            "",
            "Hands-on labs for **data-centric AI**: improving a model by improving its data. Each page below is a",
            "lab's worked solution with the outputs it produced: the plots and the headline numbers, baseline versus",
            "after the data-centric step. The hidden tests that grade students are left out. Every lab runs offline",
            "on a laptop CPU in about a minute; to try the exercises yourself, download the student notebook and",
            "check your answers with its tests.",
            "",
            "## The labs",
            "",
            table,
            "",
            "## How to run these yourself",
            "",
            "Clone the repository; the README's quickstart, quoted here, sets everything up:",
            "",
            quickstart,
            "",
            "Then open `labs/<lab>/<lab>.ipynb` to do the exercises, or `solutions/<lab>/<lab>.ipynb` to re-run a",
            "solution: with one BLAS thread (`OMP_NUM_THREADS=1`) its headline numbers are the ones shown here.",
            "",
            "```{toctree}",
            ":hidden:",
            ":maxdepth: 1",
            "",
            toctree,
            "```",
            "",
            "## The manual",
            "",
            "The repository's `docs/` folder: how students, instructors and self-learners use the labs, how grading",
            "works and how to scale it out.",
            "",
            "```{toctree}",
            ":maxdepth: 1",
            "",
            *(f"{MANUAL_SUBDIR}/{page.stem}" for page in manual_pages()),
            "```",
            "",
        ]
    )


def download_cell(lab: Lab) -> nbformat.NotebookNode:
    """The Markdown cell that heads a lab page with the student notebook's download link."""
    return new_markdown_cell(
        f"**Try it yourself:** download the student notebook "
        f"{{download}}`{lab.id}.ipynb </{STUDENT_SUBDIR}/{lab.id}.ipynb>` (the exercises without their "
        "solutions, with the public tests) and open it in JupyterLab; see "
        "[how to run these yourself](../index.md#how-to-run-these-yourself). Below is the worked solution "
        "with its outputs."
    )


def stage_site(source_dir: Path, labs: Sequence[Lab] = LABS) -> dict[str, Path]:
    """Write the site's sources into ``source_dir`` (emptied first): index, lab pages, student notebooks.

    Parameters
    ----------
    source_dir : Path
        Folder to stage into; it is deleted and recreated.
    labs : sequence of Lab
        The labs to publish, in order (default: the registry).

    Returns
    -------
    dict of str to Path
        Each lab id with its staged page.

    Raises
    ------
    FileNotFoundError
        When a lab's student notebook is missing (run ``dcai release`` first).
    ValueError
        When a staged page still holds a hidden-test line (a bug in :func:`strip_hidden_tests`).
    """
    if not labs:
        raise ValueError("`labs` must name at least one lab; got an empty sequence")
    source_dir = Path(source_dir)
    if source_dir.exists():
        shutil.rmtree(source_dir)
    (source_dir / PAGES_SUBDIR).mkdir(parents=True)
    (source_dir / STUDENT_SUBDIR).mkdir()
    pages, hidden = {}, hidden_only_lines(labs)
    for lab in labs:
        if not lab.release.is_file():
            raise FileNotFoundError(f"{lab.release}: no student notebook for '{lab.id}'; run `dcai release` first")
        shutil.copyfile(lab.release, source_dir / STUDENT_SUBDIR / f"{lab.id}.ipynb")
        page = strip_hidden_tests(read_notebook(lab.solution))
        for cell in page.cells:
            if is_test_cell(cell):
                # A reader comes for the technique and its result; the public tests fold away (myst-nb's tag).
                cell.metadata.setdefault("tags", []).append("hide-input")
        page.cells.insert(1, download_cell(lab))
        remaining = {line.strip() for cell in page.cells for line in cell.source.splitlines()} & set(hidden[lab.id])
        if remaining:
            raise ValueError(f"{lab.solution}: hidden-test lines survive staging: {sorted(remaining)[:3]}")
        pages[lab.id] = source_dir / PAGES_SUBDIR / f"{lab.id}.ipynb"
        nbformat.write(page, pages[lab.id])
    (source_dir / MANUAL_SUBDIR).mkdir()
    for page in manual_pages():
        text = page.read_text(encoding="utf-8")
        # A link out of docs/ (to an example or CONTRIBUTING.md) names the repository's file instead.
        text = re.sub(r"\[([^\]]*)\]\(\.\./([^)]+)\)", r"\1 (`\2` in the repository)", text)
        (source_dir / MANUAL_SUBDIR / page.name).write_text(text, encoding="utf-8")
    (source_dir / "index.md").write_text(index_page(labs, readme_quickstart()), encoding="utf-8")
    return pages


def leaked_hidden_lines(html_dir: Path, labs: Sequence[Lab] = LABS) -> dict[str, list[str]]:
    """Hidden-test lines of any of ``labs`` found in any text file under ``html_dir``.

    Each file is searched as written, as text with HTML tags removed and entities decoded (syntax
    highlighting splits a line into many ``<span>``), and, for a notebook, as its cells' sources.

    Returns
    -------
    dict of str to list of str
        Each file (relative to ``html_dir``) that holds a hidden-test line, with those lines; empty when clean.
    """
    hidden = {line for lines in hidden_only_lines(labs).values() for line in lines}
    leaks = {}
    for path in sorted(Path(html_dir).rglob("*")):
        if not path.is_file() or path.suffix not in TEXT_SUFFIXES:
            continue
        raw = path.read_text(encoding="utf-8", errors="replace")
        texts = [raw, html.unescape(_TAG.sub("", raw))]
        if path.suffix == ".ipynb":
            try:
                sources = [cell.get("source", "") for cell in json.loads(raw).get("cells", [])]
                texts.append("\n".join(s if isinstance(s, str) else "".join(s) for s in sources))
            except (json.JSONDecodeError, AttributeError, TypeError):
                pass  # not a notebook after all; the raw text was searched
        # A short hidden line may be part of a longer visible one, so it must match a whole line; a long
        # one is distinctive enough to count anywhere (inside a JSON string, say).
        lines = {line.strip() for text in texts for line in text.splitlines()}
        found = sorted(
            line
            for line in hidden
            if line in lines or (len(line) >= MIN_SUBSTRING_LEAK_LENGTH and any(line in text for text in texts))
        )
        if found:
            leaks[str(path.relative_to(html_dir))] = found
    return leaks


def build_site(out_dir: Path = DEFAULT_OUT_DIR, labs: Sequence[Lab] = LABS, *, quiet: bool = True) -> SiteBuild:
    """Stage the site into ``out_dir/source`` and build its pages into ``out_dir/html`` with Sphinx.

    Nothing is executed: the pages show the solutions' committed outputs. Sphinx warnings are errors, so a
    broken link or an unrenderable output fails the build instead of hiding in its log.

    Parameters
    ----------
    out_dir : Path
        Build folder; ``source/``, ``doctrees/`` and ``html/`` inside it are replaced.
    labs : sequence of Lab
        The labs to publish (default: the registry).
    quiet : bool
        Print only warnings and errors (Sphinx's ``-q``).

    Returns
    -------
    SiteBuild

    Raises
    ------
    RuntimeError
        When Sphinx fails or a hidden-test line reaches a built file.
    """
    # Imported here: Sphinx is in the `site` extra, and the rest of the package must import without it.
    from sphinx.cmd.build import build_main

    start = time.perf_counter()
    out_dir = Path(out_dir)
    staged = stage_site(out_dir / "source", labs)
    html_dir, doctree_dir = out_dir / "html", out_dir / "doctrees"
    for folder in (html_dir, doctree_dir):
        shutil.rmtree(folder, ignore_errors=True)
    args = ["-b", "html", "-c", str(CONF_DIR), "-d", str(doctree_dir), "--fail-on-warning", "--keep-going"]
    status = build_main([*args, *(["-q"] if quiet else []), str(out_dir / "source"), str(html_dir)])
    if status != 0:
        raise RuntimeError(f"Sphinx failed (exit status {status}); its warnings above say where")
    # Every file of the build, not only the pages: the staged sources and myst-nb's notebook copies too.
    leaks = leaked_hidden_lines(out_dir, labs)
    if leaks:
        listing = "; ".join(f"{path}: {lines[0]!r}" for path, lines in leaks.items())
        raise RuntimeError(f"hidden-test lines reached the site, which must never show them: {listing}")
    pages = {lab_id: html_dir / PAGES_SUBDIR / f"{lab_id}.html" for lab_id in staged}
    return SiteBuild(html_dir=html_dir, pages=pages, seconds=time.perf_counter() - start)
