"""Each fact of the code base has one definition: the spellings it replaced must not come back.

Issue 21 moved authoring (release, check, site) and the verdict engine out of ``dcai_helpers.grading`` and gave
each shared constant one owner. A module, test, doc or config that names an old place fails here, with the new one.
"""

from __future__ import annotations

import re
import subprocess

import pytest

from dcai_helpers.labs import REPO_ROOT

#: An old spelling (a regular expression) and where its fact lives now.
RETIRED = {
    r"dcai_helpers[./]grading[./](notebooks|config|course|release|check|site|trusted|proxy|plain|kernel_side|cli)\b": (
        "dcai_helpers.course (notebooks, config, assignment), dcai_helpers.authoring (release, check, site), "
        "dcai_helpers.verdicts (trusted, proxy, plain, kernel_side) or dcai_helpers.cli"
    ),
    r"from dcai_helpers\.grading import [^\n]*\b(notebooks|config|release|check|site|trusted|proxy|plain|cli)\b": (
        "import these from their new packages"
    ),
    r"\bMIN_LEAK_LENGTH\b": "dcai_helpers.course.notebooks.MIN_LEAK_LINE_LENGTH",
    r"(?<![A-Za-z_])(MIN_LEAK_LINE_LENGTH|COURSE_ID|DEFAULT_MEMORY_MB) = ": "its one definition (grep the name)",
    r"course_id\s*=\s*[\"']dcai[\"']": "dcai_helpers.course.config.COURSE_ID",
    r"python -m dcai_helpers\.\w+\.site": "dcai site",
    r"`dcai (check|execute)[^`]*--timeout": "--cell-timeout",
}
#: The definitions themselves, which the second pattern must find exactly once each.
DEFINITIONS = {"MIN_LEAK_LINE_LENGTH": 1, "COURSE_ID": 1, "DEFAULT_MEMORY_MB": 1}


def tracked_text_files() -> list[str]:
    listed = subprocess.run(["git", "ls-files"], cwd=REPO_ROOT, capture_output=True, text=True, check=True).stdout
    return [
        path
        for path in listed.splitlines()
        if path.endswith((".py", ".md", ".toml", ".cfg", ".txt", ".sh", ".yml", ".yaml", "Makefile"))
        and path != "tests/test_one_owner.py"
    ]


@pytest.fixture(scope="module")
def texts() -> dict[str, str]:
    if not (REPO_ROOT / ".git").exists():
        pytest.skip("needs the git checkout to list the tracked files")
    return {path: (REPO_ROOT / path).read_text(encoding="utf-8", errors="replace") for path in tracked_text_files()}


def test_no_retired_spelling_comes_back(texts):
    found = []
    for pattern, now in RETIRED.items():
        if pattern.startswith("(?<![A-Za-z_])"):
            continue  # definitions: counted below
        for path, text in texts.items():
            for match in re.finditer(pattern, text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{path}:{line}: {match.group(0)!r} is retired; use {now}")
    assert not found, "\n".join(found)


def test_each_shared_constant_is_defined_once(texts):
    counts = dict.fromkeys(DEFINITIONS, 0)
    where = {name: [] for name in DEFINITIONS}
    for path, text in texts.items():
        for match in re.finditer(r"^(MIN_LEAK_LINE_LENGTH|COURSE_ID|DEFAULT_MEMORY_MB) = ", text, flags=re.M):
            counts[match.group(1)] += 1
            where[match.group(1)].append(path)
    assert counts == DEFINITIONS, f"defined more (or less) than once: {where}"
