"""Collect the submissions of one lab from nbgrader's submitted layout or from an LMS download zip.

Every student entry gets exactly one :class:`Submission`, graded or with the reason it cannot be:
a grader never loses a submission silently.

A folder is read the way nbgrader lays it out: ``SUBMISSIONS/<student>/<lab>/<lab>.ipynb``. Every
top-level folder is a student, whatever its name (spaces, accents, apostrophes); nothing inside the
submissions is followed if it is a symbolic link, and only a regular file is read (opened with
``O_NOFOLLOW`` from its parent folder's descriptor, so a swap between check and read cannot redirect
it). The bytes read are copied into the grader's scratch folder, and that copy is what is graded.

A zip's entries are matched with a named regular expression, as nbgrader's ``zip_collect`` does, that
yields ``student_id`` and ``file_id`` (``file_id`` must be the lab id); optional groups say more:
``late`` (or ``late_<anything>``) marks a late file, ``attempt`` numbers a resubmission, ``user`` is the
LMS's number for the student. The default, :data:`ZIP_NAME_REGEXP`, reads the names the LMSs really
write, matched against the entry's path in the zip:

- plain: ``alice_label_errors.ipynb``;
- Canvas: ``<sortable name>_[LATE_]<user id>_<file id>_<file name>``, e.g.
  ``garcíajosé_12345_67890_label_errors.ipynb``, ``jonesbob_late_12342_67892_label_errors.ipynb``,
  a resubmitted file renamed by Canvas ``..._label_errors-1.ipynb``, anonymous grading's
  ``anon_<id>_...``;
- Moodle: ``<Full Name>_<participant id>_assignsubmission_file_/<file name>`` (a folder per student,
  the default since Moodle 3.1) or, without folders, ``<Full Name>_<id>_assignsubmission_file_<file name>``;
- a browser's copy of a download, ``label_errors (1).ipynb``, read like Canvas's ``label_errors-1.ipynb``.

What the LMS puts in its zip that is not a file submission (Moodle's online text,
``..._assignsubmission_onlinetext_/onlinetext.html``; Canvas's text entry or website URL,
``<name>_<user id>_text.html``) is listed as ignored, under the student it belongs to: a student with
nothing else gets one ``invalid`` row that says to upload the notebook as a file. A notebook the student
zipped (``lab8.zip`` holding ``label_errors/label_errors.ipynb``) is read from that zip, one level deep and
within the same limits as any notebook (:data:`MAX_NOTEBOOK_BYTES`, :data:`MAX_NESTED_ZIP_ENTRIES`).

When a student has several files for the lab, the last resubmission wins (highest ``-N`` or `` (N)``
suffix, then highest LMS file id); :attr:`Submission.source` names the file graded and the detail says
so. Details name files as the student uploaded them (``report.pdf``), not as the LMS renamed them in its
zip, and :attr:`Submission.expected` says, in the LMS's words, what to upload.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import os
import re
import stat
import tempfile
import unicodedata
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

from dcai_helpers.course.notebooks import NotebookError, first_line, nbgrader_meta, read_notebook
from dcai_helpers.grading.status import Status
from dcai_helpers.labs import Lab

#: How an LMS zip names a file (see the module's docstring), matched against the entry's path in the zip.
ZIP_NAME_REGEXP = (
    r"^(?:.*?/)??"  # folders above the student's files, if any
    r"(?:(?P<late_anon>(?i:late))_(?=anon_))?"  # Canvas puts LATE before an anonymous id
    r"(?P<student_id>(?P<anon>anon_[A-Za-z0-9]+)|[^/_]+)"
    r"(?:_(?P<late>(?i:late)))?"
    r"(?(anon)|(?:_(?P<user>\d+))?)(?P<file_ids>(?:_\d+)*)"  # the LMS's user id (none if anonymous), file ids
    r"(?:_assignsubmission_(?P<plugin>[a-z0-9]+)_(?:/(?:.*/)?)?|_)"  # Moodle's plugin folder or prefix, or one _
    r"(?P<file_id>[^/]+?)(?:\s?\((?P<copy>\d+)\))?(?:-(?P<attempt>\d+))?(?P<ext>\.[A-Za-z0-9]+)?$"
)
#: A notebook larger than this is refused unread: no lab notebook with its outputs comes near it, and
#: nbgrader itself skips files over 100 MB (its ``max_file_size``) when it copies a submission.
MAX_NOTEBOOK_BYTES = 100 * 1024 * 1024
#: A student name is a folder name in ``feedback/`` and part of a file name in ``logs/``; 200 bytes
#: leaves room for the suffixes within the 255 bytes a file name may have.
MAX_NAME_BYTES = 200
#: Names kept as they are for nbgrader (its folders and gradebook); any other gets a slug and a hash.
SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$")
#: Hex digits of sha256 in a slugged id: 48 bits, so two names of one class never share one.
ID_HASH_DIGITS = 12
#: What a slugged id ends with; a plain name that looks like one is slugged too, so ids never collide.
SLUGGED = re.compile(rf"-[0-9a-f]{{{ID_HASH_DIGITS}}}$")
#: Zip folders that hold no submissions (macOS's resource forks).
ZIP_NOISE = ("__MACOSX/",)
#: A zip the student uploaded holds at most this many entries; more, and it is refused unread (a lab's
#: notebook zipped with its data and checkpoints holds a few dozen).
MAX_NESTED_ZIP_ENTRIES = 1000
#: A zip the student uploaded is read into memory, so it is bounded like a notebook.
MAX_NESTED_ZIP_BYTES = MAX_NOTEBOOK_BYTES
#: Moodle's submission plugins whose entries in its zip are not files the student uploaded.
#: The intake's notes in a row's detail (``dcai report`` counts them): a late file, and a resubmission graded.
LATE_NOTE = "the LMS marked it late"
RESUBMISSION_NOTE = re.compile(r"the last of \d+ files for this lab")

MOODLE_NON_FILE_PLUGINS = {"onlinetext": "Moodle online text", "comments": "a Moodle submission comment"}
#: Canvas's zip holds a text entry as ``<name>_<user id>_text.html`` and a website URL as ``..._link.html``.
CANVAS_NON_FILE_ENTRIES = {"text": "a Canvas text entry", "link": "a Canvas website URL"}
#: What the student is asked to submit, in each LMS's words (``{notebook}`` is ``<lab>.ipynb``).
EXPECTED_UPLOAD = {
    "canvas": "{notebook}, uploaded as a file to the Canvas assignment (Submit Assignment > File Upload)",
    "moodle": "{notebook}, added under File submissions of the Moodle assignment (not as online text)",
    "zip": "{notebook}",
}


@dataclass
class Submission:
    """One student's entry: a notebook to grade, or the reason there is none.

    Attributes
    ----------
    student_id : str
        The student's name as the folder or zip gives it (NFC-normalised; ``grades.csv`` and the
        feedback path keep it). A name that cannot be used is shown with its odd characters escaped.
    notebook : Path or None
        The grader's private copy of the notebook to grade; ``None`` when ``status`` says why there is none.
    status : Status or None
        ``None`` (to be graded), ``Status.INVALID`` or ``Status.MISSING``.
    detail : str
        With ``status`` set: one sentence for ``grades.csv``, saying what was wrong and what to do.
        Without: a note on the intake (a late file, which resubmission was graded) that the graded
        row's detail carries too; often empty.
    nbgrader_id : str
        A safe, stable id for nbgrader's folders and gradebook (:func:`nbgrader_id_for`).
    source : str
        Which file was graded (or looked at): its path in the folder or its name in the zip.
    lms_user_id : str or None
        The LMS's number for the student from a zip's file names (the ``user`` group: Canvas's user id,
        Moodle's participant id); ``None`` for a folder, an anonymous Canvas id or a plain name. The
        gradebook keeps it as ``Student.lms_user_id``, and ``dcai export`` matches the LMS roster by it.
    expected : str
        What the student should have submitted, in the words of where it came from: nbgrader's
        ``<lab>/<lab>.ipynb`` for a folder; for an LMS zip, the file name and where to upload it in that
        LMS (:data:`EXPECTED_UPLOAD`). The feedback page of an ``invalid`` or ``missing`` row shows it.
    """

    student_id: str
    notebook: Path | None
    status: Status | None = None
    detail: str = ""
    nbgrader_id: str = ""
    source: str = ""
    lms_user_id: str | None = None
    expected: str = ""

    def __post_init__(self) -> None:
        self.nbgrader_id = self.nbgrader_id or nbgrader_id_for(self.student_id)


@dataclass
class Intake:
    """What :func:`gather` found: one entry per student, and what it passed over.

    Attributes
    ----------
    entries : list of Submission
        One per student folder or per student named in the zip, sorted by ``student_id``.
    found : int
        How many students the folder or zip holds (student folders, students named in the zip; names
        that differ only in how their accents are encoded count once): ``len(entries)``, for the
        summary line "found N entries, wrote N rows".
    ignored : list of str
        Each thing that is not a student entry, with why: a file beside the student folders, a hidden
        name, a zip's folder entries. Print them, so that nothing is passed over silently.
    """

    entries: list[Submission]
    found: int
    ignored: list[str] = field(default_factory=list)


def gather(lab: Lab, submissions: str | Path, *, scratch: Path, name_regexp: str = ZIP_NAME_REGEXP) -> Intake:
    """Every student entry of ``lab`` in a folder or zip, each with a private copy of its notebook.

    Parameters
    ----------
    lab : Lab
        The lab being graded.
    submissions : path
        A folder ``<student>/<lab>/<lab>.ipynb`` or an LMS zip.
    scratch : Path
        A folder of the grader's own where the notebooks are copied (readable by the grader only).
    name_regexp : str
        The zip's file-name regexp with the named groups ``student_id`` and ``file_id``.

    Returns
    -------
    Intake
        The entries (sorted by ``student_id``), how many were found, and what was ignored.

    Raises
    ------
    FileNotFoundError
        When ``submissions`` does not exist.
    ValueError
        When it is neither a folder nor a zip, or ``name_regexp`` lacks a named group.
    """
    path = Path(submissions)
    if not path.exists():
        raise FileNotFoundError(f"no submissions at {path}; give a folder <student>/{lab.id}/{lab.id}.ipynb or a zip")
    copies = Path(tempfile.mkdtemp(prefix="intake-", dir=scratch))  # mode 0700: the grader's alone
    if path.is_dir():
        intake = from_folder(lab, path, copies=copies)
    elif zipfile.is_zipfile(path):
        intake = from_zip(lab, path, copies=copies, name_regexp=name_regexp)
    else:
        raise ValueError(f"{path} is neither a folder of submissions nor a zip file")
    entries = sorted(one_per_student(validate(lab, entry) for entry in intake.entries), key=lambda s: s.student_id)
    if len({entry.nbgrader_id for entry in entries}) != len(entries):
        raise RuntimeError("two students were given one nbgrader id; this is a bug in dcai, please report it")
    return Intake(entries, len(entries), intake.ignored)


def collect(
    lab: Lab, submissions: str | Path, *, scratch: Path, name_regexp: str = ZIP_NAME_REGEXP
) -> list[Submission]:
    """The entries of :func:`gather`: one per student, sorted by student id."""
    return gather(lab, submissions, scratch=scratch, name_regexp=name_regexp).entries


def one_per_student(entries: Iterable[Submission]) -> list[Submission]:
    """``entries`` with those that name the same student made into one ``invalid`` entry.

    Two folder names can be one name once Unicode-normalised (a Mac writes accents decomposed), and a
    zip can hold the same path twice; grading either copy would be a guess.
    """
    by_student: dict[str, list[Submission]] = {}
    for entry in entries:
        by_student.setdefault(entry.student_id, []).append(entry)
    merged = []
    for student_id, same in by_student.items():
        if len(same) == 1:
            merged.extend(same)
            continue
        sources = ", ".join(repr(shown_path(s.source)) for s in same)
        detail = (
            f"{len(same)} entries name this student ({sources}; names whose accents are encoded differently "
            "count as one); keep one and grade again."
        )
        users = {s.lms_user_id for s in same}
        user = users.pop() if len(users) == 1 else None  # the LMS's id, when every copy carries the same one
        last = same[-1]
        kept = {"source": last.source, "lms_user_id": user, "expected": last.expected}
        merged.append(Submission(student_id, None, Status.INVALID, detail, **kept))
    return merged


# --- names ---------------------------------------------------------------------------------------


def shown_name(name: str) -> str:
    """``name`` as it is safe to print, store and use as one folder name: odd characters escaped.

    Control characters, bytes that are not UTF-8, slashes and backslashes are escaped, and so are the
    names ``""``, ``.`` and ``..``, which would name another folder. A usable name (see
    :func:`name_problem`) is returned unchanged, NFC-normalised; the escaping is one-to-one, and every
    escaped name holds a backslash, so no two entries share a shown name.
    """
    if name in ("", ".", ".."):
        return "\\(empty)" if not name else name.replace(".", "\\x2e")
    parts = []
    for char in unicodedata.normalize("NFC", name):
        code = ord(char)
        if 0xDC80 <= code <= 0xDCFF:  # a byte that is not UTF-8, as os.listdir hands it over
            parts.append(f"\\x{code - 0xDC00:02x}")
        elif char == "\\":
            parts.append("\\\\")
        elif char == "/":
            parts.append("\\x2f")
        elif unicodedata.category(char) == "Cc":  # \\xNN below 0x80 only: above it, \\xNN is a byte
            parts.append(char.encode("unicode_escape").decode("ascii") if code < 0x80 else f"\\u{code:04x}")
        else:
            parts.append(char)
    return "".join(parts)


def shown_path(path: str) -> str:
    """A path (``/``-separated) as it is safe to print: each part as :func:`shown_name` shows it."""
    return "/".join(shown_name(part) if part else "" for part in path.split("/"))


def name_problem(name: str) -> str | None:
    """Why ``name`` cannot be a student's name, as an instruction to rename it; ``None`` when it can.

    Any valid folder name can (spaces, accents, apostrophes); not an empty name, ``.`` or ``..``,
    one with control characters, bytes that are not UTF-8, a slash or a backslash, or one longer
    than :data:`MAX_NAME_BYTES` bytes.
    """
    if not name.strip():
        return "the name is empty; give the student's folder (or file name prefix) their name or id"
    if name in (".", ".."):
        return f"'{name}' is not a name; rename it to the student's name or id"
    if any(0xDC80 <= ord(c) <= 0xDCFF for c in name):
        return "the name is not valid UTF-8 text; rename it (accents are fine once it is saved as UTF-8)"
    if any(unicodedata.category(c) == "Cc" for c in name):
        return "the name holds control characters (a line break, a tab); rename it without them"
    if "/" in name or "\\" in name:
        return "the name holds a slash or backslash; rename it without them"
    if len(name.encode("utf-8")) > MAX_NAME_BYTES:
        return f"the name is longer than {MAX_NAME_BYTES} bytes; rename it to a shorter name or id"
    return None


def nbgrader_id_for(student_id: str) -> str:
    """A safe, stable id for nbgrader's folders and gradebook, one per ``student_id``.

    A plain name (letters, digits, ``._@-``, at most 64 characters) is kept, so existing gradebooks
    keep their students; any other becomes an ASCII slug plus the first :data:`ID_HASH_DIGITS` hex
    digits of its sha256, e.g. ``José García`` -> ``jose-garcia-<hash>``.
    """
    if SAFE_ID.match(student_id) and not SLUGGED.search(student_id):
        return student_id
    ascii_name = unicodedata.normalize("NFKD", student_id).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:40].strip("-") or "student"
    digest = hashlib.sha256(student_id.encode("utf-8", "surrogateescape")).hexdigest()[:ID_HASH_DIGITS]
    return f"{slug}-{digest}"


def _unusable(name: str, problem: str, source: str) -> Submission:
    """The ``invalid`` entry of a student whose name cannot be used."""
    detail = f"cannot use the name {shown_name(name)!r}: {problem}."
    return Submission(shown_name(name), None, Status.INVALID, detail, source=source)


# --- folders -------------------------------------------------------------------------------------


def _kind(mode: int) -> str:
    """What a file of ``mode`` is, for a message."""
    if stat.S_ISLNK(mode):
        return "a symbolic link, which the grader does not follow"
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a FIFO (named pipe)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a file"


@contextlib.contextmanager
def _open_folder(name: str | Path, *, dir_fd: int | None = None) -> Iterator[int]:
    """A descriptor of the folder ``name``, refusing a symbolic link (``OSError`` ELOOP or ENOTDIR)."""
    fd = os.open(name, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=dir_fd)
    try:
        yield fd
    finally:
        os.close(fd)


def read_regular_file(name: str, *, dir_fd: int, limit: int = MAX_NOTEBOOK_BYTES) -> bytes:
    """The bytes of the regular file ``name`` in the folder ``dir_fd``, never following a link.

    Raises
    ------
    OSError
        ``ELOOP`` for a symbolic link, ``EINVAL`` for anything but a regular file (a FIFO is opened
        without blocking and refused), ``EFBIG`` when it holds more than ``limit`` bytes.
    """
    fd = os.open(name, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=dir_fd)
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(errno.EINVAL, "not a regular file")
        chunks, size = [], 0
        while chunk := os.read(fd, 1 << 20):
            chunks.append(chunk)
            size += len(chunk)
            if size > limit:
                raise OSError(errno.EFBIG, "too large")
        return b"".join(chunks)
    finally:
        os.close(fd)


def _private_copy(copies: Path, index: int, data: bytes) -> Path:
    """Write ``data`` to a file only the grader can read; grading uses it, so a later swap changes nothing."""
    path = copies / f"{index}.ipynb"
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


def from_folder(lab: Lab, root: Path, *, copies: Path) -> Intake:
    """One entry per top-level name of nbgrader's submitted layout (hidden names and plain files ignored)."""
    entries, ignored = [], []
    root_fd = os.open(root, os.O_RDONLY | os.O_DIRECTORY)  # the instructor's own folder: a link to it is fine
    try:
        for name in sorted(os.listdir(root_fd)):
            mode = os.stat(name, dir_fd=root_fd, follow_symlinks=False).st_mode
            if name.startswith("."):
                ignored.append(f"{shown_name(name)} (a hidden name)")
            elif stat.S_ISREG(mode):
                ignored.append(f"{shown_name(name)} (a file, not a student folder)")
            else:
                entries.append(_student_folder(lab, name, mode, root_fd=root_fd, copies=copies, index=len(entries)))
    finally:
        os.close(root_fd)
    for entry in entries:
        entry.expected = f"{lab.id}/{lab.id}.ipynb"  # nbgrader's layout, as `nbgrader collect` writes it
    return Intake(entries, len(entries), ignored)


def _student_folder(lab: Lab, name: str, mode: int, *, root_fd: int, copies: Path, index: int) -> Submission:
    """The entry of the top-level ``name`` (a folder, or what stands in a folder's place)."""
    expected = f"{lab.id}/{lab.id}.ipynb"
    source = f"{name}/{expected}"
    problem = name_problem(name)
    if problem:
        return _unusable(name, problem, name)
    student_id = shown_name(name)
    if not stat.S_ISDIR(mode):
        detail = f"the student folder is {_kind(mode)}; put the notebook in a real folder, {name}/{expected}."
        return Submission(student_id, None, Status.INVALID, detail, source=name)
    try:
        with _open_folder(name, dir_fd=root_fd) as student_fd:
            return _lab_folder(lab, student_id, source, student_fd=student_fd, copies=copies, index=index)
    except OSError as err:  # swapped for a link since it was listed, or unreadable
        detail = f"the student folder could not be opened ({os.strerror(err.errno)}); it must be a plain folder."
        return Submission(student_id, None, Status.INVALID, detail, source=name)


def _lab_folder(lab: Lab, student_id: str, source: str, *, student_fd: int, copies: Path, index: int) -> Submission:
    """The entry of one student folder: its ``<lab>/<lab>.ipynb``, read without following links."""
    expected = f"{lab.id}/{lab.id}.ipynb"
    try:
        lab_mode = os.stat(lab.id, dir_fd=student_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        notebooks = sorted(shown_name(n) for n in os.listdir(student_fd) if n.endswith(".ipynb"))
        if notebooks:
            detail = (
                f"found {', '.join(notebooks)} but no {lab.id}/ folder; put the notebook at "
                f"<student>/{expected} (nbgrader's layout)."
            )
            return Submission(student_id, None, Status.INVALID, detail, source=source)
        return Submission(student_id, None, Status.MISSING, f"no {expected} in the student's folder.", source=source)
    if not stat.S_ISDIR(lab_mode):
        detail = f"{lab.id} in the student's folder is {_kind(lab_mode)}, not a folder; put the notebook at {expected}."
        return Submission(student_id, None, Status.INVALID, detail, source=source)
    try:
        with _open_folder(lab.id, dir_fd=student_fd) as lab_fd:
            return _notebook(lab, student_id, source, lab_fd=lab_fd, copies=copies, index=index)
    except OSError as err:
        detail = f"{lab.id}/ could not be opened ({os.strerror(err.errno)}); it must be a plain folder."
        return Submission(student_id, None, Status.INVALID, detail, source=source)


def _notebook(lab: Lab, student_id: str, source: str, *, lab_fd: int, copies: Path, index: int) -> Submission:
    """The entry of one ``<lab>/`` folder: a private copy of its notebook, or why there is none."""
    name = f"{lab.id}.ipynb"
    expected = f"{lab.id}/{name}"
    try:
        mode = os.stat(name, dir_fd=lab_fd, follow_symlinks=False).st_mode
    except FileNotFoundError:
        others = sorted(shown_name(n) for n in os.listdir(lab_fd) if n.endswith(".ipynb"))
        if others:
            detail = f"wrong file name: found {', '.join(others)} in {lab.id}/, expected {name}."
            return Submission(student_id, None, Status.INVALID, detail, source=source)
        return Submission(student_id, None, Status.MISSING, f"no {expected} in the student's folder.", source=source)
    if not stat.S_ISREG(mode):
        detail = f"{expected} is {_kind(mode)}, not a notebook file; submit the notebook file itself."
        return Submission(student_id, None, Status.INVALID, detail, source=source)
    try:
        data = read_regular_file(name, dir_fd=lab_fd)
    except OSError as err:
        reasons = {
            errno.ELOOP: "became a symbolic link while it was read; submit the notebook file itself",
            errno.EINVAL: "is not a regular file; submit the notebook file itself",
            errno.EFBIG: f"is larger than {MAX_NOTEBOOK_BYTES // 2**20} MiB; clear its outputs and submit it again",
        }
        reason = reasons.get(err.errno, f"could not be read ({os.strerror(err.errno)})")
        return Submission(student_id, None, Status.INVALID, f"{expected} {reason}.", source=source)
    return Submission(student_id, _private_copy(copies, index, data), source=source)


# --- zips ----------------------------------------------------------------------------------------


@dataclass
class _ZipFile:
    """One zip entry that names a student."""

    info: zipfile.ZipInfo
    path: str
    name: str
    user: str | None
    file_id: str
    ext: str
    late: bool
    attempt: int
    numbers: tuple[int, ...]
    #: The file's name as the student uploaded it (what follows the LMS's prefix).
    uploaded: str
    #: Which LMS wrote the name: "canvas", "moodle" or "zip" (a plain ``<student>_<file>`` name).
    lms: str
    #: What the entry is when it is not a file the student uploaded (Moodle's online text); "" for a file.
    non_file: str = ""


def _entry_path(info: zipfile.ZipInfo) -> str:
    """The entry's path as its author wrote it: UTF-8 names from zips that did not flag them, '/' separators."""
    path = info.filename
    if not info.flag_bits & 0x800:  # no UTF-8 flag: zipfile read cp437; most LMSs wrote UTF-8 anyway
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            path = path.encode("cp437").decode("utf-8")
    return path.replace("\\", "/")


def _is_noise(path: str) -> bool:
    """Whether a zip entry is macOS's resource fork (``__MACOSX/``) or a hidden file (``.DS_Store``)."""
    return any(path.startswith(noise) for noise in ZIP_NOISE) or path.rsplit("/", 1)[-1].startswith(".")


def _zip_file(info: zipfile.ZipInfo, path: str, match: re.Match) -> _ZipFile:
    """The :class:`_ZipFile` of an entry whose name ``match`` read."""
    fields = match.groupdict()
    base = path.rsplit("/", 1)[-1]
    ext = fields.get("ext") or os.path.splitext(base)[1]
    file_id = re.sub(r"\.ipynb$", "", fields.get("file_id") or "")  # nbgrader's own regexps keep it
    start = match.start("file_id") if "file_id" in match.re.groupindex else -1
    uploaded = match.string[start:] if start >= 0 else base
    plugin = fields.get("plugin")
    user, anon, file_ids = fields.get("user"), fields.get("anon"), fields.get("file_ids")
    non_file = ""
    if plugin:
        lms = "moodle"
        if plugin != "file":
            non_file = MOODLE_NON_FILE_PLUGINS.get(plugin, f"a Moodle {plugin} entry")
    elif (user or anon) and not file_ids and ext == ".html" and file_id in CANVAS_NON_FILE_ENTRIES:
        lms, non_file = "canvas", CANVAS_NON_FILE_ENTRIES[file_id]
    else:
        lms = "canvas" if anon or (user and file_ids) else "zip"
    return _ZipFile(
        info=info,
        path=path,
        name=unicodedata.normalize("NFC", fields["student_id"]),
        user=user,
        file_id=file_id,
        ext=ext,
        late=any(v for k, v in fields.items() if (k == "late" or k.startswith("late_")) and v),
        attempt=int(fields.get("attempt") or fields.get("copy") or 0),
        numbers=tuple(int(n) for n in re.findall(r"_(\d+)(?=_)", path)),
        uploaded=uploaded,
        lms=lms,
        non_file=non_file,
    )


def from_zip(lab: Lab, archive: Path, *, copies: Path, name_regexp: str = ZIP_NAME_REGEXP) -> Intake:
    """One entry per student named in an LMS zip: their last file for the lab, or why there is none."""
    try:
        pattern = re.compile(name_regexp)
    except re.error as err:
        raise ValueError(f"`name_regexp` is not a regular expression ({err}); got {name_regexp!r}") from None
    if not {"student_id", "file_id"} <= set(pattern.groupindex):
        raise ValueError(f"`name_regexp` must have the named groups student_id and file_id; got {name_regexp!r}")
    ignored: list[str] = []
    named: dict[str, list[_ZipFile]] = {}
    unnamed: list[Submission] = []
    with zipfile.ZipFile(archive) as zf:
        for info in sorted(zf.infolist(), key=lambda i: i.filename):
            path = _entry_path(info)
            base = path.rstrip("/").rsplit("/", 1)[-1]
            if info.is_dir():
                continue  # a folder entry; the files inside it are entries of their own
            if _is_noise(path):
                ignored.append(f"{shown_path(path)} (a hidden file in the zip)")
                continue
            match = pattern.match(path) or pattern.match(base)
            if match is None or not match.group("student_id"):
                detail = (
                    f"zip entry {shown_name(base)!r} names no student; name it <student>_{lab.id}.ipynb, "
                    "or pass --name-regexp for your LMS's names."
                )
                unnamed.append(
                    Submission(shown_name(path), None, Status.INVALID, detail, source=path, expected=f"{lab.id}.ipynb")
                )
                continue
            item = _zip_file(info, path, match)
            if item.non_file:
                what = f"{item.non_file} of {shown_name(item.name)}, not a file submission"
                ignored.append(f"{shown_path(path)} ({what})")
            named.setdefault(item.name, []).append(item)
    students = [student for name, files in named.items() for student in _by_user(name, files)]
    entries = list(unnamed)
    with zipfile.ZipFile(archive) as zf:
        for name, files in students:
            entry = _zip_student(lab, name, files, zf=zf, copies=copies, index=len(entries))
            # After _by_user, one student's files carry at most one user id (none when anonymous).
            entry.lms_user_id = next((f.user for f in files if f.user is not None), None)
            lms = next((f.lms for f in files if f.lms != "zip"), "zip")
            entry.expected = EXPECTED_UPLOAD[lms].format(notebook=f"{lab.id}.ipynb")
            entries.append(entry)
    return Intake(entries, len(entries), ignored)


def _by_user(name: str, files: list[_ZipFile]) -> list[tuple[str, list[_ZipFile]]]:
    """The students behind one name: one, or one per LMS user id when several users share the name.

    Namesakes, and Moodle's blind marking (every student is "Participant"), give one name several
    user ids; each becomes ``<name>_<user id>``. Files without a user id stay under the bare name.
    """
    users = sorted({f.user for f in files if f.user is not None}, key=int)
    if len(users) <= 1:
        return [(name, files)]
    groups = [(f"{name}_{user}", [f for f in files if f.user == user]) for user in users]
    rest = [f for f in files if f.user is None]
    return groups + ([(name, rest)] if rest else [])


def _newest_first(files: Iterable[_ZipFile]) -> list[_ZipFile]:
    """``files`` with the last resubmission first: highest ``-N`` (or `` (N)``), then highest LMS file id."""
    return sorted(files, key=lambda f: (f.attempt, f.numbers, f.path), reverse=True)


def _names(names: Iterable[str], most: int = 10) -> str:
    """File names for a message, sorted, the first ``most`` of them."""
    shown = sorted({shown_path(name) for name in names})
    return ", ".join(shown[:most]) + (f" and {len(shown) - most} more" if len(shown) > most else "")


def _zip_student(
    lab: Lab, name: str, files: list[_ZipFile], *, zf: zipfile.ZipFile, copies: Path, index: int
) -> Submission:
    """The entry of one student named in the zip: their last file for the lab, or why there is none."""
    problem = name_problem(name)
    if problem:
        return _unusable(name, problem, files[-1].path)
    student_id = shown_name(name)
    uploads = [f for f in files if not f.non_file]
    if not uploads:
        kinds = sorted({f.non_file for f in files})
        detail = f"no file: only {' and '.join(kinds)}; upload the notebook {lab.id}.ipynb as a file."
        return Submission(student_id, None, Status.INVALID, detail, source=files[-1].path)
    mine = _newest_first(f for f in uploads if f.file_id == lab.id and f.ext == ".ipynb")
    if mine:
        return _zip_notebook(lab, student_id, mine[0], len(mine), zf=zf, copies=copies, index=index)
    zips = _newest_first(f for f in uploads if f.ext.lower() == ".zip")
    problems = []
    for nested in zips:
        entry = _nested_notebook(lab, student_id, nested, zf=zf, copies=copies, index=index)
        if entry.notebook is not None or entry.status is not Status.MISSING:
            return entry
        problems.append(entry.detail)
    uploaded = _names(f.uploaded for f in uploads)
    kind = "no notebook" if all(f.ext != ".ipynb" for f in uploads) and not zips else "wrong file name"
    inside = f" ({'; '.join(problems)})" if problems else ""
    detail = f"{kind}: you uploaded {uploaded}{inside}; expected a notebook named {lab.id}.ipynb."
    return Submission(student_id, None, Status.INVALID, detail, source=uploads[-1].path)


def _zip_notebook(
    lab: Lab, student_id: str, chosen: _ZipFile, count: int, *, zf: zipfile.ZipFile, copies: Path, index: int
) -> Submission:
    """The entry of a student whose last notebook for the lab is ``chosen`` (of ``count``)."""
    notes = []
    if count > 1:
        notes.append(f"graded {shown_path(chosen.uploaded)!r}, the last of {count} files for this lab")
    if chosen.late:
        notes.append(LATE_NOTE)
    detail = "; ".join(notes) + "." if notes else ""
    data, problem = _read_entry(zf, chosen.info, repr(shown_path(chosen.uploaded)))
    if problem:
        return Submission(student_id, None, Status.INVALID, problem, source=chosen.path)
    return Submission(student_id, _private_copy(copies, index, data), None, detail, source=chosen.path)


def _read_entry(
    zf: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    shown: str,
    *,
    nested_zip: bool = False,
    unreadable: str = "download the zip again",
) -> tuple[bytes, str]:
    """The bytes of a notebook (or, with ``nested_zip``, a zip) in ``zf``, or ``b""`` and why it cannot be read.

    A notebook holds at most :data:`MAX_NOTEBOOK_BYTES`, a zip :data:`MAX_NESTED_ZIP_BYTES`; a symbolic
    link is refused. ``unreadable`` is what to do when the entry cannot be decompressed: the instructor
    downloads the LMS's zip again; the student uploads again what they zipped.
    """
    what, limit = ("zip file", MAX_NESTED_ZIP_BYTES) if nested_zip else ("notebook", MAX_NOTEBOOK_BYTES)
    if stat.S_ISLNK(info.external_attr >> 16):
        return b"", f"{shown} is a symbolic link in the zip, not a {what}; submit the notebook file itself."
    fix = "upload the notebook itself" if nested_zip else "clear the notebook's outputs and submit it again"
    too_large = f"{shown} is larger than {limit // 2**20} MiB; {fix}."
    if info.file_size > limit:
        return b"", too_large
    try:
        with zf.open(info) as f:
            data = f.read(limit + 1)  # the size in the zip's directory may lie
    except (RuntimeError, NotImplementedError, zipfile.BadZipFile, EOFError, zlib.error, ValueError) as err:
        return b"", f"{shown} could not be read from the zip ({first_line(str(err))}); {unreadable}."
    if len(data) > limit:
        return b"", too_large
    return data, ""


def _nested_notebook(
    lab: Lab, student_id: str, nested: _ZipFile, *, zf: zipfile.ZipFile, copies: Path, index: int
) -> Submission:
    """The lab's notebook from inside a zip the student uploaded, one level deep.

    The inner zip is bounded like any notebook (:data:`MAX_NESTED_ZIP_BYTES`, at most
    :data:`MAX_NESTED_ZIP_ENTRIES` entries); within it, a symbolic link is refused, hidden files and
    macOS's ``__MACOSX/`` are passed over, and a zip inside it is not opened. Its names are only shown,
    never used as paths. Status ``MISSING`` (with the names found in ``detail``) when it holds no notebook
    named ``<lab>.ipynb``; ``INVALID`` when it cannot be read.
    """
    shown = repr(shown_path(nested.uploaded))
    data, problem = _read_entry(zf, nested.info, shown, nested_zip=True)
    if problem:
        return Submission(student_id, None, Status.INVALID, problem, source=nested.path)
    try:
        inner = zipfile.ZipFile(io.BytesIO(data))
        infos = inner.infolist()
    except (zipfile.BadZipFile, NotImplementedError, ValueError, EOFError) as err:
        detail = f"{shown} is not a zip file that can be opened ({first_line(str(err))}); upload the notebook itself."
        return Submission(student_id, None, Status.INVALID, detail, source=nested.path)
    if len(infos) > MAX_NESTED_ZIP_ENTRIES:
        detail = f"{shown} holds more than {MAX_NESTED_ZIP_ENTRIES} files; upload the notebook {lab.id}.ipynb itself."
        return Submission(student_id, None, Status.INVALID, detail, source=nested.path)
    wanted = re.compile(rf"^(?:.*/)?{re.escape(lab.id)}(?:\s?\((?P<copy>\d+)\))?(?:-(?P<attempt>\d+))?\.ipynb$")
    found = []
    for info in infos:
        path = _entry_path(info)
        if info.is_dir() or _is_noise(path):
            continue
        match = wanted.match(path)
        if match:
            found.append((int(match["attempt"] or match["copy"] or 0), path, info))
    if not found:
        names = [p for p in (_entry_path(i) for i in infos) if not _is_noise(p) and not p.endswith("/")]
        detail = f"{shown} holds {_names(names) or 'nothing'}"
        return Submission(student_id, None, Status.MISSING, detail, source=nested.path)
    _, path, info = max(found, key=lambda item: item[:2])
    inner_shown = repr(shown_path(path))
    with inner:
        where = f"{inner_shown} in {shown}"
        notebook, problem = _read_entry(inner, info, where, unreadable="upload the notebook itself")
    if problem:
        return Submission(student_id, None, Status.INVALID, problem, source=nested.path)
    notes = [f"graded {inner_shown} from inside {shown}"]
    if nested.late:
        notes.append(LATE_NOTE)
    source = f"{nested.path}/{path}"
    return Submission(student_id, _private_copy(copies, index, notebook), None, "; ".join(notes) + ".", source=source)


# --- contents ------------------------------------------------------------------------------------


def validate(lab: Lab, submission: Submission) -> Submission:
    """Mark a submission ``invalid`` when its file is not a notebook of ``lab``."""
    if submission.notebook is None:
        return submission
    try:
        nb = read_notebook(submission.notebook)
    except NotebookError as err:
        reason = str(err).split(": ", 1)[-1].split(";")[0]
        return replace(submission, notebook=None, status=Status.INVALID, detail=f"{first_line(reason)}.")
    meta_lab = nb.get("metadata", {}).get("dcai", {}).get("lab") if isinstance(nb.get("metadata"), dict) else None
    if meta_lab and meta_lab != lab.id:
        detail = f"a notebook of lab '{meta_lab}', not '{lab.id}'."
        return replace(submission, notebook=None, status=Status.INVALID, detail=detail)
    ours = {nbgrader_meta(c).get("grade_id") for c in read_notebook(lab.solution).cells} - {None}
    theirs = {nbgrader_meta(c).get("grade_id") for c in nb.cells if isinstance(c, dict)} - {None}
    if not ours & theirs:
        detail = f"not a notebook of lab '{lab.id}' (none of its cells)."
        return replace(submission, notebook=None, status=Status.INVALID, detail=detail)
    return submission
