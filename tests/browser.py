"""JupyterLab in a real browser for tests/test_browser.py: start `make lab`, drive headless Chromium, keep screenshots.

The server is started by the Makefile's own `lab` target (with ``LAB_DIR`` and ``LAB_ARGS``), so a change to
`make lab` is what the browser tests exercise. Chromium is the system's (Debian's ``chromium`` package):
Playwright's own browser download cannot be fetched offline.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, Playwright, expect

REPO = Path(__file__).resolve().parents[1]
SCREENSHOTS = REPO / "build" / "screenshots"
# Upper bounds, not sleeps: every wait ends as soon as its condition holds. They are generous because the tests
# share a loaded 2-core machine with notebook workers, where JupyterLab alone can take 20 s to load.
SERVER_START_S = 120
PAGE_LOAD_MS = 120_000
KERNEL_MS = 180_000
# The status bar's kernel item, once the notebook's kernel has started and has nothing left to run.
KERNEL_IDLE = "Python 3 (ipykernel) | Idle"
# How often to ask whether the server answers yet.
POLL_S = 0.25


def chromium_executable() -> str:
    """Path of Chromium: ``$CHROMIUM`` (a hosted CI's Playwright download), else the system's; fail under CI, skip
    elsewhere, when there is none."""
    path = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if path is None:
        reason = "no `chromium` on PATH: the browser tests need it (apt-get install chromium)"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"{reason}; under CI=true it is required (.ci/run installs it)", pytrace=False)
        pytest.skip(reason)
    return path


def launch_chromium(playwright: Playwright) -> Browser:
    """Headless system Chromium; a browser that is installed but cannot start is a failure, never a skip."""
    return playwright.chromium.launch(executable_path=chromium_executable(), headless=True)


def free_port() -> int:
    """A loopback port nothing listens on now (the server is told not to try another)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class Lab:
    """A running `make lab`: its base URL, token and log file."""

    url: str
    token: str
    log: Path

    def page_url(self, path: str = "lab") -> str:
        """Address of ``path`` on the server, token included."""
        return f"{self.url}/{path}?token={self.token}"

    def status_code(self, path: str) -> int:
        """HTTP status of a GET of ``path`` (404 for a server extension that is not loaded)."""
        try:
            with urllib.request.urlopen(self.page_url(path), timeout=30) as response:
                return response.status
        except urllib.error.HTTPError as error:
            return error.code


def lab_environment(home: Path) -> dict[str, str]:
    """The test's environment with Jupyter's per-user folders under ``home``.

    The user's own ~/.jupyter settings, kernels and workspaces neither change what the test sees nor get written to.
    """
    # Not the flags of a `make test` that runs pytest: the inner `make lab` is a make of its own.
    env = {name: value for name, value in os.environ.items() if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}}
    for variable, folder in {
        "JUPYTER_CONFIG_DIR": "config",
        "JUPYTER_DATA_DIR": "data",
        "JUPYTER_RUNTIME_DIR": "runtime",
        "JUPYTERLAB_SETTINGS_DIR": "settings",
        "JUPYTERLAB_WORKSPACES_DIR": "workspaces",
    }.items():
        (home / folder).mkdir(parents=True, exist_ok=True)
        env[variable] = str(home / folder)
    # No "get notified about Jupyter news?" toast over the notebook (and no request to the network for it).
    notification = home / "settings" / "@jupyterlab" / "apputils-extension" / "notification.jupyterlab-settings"
    notification.parent.mkdir(parents=True, exist_ok=True)
    notification.write_text('{"fetchNews": "false", "checkForUpdates": false}\n')
    return env


def server_args(port: int, token: str) -> list[str]:
    """Jupyter's options for a loopback server at ``port`` with ``token``, never opening a browser."""
    args = ["--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0"]
    args += [f"--IdentityProvider.token={token}", "--no-browser"]
    if os.geteuid() == 0:  # containers and CI run as root, which Jupyter refuses without this flag
        args.append("--allow-root")
    return args


@contextmanager
def make_lab(lab_dir: Path, home: Path) -> Iterator[Lab]:
    """Run `make lab` on a copy's folder ``lab_dir``, at a free loopback port with a token, until the block ends.

    The venv is the running Python's (``BIN``), and ``-o`` keeps make from rebuilding it mid-test.
    """
    port, token = free_port(), secrets.token_hex(16)
    venv_bin = Path(sys.executable).parent
    command = ["make", "-s", "-C", str(REPO), f"BIN={venv_bin}", "-o", f"{venv_bin}/dcai", "lab"]
    command += [f"LAB_DIR={lab_dir}", f"LAB_ARGS={' '.join(server_args(port, token))}"]
    with jupyter_server(command, home, port, token, name="make lab") as lab:
        yield lab


@contextmanager
def jupyter_server(command: list[str], home: Path, port: int, token: str, *, name: str, cwd: Path | None = None):
    """Run ``command`` (a Jupyter server at ``port`` with ``token``) with its per-user folders under ``home``, until
    the block ends; its output goes to ``home/<name>.log``."""
    env = lab_environment(home)
    log = home / f"{name.replace(' ', '-')}.log"
    with log.open("wb") as log_file:
        # Its own process group, so stopping it stops make, the shell and the server (with its kernels) together.
        server = subprocess.Popen(
            command, cwd=cwd, env=env, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
        )
    lab = Lab(f"http://127.0.0.1:{port}", token, log)
    try:
        _wait_until_answering(lab, server, name)
        yield lab
    finally:
        _stop(server)


def _wait_until_answering(lab: Lab, server: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + SERVER_START_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"`{name}` exited with {server.returncode}:\n{lab.log.read_text()[-3000:]}")
        try:
            if lab.status_code("api/status") == 200:
                return
        except OSError:
            pass  # not listening yet
        time.sleep(POLL_S)
    raise RuntimeError(f"`{name}` did not answer within {SERVER_START_S} s:\n{lab.log.read_text()[-3000:]}")


def _stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait()


@dataclass
class Screenshots:
    """Numbered screenshots of one test's steps under build/screenshots/<test name>/, for a person to look at."""

    folder: Path
    taken: list[Path] = field(default_factory=list)

    @classmethod
    def for_test(cls, test_name: str) -> Screenshots:
        """An emptied folder named after the test, so no stale step from an earlier run is left beside new ones."""
        folder = SCREENSHOTS / re.sub(r"[^\w.-]", "_", test_name)
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        return cls(folder)

    def take(self, page: Page, step: str) -> None:
        """Save the page as NN-<step>.png."""
        path = self.folder / f"{len(self.taken) + 1:02d}-{step}.png"
        page.screenshot(path=path)
        self.taken.append(path)

    def report(self) -> str:
        """Where the screenshots are, one per line."""
        return "\n".join(["screenshots:", *(f"  {path.relative_to(REPO)}" for path in self.taken)])


def open_from_file_browser(page: Page, *names: str) -> Locator:
    """Double-click each name in turn in the file browser (folders, then the notebook); return the notebook panel."""
    listing = page.locator(".jp-DirListing-content")
    for name in names:
        listing.locator(".jp-DirListing-item", has=page.get_by_text(name, exact=True)).dblclick(timeout=PAGE_LOAD_MS)
    panel = page.locator(".jp-NotebookPanel:visible")
    expect(panel).to_be_visible(timeout=PAGE_LOAD_MS)
    return panel


def wait_kernel_idle(page: Page) -> None:
    """Wait until the notebook's kernel has started and finished everything queued."""
    expect(page.get_by_text(KERNEL_IDLE, exact=True)).to_be_visible(timeout=KERNEL_MS)


def choose_menu(page: Page, menu: str, item: str) -> None:
    """Click ``menu`` in the menu bar, then ``item`` in it."""
    page.get_by_role("menuitem", name=menu, exact=True).click()
    page.get_by_role("menuitem", name=item, exact=True).click()
