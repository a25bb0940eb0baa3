"""The registry of labs agrees with the notebooks, the data modules and the README."""

from __future__ import annotations

import importlib
import re

import pytest

from dcai_helpers.course.notebooks import read_notebook, total_points
from dcai_helpers.labs import LABS, REPO_ROOT, get_lab, lab_ids, readme_with_table

DATASHEET_HEADINGS = ("Origin", "Size", "Licence", "Injected")
REAL_DATASHEET_HEADINGS = ("Origin", "Size", "Licence", "Known problems", "Unknown")
#: Labs without an "On real data" section, each for a reason its notebook or the README states.
WITHOUT_REAL_DATA = {
    "data_engine",
}


def test_ids_are_unique_snake_case():
    assert len(set(lab_ids())) == len(LABS)
    for lab_id in lab_ids():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", lab_id), lab_id


def test_unknown_lab_suggests_the_closest():
    with pytest.raises(KeyError, match="Did you mean 'label_errors'"):
        get_lab("label_error")


def test_solution_and_lab_folders_match_the_registry():
    assert sorted(p.name for p in (REPO_ROOT / "solutions").iterdir() if p.is_dir()) == sorted(lab_ids())
    assert sorted(p.name for p in (REPO_ROOT / "labs").iterdir() if p.is_dir()) == sorted(lab_ids())


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_registry_points_match_the_notebook(lab):
    nb = read_notebook(lab.solution)
    assert total_points(nb) == lab.points
    assert nb.metadata["dcai"]["lab"] == lab.id
    # 3 to 6 exercises, one solution cell each; an exercise may be graded in several test cells (the capstone's last).
    exercises = sum(1 for c in nb.cells if c.cell_type == "code" and c.metadata.get("nbgrader", {}).get("solution"))
    graded = sum(1 for c in nb.cells if c.metadata.get("nbgrader", {}).get("grade"))
    assert 3 <= exercises <= 6 and exercises <= graded <= 2 * exercises


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_every_dataset_has_a_datasheet(lab):
    for name in lab.datasets:
        datasheet = importlib.import_module(f"dcai_helpers.{name}").DATASHEET
        for heading in DATASHEET_HEADINGS:
            assert heading in datasheet, f"dcai_helpers/{name}.py's DATASHEET lacks '{heading}'"


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_real_data_has_a_datasheet_and_a_closing_section(lab):
    if lab.id in WITHOUT_REAL_DATA:
        assert not lab.real_data
        return
    datasheet = importlib.import_module(f"dcai_helpers.real_data.{lab.real_data}").DATASHEET
    for heading in REAL_DATASHEET_HEADINGS:
        assert f"**{heading}.**" in datasheet, f"real_data/{lab.real_data}.py's DATASHEET lacks '{heading}'"
    cells = read_notebook(lab.solution).cells
    sections = [i for i, c in enumerate(cells) if c.cell_type == "markdown" and c.source.startswith("## On real data")]
    assert len(sections) == 1, f"{lab.id} needs one closing '## On real data' section; found {len(sections)}"
    section = "\n".join(c.source for c in cells[sections[0] :] if c.cell_type == "code")
    assert f"real_data import {lab.real_data}" in section, f"{lab.id}'s section must load real_data.{lab.real_data}"
    assert not any(c.metadata.get("nbgrader") for c in cells[sections[0] :]), "the real-data section is not graded"


@pytest.mark.parametrize("lab", LABS, ids=lambda lab: lab.id)
def test_headline_cells_are_checked_by_nbval(lab):
    sources = [c.source for c in read_notebook(lab.solution).cells if c.cell_type == "code"]
    checked = [s for s in sources if s.lstrip().startswith("# NBVAL_CHECK_OUTPUT")]
    assert checked, "mark the cells that print headline numbers with # NBVAL_CHECK_OUTPUT"
    assert any(re.search(r"^headline\s*=", s, re.M) for s in checked), "a checked cell must define `headline`"


def test_readme_table_is_generated_from_the_registry():
    readme = (REPO_ROOT / "README.md").read_text()
    assert readme_with_table(readme) == readme, "README's table of labs is stale: run `dcai labs --update-readme`"
