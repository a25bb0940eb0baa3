"""A class on a real JupyterHub: an instructor and two students, nbgrader's exchange, ``dcai grade`` in between.

The hub is examples/jupyterhub/ as shipped (PAM login, one local process per user, nbgrader's exchange in a
shared 1777 folder), with its proxy from the npm registry; the users are real Unix users made for the test. Each
acts through the hub as they would: the instructor in a terminal of their JupyterLab (nbgrader
release_assignment, collect, ``dcai grade`` with its sandbox, examples/jupyterhub/release-feedback.sh); one
student through their server's API (the Assignment List's own requests, answers saved through the contents API);
the other in Chromium (the Assignment List: fetch, submit, fetch feedback, with screenshots under
build/screenshots/<test name>/). Then each student holds their own feedback and cannot read the other's.

Needs root (users, the hub's spawner; skips without), npm (the proxy), bubblewrap (the grading sandbox) and
Chromium; without those the test skips, except under CI=true, where it fails (.ci/run installs them). Run it
alone with ``pytest tests/test_jupyterhub.py``.
"""

from __future__ import annotations

import csv
import json
import shutil
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from answers import answer, solution_answers
from browser import PAGE_LOAD_MS, Screenshots, launch_chromium
from hub import SERVER_START_S, Hub, HubUser, running_hub
from playwright.sync_api import Page, expect, sync_playwright
from system import (
    UnixUser,
    need,
    need_commands,
    need_root,
    unique_suffix,
    unix_accounts,
    world_reachable_folder,
)

from dcai_helpers.course.config import COURSE_ID
from dcai_helpers.grading.sandbox import bwrap_available

REPO = Path(__file__).resolve().parents[1]
LAB = "label_errors"
COURSE = COURSE_ID  # examples/jupyterhub/nbgrader_config.py's course id
VIEWPORT = {"width": 1400, "height": 900}
# An nbgrader command or `dcai grade` of two notebooks, on a loaded 2-core machine.
ACTION_MS = 120_000

pytestmark = pytest.mark.xdist_group("browser")  # Chromium and a hub's servers: one such test at a time


@dataclass
class HubClass:
    """The course on a running hub: its instructor, two students and the exchange folder."""

    hub: Hub
    instructor: HubUser
    ada: HubUser  # answers every exercise, through her server's API
    ben: HubUser  # answers nothing, in Chromium
    exchange: Path

    @property
    def course(self) -> Path:
        """The instructor's nbgrader course folder (the checkout's layout: labs/, solutions/, nbgrader_config.py)."""
        return self.instructor.account.home / "course"


@pytest.fixture
def hub_class() -> Iterator[HubClass]:
    """A hub with one instructor and two students, all removed afterwards (users, homes, processes, folders)."""
    need_root("a JupyterHub with real users")
    need_commands(["useradd", "chpasswd", "unshare", "mount", "setpriv"], "apt-get install passwd util-linux mount")
    need_commands(["npm"], "apt-get install npm: the hub's proxy comes from the npm registry")
    need(bwrap_available(), "bubblewrap is missing: dcai grade's sandbox needs it (apt-get install bubblewrap)")
    suffix = unique_suffix()
    base = world_reachable_folder("dcai-hub-")
    try:
        with unix_accounts() as accounts:
            instructors = accounts.add_group(f"dcai-i-{suffix}")
            students = accounts.add_group(f"dcai-s-{suffix}")
            (base / "home").mkdir(mode=0o755)

            def user(name: str, group: str) -> UnixUser:
                return accounts.add_user(f"{name}-{suffix}", home=base / "home" / f"{name}-{suffix}", groups=[group])

            teacher, ada, ben = user("teach", instructors), user("ada", students), user("ben", students)
            set_up_course(teacher)
            quiet_jupyterlab(ben)
            exchange = base / "exchange"
            exchange.mkdir()
            exchange.chmod(0o1777)  # everyone writes, no one removes another's files (examples/jupyterhub/README.md)
            state, stage = base / "hub", base / "stage"
            state.mkdir(mode=0o700)
            stage.mkdir(mode=0o700)
            env = {"DCAI_HUB_INSTRUCTORS": instructors, "DCAI_HUB_STUDENTS": students}
            env["NBGRADER_EXCHANGE"] = str(exchange)
            # Every user's server runs this checkout's venv: on CI its folders lie under 0700 ones.
            reachable = [Path(sys.prefix), Path(sys.base_prefix), REPO]
            with running_hub(state=state, stage=stage, env=env, reachable=reachable) as hub:
                yield HubClass(hub, HubUser(hub, teacher), HubUser(hub, ada), HubUser(hub, ben), exchange=exchange)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def set_up_course(instructor: UnixUser) -> None:
    """The instructor's course folder as a clone of this repository lays it out, with the lab and its answer key."""
    course = instructor.home / "course"
    for part in ("labs", "solutions"):
        shutil.copytree(REPO / part / LAB, course / part / LAB)
    shutil.copyfile(REPO / "nbgrader_config.py", course / "nbgrader_config.py")
    subprocess.run(["chown", "-R", f"{instructor.name}:", str(course)], check=True)


def quiet_jupyterlab(student: UnixUser) -> None:
    """No "get notified about Jupyter news?" toast over the screenshots (the student's own JupyterLab setting)."""
    settings = student.home / ".jupyter" / "lab" / "user-settings" / "@jupyterlab" / "apputils-extension"
    settings.mkdir(parents=True)
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false", "checkForUpdates": false}\n')
    subprocess.run(["chown", "-R", f"{student.name}:", str(student.home / ".jupyter")], check=True)


def in_course(course: HubClass, command: str) -> str:
    """Run ``command`` in the instructor's terminal, in the course folder; fail with its output unless it exits 0."""
    status, printed = course.instructor.in_terminal(f"cd ~/course && {command}")
    assert status == 0, f"the instructor's `{command}` exited with {status}:\n{printed[-4000:]}"
    return printed


def grades(course: HubClass) -> dict[str, tuple[str, str, str]]:
    """grades.csv of the instructor's grading run: score, max_score and status by student."""
    with (course.course / "grading" / LAB / "grades.csv").open(newline="") as handle:
        return {row["student_id"]: (row["score"], row["max_score"], row["status"]) for row in csv.DictReader(handle)}


def graded_feedback(course: HubClass, student: HubUser) -> bytes:
    """The feedback page ``dcai grade`` wrote for ``student`` in the instructor's course."""
    return (course.course / "grading" / LAB / "feedback" / student.name / LAB / f"{LAB}.html").read_bytes()


def fetched_feedback(student: HubUser) -> list[Path]:
    """The feedback pages nbgrader fetched into ``student``'s home (one folder per submission's timestamp)."""
    return sorted((student.account.home / LAB / "feedback").glob(f"*/{LAB}.html"))


def test_a_class_on_jupyterhub(hub_class: HubClass, request: pytest.FixtureRequest) -> None:
    course = hub_class
    instructor, ada, ben = course.instructor, course.ada, course.ben
    screenshots = Screenshots.for_test(request.node.name)
    with sync_playwright() as playwright:
        browser = launch_chromium(playwright)
        page = browser.new_context(viewport=VIEWPORT).new_page()
        try:
            for user in (instructor, ada):
                user.log_in()
                user.start_server()
            # examples/jupyterhub/ gives the instructor nbgrader's formgrader, and students only the Assignment List.
            assert instructor.get("formgrader").status_code == 200, "the instructor's server has no formgrader"
            assert ada.get("formgrader").status_code == 404, "a student's server serves nbgrader's formgrader"
            ben_logs_in(page, ben, screenshots)

            in_course(course, f"nbgrader release_assignment {LAB}")
            listed = ada.get("assignments", params={"course_id": COURSE}).json()["value"]
            assert [(a["assignment_id"], a["status"]) for a in listed] == [(LAB, "released")], listed

            # Ada fetches, answers every exercise with the solution's code (saved as JupyterLab saves) and submits.
            ada.assignments("fetch", LAB, COURSE)
            notebook_path = f"api/contents/{LAB}/{LAB}.ipynb"
            model = ada.get(notebook_path).json()
            assert answer(model["content"], solution_answers(LAB)) > 0, f"{LAB} has no solution cell to answer"
            saved = ada.session.put(
                f"{ada.server_url}/{notebook_path}",
                headers={"Authorization": f"token {ada.token}"},
                json={"type": "notebook", "format": "json", "content": model["content"]},
                timeout=60,
            )
            assert saved.status_code == 200, saved.text
            ada.assignments("submit", LAB, COURSE)

            ben_fetches_and_submits(page, screenshots)

            printed = in_course(
                course,
                f"nbgrader collect {LAB} && dcai grade {LAB} submitted --out grading/{LAB} --solutions solutions"
                f" && {REPO}/examples/jupyterhub/release-feedback.sh {LAB} grading/{LAB}",
            )
            assert "isolation: bubblewrap" in printed, f"dcai grade did not run sandboxed:\n{printed[-3000:]}"
            assert grades(course) == {ada.name: ("10", "10", "ok"), ben.name: ("0", "10", "ok")}, grades(course)

            ada.assignments("fetch_feedback", LAB, COURSE)
            assert [page.read_bytes() for page in fetched_feedback(ada)] == [graded_feedback(course, ada)]
            ben_fetches_feedback(page, screenshots)
            assert [page.read_bytes() for page in fetched_feedback(ben)] == [graded_feedback(course, ben)]
            assert graded_feedback(course, ada) != graded_feedback(course, ben)

            # Ben cannot read Ada's feedback, list the exchange's feedback or look into her home, from his terminal.
            for attempt in (
                f"cat '{fetched_feedback(ada)[0]}'",
                f"ls {course.exchange}/{COURSE}/feedback",
                f"ls {ada.account.home}",
            ):
                status, printed = ben.in_terminal(attempt)
                assert status != 0 and "Permission denied" in printed, f"as {ben.name}, `{attempt}` gave:\n{printed}"
        finally:
            print(screenshots.report())
            browser.close()


def ben_logs_in(page: Page, ben: HubUser, screenshots: Screenshots) -> None:
    """Ben logs in on the hub's page with his Unix password; the hub starts his JupyterLab; he opens the list."""
    page.goto(f"{ben.hub.url}/hub/login", timeout=PAGE_LOAD_MS)
    page.locator("#username_input").fill(ben.name)
    page.locator("#password_input").fill(ben.account.password)
    screenshots.take(page, "login")
    page.locator("#login_submit").click()
    nbgrader_menu = page.get_by_role("menuitem", name="Nbgrader", exact=True)
    expect(nbgrader_menu).to_be_visible(timeout=SERVER_START_S * 1000)
    ben.log_in()  # his API token too, for the terminal he opens at the end
    nbgrader_menu.click()
    page.get_by_role("menuitem", name="Assignment List", exact=True).click()
    expect(page.locator("#released_assignments_list")).to_be_visible(timeout=PAGE_LOAD_MS)
    screenshots.take(page, "assignment-list-before-release")


def ben_fetches_and_submits(page: Page, screenshots: Screenshots) -> None:
    """In the Assignment List: fetch the released lab, then submit it unanswered."""
    page.locator("#refresh_assignments_list").click()
    released = page.locator("#released_assignments_list .list_item", has_text=LAB)
    expect(released).to_be_visible(timeout=PAGE_LOAD_MS)
    screenshots.take(page, "released")
    released.get_by_role("button", name="Fetch").click()
    submit = page.locator("#fetched_assignments_list").get_by_role("button", name="Submit")
    expect(submit).to_be_visible(timeout=ACTION_MS)
    screenshots.take(page, "fetched")
    submit.click()
    fetch_feedback = page.locator("#submitted_assignments_list").get_by_role("button", name="Fetch Feedback")
    expect(fetch_feedback).to_be_visible(timeout=ACTION_MS)
    screenshots.take(page, "submitted")


def ben_fetches_feedback(page: Page, screenshots: Screenshots) -> None:
    """Once feedback is released: fetch it, follow "view feedback" to its folder and open the page."""
    submitted = page.locator("#submitted_assignments_list")
    page.locator("#refresh_assignments_list").click()
    expect(submitted.get_by_text("feedback available to fetch")).to_be_visible(timeout=PAGE_LOAD_MS)
    screenshots.take(page, "feedback-released")
    submitted.get_by_role("button", name="Fetch Feedback").click()
    view = submitted.get_by_text("(view feedback)")
    expect(view).to_be_visible(timeout=ACTION_MS)
    screenshots.take(page, "feedback-fetched")
    view.click()
    item = page.locator(".jp-DirListing-item", has=page.get_by_text(f"{LAB}.html", exact=True))
    item.dblclick(timeout=PAGE_LOAD_MS)
    score = page.frame_locator("iframe").get_by_text("Score: 0.0 / 10.0").first
    expect(score).to_be_visible(timeout=PAGE_LOAD_MS)
    screenshots.take(page, "feedback-page")


def test_the_example_configuration_is_what_the_readme_names() -> None:
    """examples/jupyterhub/README.md names every file of the example, and each file it names exists."""
    example = REPO / "examples" / "jupyterhub"
    readme = (example / "README.md").read_text()
    shipped = {path.name for path in example.iterdir() if path.is_file() and path.name != "README.md"}
    assert not [name for name in shipped if f"`{name}`" not in readme], "README.md does not describe every file"
    assert json.loads((example / "package.json").read_text())["dependencies"], "package.json pins no proxy"
