"""JupyterHub for one course on one machine: instructors and students are the machine's Unix users.

Students fetch and submit labs with nbgrader's Assignment List; the instructor releases, collects, grades
with ``dcai grade`` and hands feedback back through nbgrader's exchange. tests/test_jupyterhub.py starts a
hub with this very file, unchanged; what it sets from outside is the environment variables below and the
ports (on the command line). README.md beside this file says how to start it, as root, from the course's
checkout, and what to change for a real server (HTTPS, the authenticator, limits per user).
"""

import grp
import os
import pwd
import sys
from pathlib import Path

c = get_config()  # noqa: F821  (injected by traitlets when JupyterHub loads this file)

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
#: The course's Python environment (this checkout's venv, the one the hub runs in): every user's server runs
#: it, so students get the pinned libraries of the labs and nbgrader's extensions. Every user must be able to
#: read it.
VENV_BIN = Path(sys.executable).parent
#: Unix groups of the course's users: members of either may log in; instructors get nbgrader's formgrader.
INSTRUCTORS = os.environ.get("DCAI_HUB_INSTRUCTORS", "dcai-instructors")
STUDENTS = os.environ.get("DCAI_HUB_STUDENTS", "dcai-students")

# Log in with the machine's user name and password (PAM); only the course's two groups may.
c.JupyterHub.authenticator_class = "pam"
c.PAMAuthenticator.allowed_groups = {INSTRUCTORS, STUDENTS}

# Each user's server is a process of their own Unix user, started in their home folder.
c.JupyterHub.spawner_class = "localprocess"
c.Spawner.cmd = [str(VENV_BIN / "jupyterhub-singleuser")]
c.Spawner.default_url = "/lab"
c.Spawner.notebook_dir = "~"
# A class logging in at once on a busy machine: JupyterLab can take a while to answer.
c.Spawner.start_timeout = 180
c.Spawner.http_timeout = 180
# Each server finds the course's nbgrader configuration (the exchange, the course id) in this folder; students'
# servers also read jupyter_config/student/, which turns off the instructor's formgrader and course panels.
STUDENT_CONFIG = REPO / "jupyter_config" / "student"


def configure_by_role(spawner) -> None:
    """Give students the student configuration, and instructors theirs, by their Unix groups."""
    name = spawner.user.name
    account = pwd.getpwnam(name)
    groups = {grp.getgrgid(gid).gr_name for gid in os.getgrouplist(name, account.pw_gid)}
    config_path = [str(HERE)]
    if INSTRUCTORS in groups:
        # The instructor's JupyterLab opens on the nbgrader course folder, where formgrader looks for it.
        spawner.notebook_dir = "~/course"
    else:
        config_path.append(str(STUDENT_CONFIG))
    spawner.environment.update(
        {
            "JUPYTER_CONFIG_PATH": os.pathsep.join(config_path),
            # dcai and nbgrader in every terminal; the system's tools after them.
            "PATH": os.pathsep.join([str(VENV_BIN), "/usr/local/bin", "/usr/bin", "/bin"]),
            "NBGRADER_EXCHANGE": os.environ.get("NBGRADER_EXCHANGE", ""),
        }
    )


c.Spawner.pre_spawn_hook = configure_by_role
