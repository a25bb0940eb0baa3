"""environment.yml pins exactly what pyproject.toml pins, so conda and pip users get the same labs."""

from __future__ import annotations

import re
import tomllib

from dcai_helpers.labs import REPO_ROOT


def pyproject_pins() -> set[str]:
    project = tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["project"]
    return set(project["dependencies"]) | {pin for pins in project["optional-dependencies"].values() for pin in pins}


def environment_pins() -> set[str]:
    text = (REPO_ROOT / "environment.yml").read_text()
    return set(re.findall(r"^\s+- ([A-Za-z0-9_.-]+==\S+)\s*$", text, re.M))


def test_every_dependency_is_pinned_exactly():
    loose = sorted(pin for pin in pyproject_pins() if "==" not in pin)
    assert not loose, f"pin these exactly in pyproject.toml: {loose}"


def test_environment_yml_matches_pyproject():
    assert environment_pins() == pyproject_pins(), (
        f"only in pyproject.toml: {sorted(pyproject_pins() - environment_pins())}; "
        f"only in environment.yml: {sorted(environment_pins() - pyproject_pins())}"
    )
