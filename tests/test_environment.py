"""environment.yml pins exactly what pyproject.toml pins, so conda and pip users get the same labs; the kernels
`make lab` starts get the thread settings the benchmarks measured."""

from __future__ import annotations

import os
import re
import subprocess
import tomllib

import pytest

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


@pytest.mark.parametrize("target", ["lab", "formgrader"])
def test_kernels_of_make_lab_get_one_thread_unless_the_user_says_otherwise(target, tmp_path):
    """The server `make lab` starts (so every kernel it starts) has one thread per numerical library."""
    (tmp_path / "jupyter").write_text(
        "#!/bin/sh\necho OMP=$OMP_NUM_THREADS BLAS=$OPENBLAS_NUM_THREADS MKL=$MKL_NUM_THREADS\n"
    )
    (tmp_path / "jupyter").chmod(0o755)
    make = ["make", "-s", "-C", str(REPO_ROOT), f"BIN={tmp_path}", "-o", f"{tmp_path}/dcai", target]
    env = {
        k: v for k, v in os.environ.items() if k not in {"OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"}
    }
    env = {k: v for k, v in env.items() if k not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    assert subprocess.run(make, env=env, capture_output=True, text=True).stdout.strip() == "OMP=1 BLAS=1 MKL=1"
    env["OMP_NUM_THREADS"] = "4"
    assert "OMP=4 " in subprocess.run(make, env=env, capture_output=True, text=True).stdout
