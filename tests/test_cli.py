"""The dcai command: thin argument parsing, exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import nbformat
import pytest
from conftest import tiny_notebook

from dcai_helpers import cli
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
    assert capsys.readouterr().err.startswith("dcai release: no lab named 'no_such_lab'")


def test_execute_takes_lab_ids_and_a_cell_timeout(capsys):
    args = cli.build_parser().parse_args(["execute", "label_errors", "--cell-timeout", "30"])
    assert (args.func, args.labs, args.cell_timeout) == (cli.run_execute, ["label_errors"], 30)
    assert cli.build_parser().parse_args(["execute"]).labs == []
    assert cli.main(["execute", "label_error"]) == cli.EXIT_USAGE
    assert "Did you mean 'label_errors'?" in capsys.readouterr().err


def test_execute_reports_a_failing_solution_in_one_line(tiny_lab, monkeypatch, capsys):
    nbformat.write(tiny_notebook(solution="def double(x):\n    return 2 *\n"), tiny_lab.solution)
    monkeypatch.setattr(cli, "get_lab", lambda lab_id: tiny_lab)
    assert cli.main(["execute", "tiny_lab"]) == cli.EXIT_FAILURE
    err = capsys.readouterr().err
    assert err.startswith("dcai execute: lab 'tiny_lab': cell 2 (double) raised SyntaxError: invalid syntax (line 2)")
    assert err.count("\n") == 1 and "Traceback" not in err


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
