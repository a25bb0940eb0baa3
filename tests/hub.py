"""A real JupyterHub for tests/test_jupyterhub.py: examples/jupyterhub/ as shipped, its proxy, users logging in.

The hub runs ``examples/jupyterhub/jupyterhub_config.py`` unchanged; the test sets only what the file reads
from the environment (the course's Unix groups, the exchange folder) and the ports. The proxy is
configurable-http-proxy from the npm registry, pinned with its dependencies in
``examples/jupyterhub/package-lock.json`` and installed by ``npm ci`` into ``build/jupyterhub-proxy/`` (once;
again when the lock file changes). Everyone acts through the hub as they would: a user logs in with their
Unix password, gets an API token, starts their server and talks to it (nbgrader's assignment list, the
contents API, a terminal) through the proxy.
"""

from __future__ import annotations

import fcntl
import filecmp
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests
import websocket
from browser import free_port
from system import STOP_S, UnixUser, kill_processes, mount_namespace, stop_process_group

REPO = Path(__file__).resolve().parents[1]
EXAMPLE = REPO / "examples" / "jupyterhub"
HUB_CONFIG = EXAMPLE / "jupyterhub_config.py"
PROXY_HOME = REPO / "build" / "jupyterhub-proxy"
PROXY_BIN = PROXY_HOME / "node_modules" / ".bin"
# Upper bounds on a loaded 2-core machine; every wait ends as soon as its condition holds.
HUB_START_S = 120
SERVER_START_S = 240
COMMAND_S = 300
POLL_S = 0.5
# What a terminal prints after the command, so that the test knows it ended and how.
EXIT_MARK = re.compile(r"__exit=(\d+)__")
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|\x1b[()][A-Z0-9]|\r")


def install_proxy() -> Path:
    """``configurable-http-proxy`` at the version of examples/jupyterhub/package-lock.json; return its ``bin``.

    ``npm ci`` installs exactly the locked packages from the npm registry into build/jupyterhub-proxy/, under a
    lock file so that parallel test runs install it once.
    """
    PROXY_HOME.mkdir(parents=True, exist_ok=True)
    with open(PROXY_HOME / ".install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        lock_file = PROXY_HOME / "package-lock.json"
        installed = (PROXY_BIN / "configurable-http-proxy").exists()
        if not (installed and lock_file.exists() and filecmp.cmp(lock_file, EXAMPLE / "package-lock.json", False)):
            for name in ("package.json", "package-lock.json"):
                shutil.copyfile(EXAMPLE / name, PROXY_HOME / name)
            npm = ["npm", "ci", "--no-audit", "--no-fund", "--loglevel=error", "--prefix", str(PROXY_HOME)]
            done = subprocess.run(npm, capture_output=True, text=True, timeout=600)
            if done.returncode != 0:
                lock_file.unlink(missing_ok=True)  # not installed: try again next time
                raise RuntimeError(f"`npm ci` of JupyterHub's proxy failed:\n{done.stdout}{done.stderr}")
    return PROXY_BIN


@dataclass
class Hub:
    """A running JupyterHub: where it answers and its log."""

    url: str
    log: Path
    process: subprocess.Popen

    def log_tail(self, chars: int = 4000) -> str:
        """The end of the hub's and its proxy's log, for a failure message."""
        return self.log.read_text(errors="replace")[-chars:]


@contextmanager
def running_hub(*, state: Path, stage: Path, env: dict[str, str], reachable: list[Path]) -> Iterator[Hub]:
    """Run ``jupyterhub -f examples/jupyterhub/jupyterhub_config.py`` as root until the block ends.

    Parameters
    ----------
    state : Path
        The hub's own folder (root only): its database, cookie secret and log.
    stage : Path
        A root-only folder for :mod:`reachable_namespace`.
    env : dict
        Variables the configuration reads (``DCAI_HUB_INSTRUCTORS``, ``DCAI_HUB_STUDENTS``, ``NBGRADER_EXCHANGE``).
    reachable : list of Path
        Folders every user's server must reach (the venv, Python, the checkout), opened in the hub's own mount
        namespace where a private folder lies above them.

    On the way out the hub is stopped (it stops the users' servers and the proxy), then whatever is left in its
    mount namespace is killed, whichever way the block ended.
    """
    port, hub_port, proxy_api_port = free_port(), free_port(), free_port()
    # Not the flags of a `make test` that runs pytest; the proxy and the venv first on PATH.
    environment = {
        name: value for name, value in os.environ.items() if name not in {"MAKEFLAGS", "MFLAGS", "MAKELEVEL"}
    }
    path = [str(install_proxy()), str(Path(sys.executable).parent), "/usr/sbin:/usr/bin:/sbin:/bin"]
    environment |= env | {"PATH": os.pathsep.join(path)}
    hub = [sys.executable, "-m", "jupyterhub", "-f", str(HUB_CONFIG), f"--JupyterHub.bind_url=http://127.0.0.1:{port}"]
    hub += [f"--JupyterHub.hub_port={hub_port}", f"--ConfigurableHTTPProxy.api_url=http://127.0.0.1:{proxy_api_port}"]
    namespace = [
        "unshare",
        "--mount",
        "--propagation",
        "private",
        sys.executable,
        str(Path(__file__).parent / "reachable_namespace.py"),
    ]
    namespace += ["--stage", str(stage), *map(str, reachable), "--"]
    log = state / "hub.log"
    with log.open("wb") as log_file:
        process = subprocess.Popen(
            [*namespace, *hub],
            cwd=state,
            env=environment,
            stdout=log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    running = Hub(f"http://127.0.0.1:{port}", log, process)
    namespace_id = ""
    try:
        namespace_id = _wait_for_hub(running)
        yield running
    finally:
        stop_process_group(process, timeout=STOP_S)
        if namespace_id:
            kill_processes(namespace=namespace_id)


def _wait_for_hub(hub: Hub) -> str:
    """Wait until the hub's API answers through its proxy; return its mount namespace."""
    deadline = time.monotonic() + HUB_START_S
    namespace = ""
    while time.monotonic() < deadline:
        if hub.process.poll() is not None:
            raise RuntimeError(f"JupyterHub exited with {hub.process.returncode}:\n{hub.log_tail()}")
        if not namespace:
            try:
                # Once unshare has run, the hub's process lives in a mount namespace of its own.
                if (candidate := mount_namespace(hub.process.pid)) != mount_namespace(os.getpid()):
                    namespace = candidate
            except OSError:
                pass
        try:
            if namespace and requests.get(f"{hub.url}/hub/api/", timeout=10).status_code == 200:
                return namespace
        except requests.ConnectionError:
            pass  # not listening yet
        time.sleep(POLL_S)
    raise RuntimeError(f"JupyterHub did not answer within {HUB_START_S} s:\n{hub.log_tail()}")


@dataclass
class HubUser:
    """One of the course's users on the hub: logs in, starts their server and uses it, with their own token."""

    hub: Hub
    account: UnixUser
    token: str = ""
    session: requests.Session = field(default_factory=requests.Session)

    @property
    def name(self) -> str:
        return self.account.name

    @property
    def server_url(self) -> str:
        """Where this user's server answers, through the hub's proxy."""
        return f"{self.hub.url}/user/{self.name}"

    def log_in(self) -> None:
        """Log in on the hub's login page with the Unix password, then ask the hub's API for a token with it."""
        self.session.get(f"{self.hub.url}/hub/login", timeout=60).raise_for_status()
        form = {"username": self.name, "password": self.account.password, "_xsrf": self.session.cookies["_xsrf"]}
        # The hub answers a good password with a redirect to the user's server; a bad one with the form again.
        answer = self.session.post(f"{self.hub.url}/hub/login", data=form, allow_redirects=False, timeout=60)
        assert answer.status_code == 302, f"{self.name} cannot log in ({answer.status_code}):\n{self.hub.log_tail()}"
        auth = {"auth": {"username": self.name, "password": self.account.password}, "note": "tests/test_jupyterhub.py"}
        answer = requests.post(f"{self.hub.url}/hub/api/users/{self.name}/tokens", json=auth, timeout=60)
        assert answer.status_code == 201, f"no token for {self.name} ({answer.status_code}): {answer.text}"
        self.token = answer.json()["token"]

    def start_server(self) -> None:
        """Ask the hub to start this user's server and wait until it is ready."""
        headers = self._headers()
        answer = requests.post(f"{self.hub.url}/hub/api/users/{self.name}/server", headers=headers, timeout=60)
        assert answer.status_code in (201, 202, 400), f"{self.name}'s server did not start: {answer.text}"
        deadline = time.monotonic() + SERVER_START_S
        while time.monotonic() < deadline:
            model = requests.get(f"{self.hub.url}/hub/api/users/{self.name}", headers=headers, timeout=60).json()
            server = model.get("servers", {}).get("")
            if server and server.get("ready"):
                return
            if not model.get("pending") and not server:
                raise AssertionError(f"{self.name}'s server stopped while starting:\n{self.hub.log_tail()}")
            time.sleep(POLL_S)
        raise AssertionError(f"{self.name}'s server was not ready within {SERVER_START_S} s:\n{self.hub.log_tail()}")

    def get(self, path: str, **kwargs) -> requests.Response:
        """GET ``path`` of this user's server."""
        return requests.get(f"{self.server_url}/{path}", headers=self._headers(), timeout=COMMAND_S, **kwargs)

    def post(self, path: str, **kwargs) -> requests.Response:
        """POST to ``path`` of this user's server."""
        return requests.post(f"{self.server_url}/{path}", headers=self._headers(), timeout=COMMAND_S, **kwargs)

    def assignments(self, action: str, lab: str, course: str) -> dict:
        """What nbgrader's Assignment List does for its buttons: ``fetch``, ``submit`` or ``fetch_feedback``."""
        answer = self.post(f"assignments/{action}", json={"course_id": course, "assignment_id": lab})
        answer.raise_for_status()
        reply = answer.json()
        assert reply["success"], f"{self.name}: assignment list {action} failed: {reply}"
        return reply

    def in_terminal(self, command: str, *, timeout: float = COMMAND_S) -> tuple[int, str]:
        """Run ``command`` in a new terminal of this user's JupyterLab; return its exit status and what it printed."""
        name = self.post("api/terminals").json()["name"]
        url = f"{self.server_url.replace('http', 'ws', 1)}/terminals/websocket/{name}"
        connection = websocket.create_connection(url, header=[f"Authorization: token {self.token}"], timeout=timeout)
        try:
            connection.send(json.dumps(["stdin", f"{command}; echo __exit=$?__\r"]))
            printed, deadline = "", time.monotonic() + timeout
            while time.monotonic() < deadline:
                kind, *content = json.loads(connection.recv())
                if kind == "stdout":
                    printed += content[0]
                    # The command line's own echo shows `__exit=$?__`, which the mark's digits do not match.
                    if found := EXIT_MARK.search(printed):
                        return int(found.group(1)), ANSI.sub("", printed[: found.start()])
            raise AssertionError(f"`{command}` did not end within {timeout} s:\n{ANSI.sub('', printed)[-3000:]}")
        finally:
            connection.close()
            requests.delete(f"{self.server_url}/api/terminals/{name}", headers=self._headers(), timeout=60)

    def _headers(self) -> dict[str, str]:
        assert self.token, f"{self.name} has not logged in"
        return {"Authorization": f"token {self.token}"}
