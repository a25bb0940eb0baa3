"""A one-node Slurm cluster on this machine for tests/test_slurm.py: Debian's slurm-wlm and munge, nothing faked.

:func:`one_node_cluster` writes a minimal ``slurm.conf`` and a munge key into a folder of its own and starts
``munged``, ``slurmctld`` and ``slurmd`` there, on free ports, under a cluster and node name of its own, so it
never meets a Slurm or munge the machine already runs. The node declares the cores and memory that
examples/slurm/ asks of each task (``SlurmdParameters=config_overrides`` lets it claim more than this machine
has): the recipe runs as written, and Slurm does not enforce the memory it books (no cgroups here).
Everything stops when the block ends, with the jobs it ran: ``slurmd`` runs in a mount namespace of its own,
and whatever is still in it is killed.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from browser import free_port
from system import kill_processes, mount_namespace, stop_process_group

#: What the node claims: four of examples/slurm/grade.sbatch's tasks (8 cores, 40 GiB each) at once.
NODE_CPUS = 32
NODE_MEMORY_MB = 4 * 40 * 1024
START_S = 60
POLL_S = 0.5
#: Job states after which a job no longer changes (Slurm's own names).
FINAL_STATES = {"COMPLETED", "FAILED", "CANCELLED", "TIMEOUT", "NODE_FAIL", "OUT_OF_MEMORY", "PREEMPTED", "BOOT_FAIL"}

SLURM_CONF = """\
# A one-node cluster for tests/test_slurm.py (tests/slurm.py writes it).
ClusterName={cluster}
SlurmctldHost={host}(127.0.0.1)
SlurmctldPort={controller_port}
SlurmdPort={node_port}
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket={munge_socket}
StateSaveLocation={folder}/state
SlurmdSpoolDir={folder}/spool
SlurmctldPidFile={folder}/slurmctld.pid
SlurmdPidFile={folder}/slurmd.pid
SlurmctldLogFile={folder}/slurmctld.log
SlurmdLogFile={folder}/slurmd.log
# No cgroups in a container: processes tracked by parent id, no task confinement, no accounting.
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
SlurmdParameters=config_overrides
ReturnToService=2
MpiDefault=none
NodeName={node} NodeHostname={host} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory} State=UNKNOWN
PartitionName=grading Nodes={node} Default=YES MaxTime=INFINITE State=UP
"""


@dataclass
class Cluster:
    """A running one-node cluster: the environment its commands need, and where its logs are."""

    folder: Path
    env: dict[str, str]

    def run(self, command: list[str], **kwargs) -> subprocess.CompletedProcess:
        """Run a Slurm command (``sbatch``, ``scontrol``, ...) against this cluster."""
        return subprocess.run(command, env=self.env, capture_output=True, text=True, **kwargs)

    def job_states(self, job_id: str) -> list[str]:
        """The state of the job, one per task for an array job (``scontrol show job``)."""
        shown = self.run(["scontrol", "--oneliner", "show", "job", job_id], check=True).stdout
        return [
            field.split("=", 1)[1]
            for line in shown.splitlines()
            for field in line.split()
            if field.startswith("JobState=")
        ]

    def wait(self, job_ids: list[str], *, timeout: float) -> dict[str, list[str]]:
        """Wait until every job (every task of an array) has ended; return their final states."""
        deadline = time.monotonic() + timeout
        while True:
            states = {job_id: self.job_states(job_id) for job_id in job_ids}
            if all(state in FINAL_STATES for task_states in states.values() for state in task_states):
                return states
            if time.monotonic() > deadline:
                raise AssertionError(f"jobs still running after {timeout} s: {states}\n{self.logs()}")
            time.sleep(POLL_S)

    def logs(self, chars: int = 3000) -> str:
        """The ends of the daemons' logs, for a failure message."""
        parts = []
        for name in ("munged.log", "slurmctld.log", "slurmd.log"):
            path = self.folder / name
            if path.exists():
                parts.append(f"--- {name}\n{path.read_text(errors='replace')[-chars:]}")
        return "\n".join(parts)


@contextmanager
def one_node_cluster(folder: Path, *, env: dict[str, str]) -> Iterator[Cluster]:
    """munged, slurmctld and slurmd for one node, configured in ``folder`` (traversable by all, for munge).

    ``env`` is the environment of the daemons and of every command run through the cluster (its jobs inherit
    it, as ``sbatch`` exports the submitter's environment).
    """
    suffix = secrets.token_hex(3)
    munge_socket = folder / "munge" / "munge.socket"
    munge_socket.parent.mkdir(mode=0o755)  # every user's Slurm command talks to munge here
    key_folder = folder / "munge-key"
    key_folder.mkdir(mode=0o700)
    key = key_folder / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    for name in ("state", "spool"):
        (folder / name).mkdir(mode=0o700)
    conf = folder / "slurm.conf"
    conf.write_text(
        SLURM_CONF.format(
            cluster=f"dcai-{suffix}",
            node=f"dcai-{suffix}",
            host=socket.gethostname().split(".")[0],
            controller_port=free_port(),
            node_port=free_port(),
            munge_socket=munge_socket,
            folder=folder,
            cpus=NODE_CPUS,
            memory=NODE_MEMORY_MB,
        )
    )
    cluster = Cluster(folder, {**env, "SLURM_CONF": str(conf)})
    munged = [
        "munged",
        "--foreground",
        f"--socket={munge_socket}",
        f"--key-file={key}",
        f"--pid-file={folder / 'munged.pid'}",
        f"--log-file={folder / 'munged.log'}",
        f"--seed-file={key_folder / 'munged.seed'}",
    ]
    started: list[subprocess.Popen] = []
    node_namespace = ""
    try:
        started.append(_start(munged, cluster, "munged"))
        _wait_for(lambda: munge_socket.exists(), "munged did not create its socket", cluster)
        started.append(_start(["slurmctld", "-D", "-c"], cluster, "slurmctld"))
        # slurmd and the jobs it starts live in a mount namespace of their own, which tells them apart at the end.
        slurmd = ["unshare", "--mount", "--propagation", "private", "slurmd", "-D", "-N", f"dcai-{suffix}"]
        started.append(node := _start(slurmd, cluster, "slurmd"))
        _wait_for(lambda: cluster.run(["sinfo", "-h", "-o", "%T"]).stdout.strip() == "idle", "no idle node", cluster)
        node_namespace = mount_namespace(node.pid)
        yield cluster
    finally:
        # Whatever still runs: cancelled, then the daemons stopped, then anything left on the node killed.
        cluster.run(["scancel", "--full", "--partition=grading"], timeout=60)
        for process in reversed(started):
            stop_process_group(process, timeout=15)
        if node_namespace:
            kill_processes(namespace=node_namespace)


def _start(command: list[str], cluster: Cluster, name: str) -> subprocess.Popen:
    with (cluster.folder / f"{name}.out").open("wb") as out:
        return subprocess.Popen(command, env=cluster.env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True)


def _wait_for(condition, failure: str, cluster: Cluster) -> None:
    deadline = time.monotonic() + START_S
    while not condition():
        if time.monotonic() > deadline:
            outs = "\n".join(
                f"--- {p.name}\n{p.read_text(errors='replace')[-2000:]}" for p in cluster.folder.glob("*.out")
            )
            raise RuntimeError(f"{failure} within {START_S} s\n{outs}\n{cluster.logs()}")
        time.sleep(POLL_S)
