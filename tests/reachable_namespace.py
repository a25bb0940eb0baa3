"""Run a command in which other users can reach given folders, though a folder above them is private (0700).

usage (as root, inside ``unshare --mount --propagation private``)::

    python tests/reachable_namespace.py --stage DIR FOLDER... -- COMMAND...

tests/test_jupyterhub.py starts the hub through this: every user's server runs this checkout's venv, but CI
keeps the checkout in a 0700 temporary folder and Python under root's 0700 home, which other users cannot
traverse. For each such private folder on the way to a ``FOLDER``, this mounts an empty tmpfs (mode 0711:
traverse, not list) over it and binds back only the entries on the way, so other users reach the
``FOLDER``s and nothing else of it. The mounts live in the command's own mount namespace: nothing outside
it changes, and they vanish with its last process. Then it runs ``COMMAND`` in place of itself.

Where every folder on the way is already open (a checkout in /home/instructor, Python in /usr) it mounts
nothing, as on a real server.
"""

from __future__ import annotations

import argparse
import os
import stat
import subprocess
import sys
import tempfile
from pathlib import Path


def first_private_folder(path: Path) -> Path | None:
    """The topmost folder above ``path`` (or ``path`` itself) that other users cannot traverse, if any."""
    for folder in [*reversed(path.parents), path]:
        if folder != Path("/") and not os.stat(folder).st_mode & stat.S_IXOTH:
            return folder
    return None


def open_a_way(folder: Path, entries: set[str], stage: Path) -> None:
    """Cover ``folder`` with a traversable tmpfs that holds only ``entries``, bound from the real ones."""
    original = Path(tempfile.mkdtemp(dir=stage))
    mount("--bind", folder, original)  # the real folder, still reachable by root through here
    mount("-t", "tmpfs", "-o", "mode=0711", "tmpfs", folder)
    for entry in entries:
        target = folder / entry
        if (original / entry).is_dir():
            target.mkdir()
        else:
            target.touch()
        mount("--bind", original / entry, target)


def make_reachable(folders: list[Path], stage: Path) -> None:
    """Open a way to each of ``folders`` for other users, topmost private folder first."""
    folders = [Path(os.path.realpath(folder)) for folder in folders]
    while True:
        ways: dict[Path, set[str]] = {}
        for folder in folders:
            private = first_private_folder(folder)
            if private == folder:
                raise SystemExit(f"{folder} itself is private (no o+x); make it readable by others first")
            if private is not None:
                ways.setdefault(private, set()).add(folder.relative_to(private).parts[0])
        if not ways:
            return
        for private, entries in ways.items():
            open_a_way(private, entries, stage)


def mount(*args: str | Path) -> None:
    subprocess.run(["mount", *map(str, args)], check=True)


def main(argv: list[str]) -> None:
    if "--" not in argv:
        raise SystemExit(__doc__)
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", type=Path, required=True, help="a root-only folder for the real folders' binds")
    parser.add_argument("folders", type=Path, nargs="+", help="folders other users must reach")
    args, command = parser.parse_args(argv[:split]), argv[split + 1 :]
    if not command:
        parser.error("give the command after --")
    make_reachable(args.folders, args.stage)
    os.execvp(command[0], command)


if __name__ == "__main__":
    main(sys.argv[1:])
