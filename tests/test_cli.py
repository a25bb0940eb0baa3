"""The dcai command: thin argument parsing, exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import nbformat
import pytest
from conftest import tiny_notebook

from dcai_helpers import cli, labs
from dcai_helpers.labs import LABS, README_TABLE_END, README_TABLE_START


def test_labs_lists_every_lab(capsys):
    assert cli.main(["labs"]) == cli.EXIT_OK
    out = capsys.readouterr().out
    assert all(lab.id in out for lab in LABS)


def test_labs_markdown_is_the_readme_table(capsys):
    cli.main(["labs", "--markdown"])
    assert capsys.readouterr().out.strip() == cli.labs_table()


def test_usage_errors_exit_2(capsys):
    with pytest.raises(SystemExit) as exit_info:
        cli.main(["frobnicate"])
    assert exit_info.value.code == cli.EXIT_USAGE
    capsys.readouterr()
    assert cli.main(["release", "--check", "no_such_lab"]) == cli.EXIT_USAGE
    assert capsys.readouterr().err.splitlines()[1].startswith("dcai release: no lab named 'no_such_lab'")


def test_execute_takes_lab_ids_and_a_cell_timeout(capsys):
    args = cli.build_parser().parse_args(["execute", "label_errors", "--cell-timeout", "30"])
    assert (args.func, args.labs, args.cell_timeout) == (cli.run_execute, ["label_errors"], 30)
    assert cli.build_parser().parse_args(["execute"]).labs == []
    assert cli.main(["execute", "label_error"]) == cli.EXIT_USAGE
    assert "Did you mean 'label_errors'?" in capsys.readouterr().err


def test_execute_reports_a_failing_solution_in_one_line(tiny_lab, monkeypatch, capsys):
    nbformat.write(tiny_notebook(solution="def double(x):\n    return 2 *\n"), tiny_lab.solution)
    monkeypatch.setattr(labs, "get_lab", lambda lab_id: tiny_lab)
    assert cli.main(["execute", "tiny_lab"]) == cli.EXIT_FAILURE
    key_line, report = capsys.readouterr().err.splitlines()
    assert key_line.startswith("dcai execute: answer key: ")
    assert report.startswith(
        "dcai execute: lab 'tiny_lab': cell 2 (double) raised SyntaxError: invalid syntax (line 2)"
    )
    assert "Traceback" not in report


def test_labs_update_readme_rewrites_only_the_table(tmp_path, monkeypatch, capsys):
    readme = tmp_path / "README.md"
    stale = f"# Course\n\n{README_TABLE_START}\n| an old table |\n{README_TABLE_END}\n\nMore text.\n"
    readme.write_text(stale)
    monkeypatch.setattr(cli, "REPO_ROOT", tmp_path)
    assert cli.main(["labs", "--update-readme"]) == 0
    assert (
        readme.read_text()
        == f"# Course\n\n{README_TABLE_START}\n{cli.labs_table()}\n{README_TABLE_END}\n\nMore text.\n"
    )
    assert "rewritten" in capsys.readouterr().out
    readme.write_text("# Course without markers\n")
    assert cli.main(["labs", "--update-readme"]) == 1
    assert "must surround the labs table" in capsys.readouterr().err


def test_every_command_that_reads_the_key_names_it_first_and_a_wrong_key_exits_1(capsys, tmp_path):
    typo = tmp_path / "solutoins"
    commands = [
        ["labs"],
        ["release", "--check"],
        ["release", "label_errors"],
        ["execute", "label_errors"],
        ["check", str(LABS[1].release)],
        ["grade", "label_errors", str(tmp_path), "--out", str(tmp_path / "out")],
    ]
    for command in commands:
        assert cli.main([*command, "--solutions", str(typo)]) == cli.EXIT_FAILURE, command
        first = capsys.readouterr().err.splitlines()[0]
        assert "answer key" in first and str(typo) in first, (command, first)
    assert not (tmp_path / "out" / "grades.csv").exists()


def test_a_private_key_is_the_one_release_checks(capsys, tmp_path):
    key = tmp_path / "private"
    lab = LABS[1]
    (key / lab.id).mkdir(parents=True)
    (key / lab.id / f"{lab.id}.ipynb").write_bytes(lab.solution.read_bytes())
    assert cli.main(["release", "--check", "--solutions", str(key)]) == cli.EXIT_OK
    assert capsys.readouterr().err.splitlines()[0] == f"dcai release: answer key: {key}"
    assert cli.main(["labs", "--solutions", str(key)]) == cli.EXIT_OK
    listing = capsys.readouterr().out
    assert f"{lab.id}" in listing and "NOT in the key" in listing
    # A private key whose public test differs from the release: the check reads the key, so it fails.
    nb = nbformat.read(key / lab.id / f"{lab.id}.ipynb", as_version=4)
    test = next(cell for cell in nb.cells if cell.metadata.get("nbgrader", {}).get("grade"))
    test.source = "# a stricter public check of the instructor's own\n" + test.source
    nbformat.write(nb, key / lab.id / f"{lab.id}.ipynb")
    assert cli.main(["release", "--check", "--solutions", str(key)]) == cli.EXIT_FAILURE
    assert "labs/ differs" in capsys.readouterr().err
