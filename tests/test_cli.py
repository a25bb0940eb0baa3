"""The dcai command: thin argument parsing, exit codes 0/1/2, one-line errors."""

from __future__ import annotations

import pytest

from dcai_helpers.grading import cli
from dcai_helpers.labs import LABS


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
