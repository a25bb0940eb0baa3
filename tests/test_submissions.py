"""The intake of ``dcai grade``: one entry per student from a folder or an LMS zip, no link followed.

Pure file handling on tiny fixture folders and zips: no nbgrader run, no sandbox.
"""

from __future__ import annotations

import io
import os
import re
import stat
import unicodedata
import zipfile
from pathlib import Path

import nbformat
import pytest

from dcai_helpers.grading import submissions
from dcai_helpers.grading.status import Status
from dcai_helpers.grading.submissions import (
    MAX_NAME_BYTES,
    SAFE_ID,
    ZIP_NAME_REGEXP,
    Submission,
    gather,
    name_problem,
    nbgrader_id_for,
    shown_name,
)

ODD_NAMES = ["José García", "o'brien-smith", "Zoë Ağaoğlu", "李 雷", "anne marie"]


def notebook_bytes(lab) -> bytes:
    """The tiny lab's solution as a student would submit it (same cells, same metadata)."""
    return nbformat.writes(nbformat.read(lab.solution, as_version=4)).encode("utf-8")


def submit(root: Path, student: str | bytes, lab, data: bytes | None = None) -> Path:
    """Lay out ``root/<student>/<lab>/<lab>.ipynb`` (``student`` may be raw bytes, for odd names)."""
    folder = os.path.join(os.fsencode(root), os.fsencode(student), lab.id.encode())
    os.makedirs(folder)
    path = os.path.join(folder, f"{lab.id}.ipynb".encode())
    with open(path, "wb") as f:
        f.write(data if data is not None else notebook_bytes(lab))
    return Path(os.fsdecode(path))


def entries_of(lab, submissions, tmp_path, **kwargs) -> dict[str, Submission]:
    scratch = tmp_path / "scratch"
    scratch.mkdir(exist_ok=True)
    intake = gather(lab, submissions, scratch=scratch, **kwargs)
    assert intake.found == len(intake.entries)
    return {entry.student_id: entry for entry in intake.entries}


# --- names ---------------------------------------------------------------------------------------


def test_any_folder_name_is_a_student_with_a_safe_nbgrader_id(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    for name in [*ODD_NAMES, "alice"]:
        submit(subs, name, tiny_lab)
    found = entries_of(tiny_lab, subs, tmp_path)
    assert sorted(found) == sorted([*ODD_NAMES, "alice"])
    for name, entry in found.items():
        assert entry.status is None, (name, entry.detail)
        assert SAFE_ID.match(entry.nbgrader_id) or re.fullmatch(r"[a-z0-9-]+", entry.nbgrader_id), entry.nbgrader_id
    assert found["alice"].nbgrader_id == "alice"  # plain names keep their gradebook id
    assert found["José García"].nbgrader_id.startswith("jose-garcia-")
    assert len({entry.nbgrader_id for entry in found.values()}) == len(found)


def test_nbgrader_ids_are_stable_distinct_and_never_borrowed():
    assert nbgrader_id_for("José García") == nbgrader_id_for("José García")
    assert nbgrader_id_for("José García") != nbgrader_id_for("Jose Garcia")
    taken = nbgrader_id_for("José García")
    # A plain name that looks like a slugged id is slugged too, so it cannot take another student's id.
    assert nbgrader_id_for(taken) != taken
    assert len(nbgrader_id_for("x" * 150)) <= 128  # nbgrader's Student.id column


def test_unusable_names_get_a_row_that_says_how_to_rename(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, "tab\there", tiny_lab)
    submit(subs, b"caf\xe9", tiny_lab)  # Latin-1 bytes: not UTF-8
    submit(subs, "n" * (MAX_NAME_BYTES + 1), tiny_lab)
    found = entries_of(tiny_lab, subs, tmp_path)
    assert len(found) == 3
    for student_id, entry in found.items():
        assert entry.status == Status.INVALID, student_id
        assert entry.notebook is None
        assert "rename" in entry.detail, entry.detail
    assert "tab\\there" in found
    assert "caf\\xe9" in found


def test_name_problem_names_each_unusable_case():
    assert name_problem("José García") is None
    assert name_problem("o'brien-smith") is None
    assert "empty" in name_problem("  ")
    assert "not a name" in name_problem("..")
    assert "control" in name_problem("a\nb")
    assert "slash" in name_problem("a\\b")
    assert "longer" in name_problem("é" * (MAX_NAME_BYTES // 2 + 1))


def test_shown_names_are_one_to_one_and_never_leave_their_folder():
    names = [
        "a\nb",
        "a\\nb",
        "a\\\\nb",
        "caf\udce9",
        "caf\\xe9",
        "plain",
        "",
        ".",
        "..",
        "a/b",
        "a\\x2fb",
        "\\x2e",
        "\x85",
        "\udc85",
    ]
    shown = [shown_name(name) for name in names]
    assert len(set(shown)) == len(names)
    assert shown_name("José") == "José"
    for name in shown:  # each is one folder name under feedback/, never another folder
        assert name not in ("", ".", "..") and "/" not in name, name


def test_names_that_differ_only_in_unicode_form_are_one_student(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, unicodedata.normalize("NFC", "José"), tiny_lab)
    submit(subs, unicodedata.normalize("NFD", "José"), tiny_lab)
    found = entries_of(tiny_lab, subs, tmp_path)
    assert list(found) == ["José"]
    assert found["José"].status == Status.INVALID
    assert "2 entries name this student" in found["José"].detail


# --- what is read --------------------------------------------------------------------------------


def test_a_symlinked_notebook_is_invalid_and_never_read(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    link = submit(subs, "mallory", tiny_lab)
    link.unlink()
    link.symlink_to(tiny_lab.solution)  # the instructor's answer key
    entry = entries_of(tiny_lab, subs, tmp_path)["mallory"]
    assert (entry.status, entry.notebook) == (Status.INVALID, None)
    assert "symbolic link" in entry.detail
    assert not list((tmp_path / "scratch").rglob("*.ipynb"))  # nothing was copied for grading


def test_a_symlinked_student_or_lab_folder_is_invalid(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    real = submit(tmp_path / "elsewhere", "real", tiny_lab)
    subs.mkdir()
    (subs / "mallory").symlink_to(real.parent.parent, target_is_directory=True)
    (subs / "trudy").mkdir()
    (subs / "trudy" / tiny_lab.id).symlink_to(real.parent, target_is_directory=True)
    found = entries_of(tiny_lab, subs, tmp_path)
    assert {s: e.status for s, e in found.items()} == {"mallory": Status.INVALID, "trudy": Status.INVALID}
    assert "student folder is a symbolic link" in found["mallory"].detail
    assert f"{tiny_lab.id} in the student's folder is a symbolic link" in found["trudy"].detail


def test_a_fifo_or_a_folder_in_the_notebooks_place_is_invalid(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    fifo = submit(subs, "fifo", tiny_lab)
    fifo.unlink()
    os.mkfifo(fifo)  # reading it would block the grader forever
    folder = submit(subs, "folder", tiny_lab)
    folder.unlink()
    folder.mkdir()
    os.mkfifo(subs / "pipe")  # in a student folder's place
    found = entries_of(tiny_lab, subs, tmp_path)
    assert found["fifo"].status == found["folder"].status == found["pipe"].status == Status.INVALID
    assert "student folder is a FIFO" in found["pipe"].detail
    assert "FIFO" in found["fifo"].detail
    assert "a folder, not a notebook file" in found["folder"].detail


def test_the_graded_copy_is_private_and_a_later_swap_changes_nothing(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    original = submit(subs, "alice", tiny_lab)
    entry = entries_of(tiny_lab, subs, tmp_path)["alice"]
    assert entry.notebook != original and entry.notebook.read_bytes() == original.read_bytes()
    assert stat.S_IMODE(entry.notebook.stat().st_mode) == 0o600
    original.write_text("swapped after the check")
    assert entry.notebook.read_bytes() == notebook_bytes(tiny_lab)
    assert entry.source == f"alice/{tiny_lab.id}/{tiny_lab.id}.ipynb"


def test_every_student_folder_gets_one_entry_and_stray_files_are_listed(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    submit(subs, "alice", tiny_lab)
    (subs / "bob").mkdir()
    (subs / "carol" / tiny_lab.id).mkdir(parents=True)
    (subs / "carol" / tiny_lab.id / "notebook.ipynb").write_bytes(notebook_bytes(tiny_lab))
    submit(subs, "dave", tiny_lab, b"{not json")
    (subs / "README.txt").write_text("grading notes")
    (subs / ".DS_Store").write_bytes(b"")
    intake = gather(tiny_lab, subs, scratch=tmp_path)
    assert [(e.student_id, e.status) for e in intake.entries] == [
        ("alice", None),
        ("bob", Status.MISSING),
        ("carol", Status.INVALID),
        ("dave", Status.INVALID),
    ]
    assert intake.found == 4
    assert "wrong file name: found notebook.ipynb" in intake.entries[2].detail
    assert sorted(intake.ignored) == [".DS_Store (a hidden name)", "README.txt (a file, not a student folder)"]


# --- zips ----------------------------------------------------------------------------------------


def make_zip(path: Path | io.BytesIO, files: dict[str, bytes], links: tuple[str, ...] = ()) -> Path | io.BytesIO:
    with zipfile.ZipFile(path, "w") as zf:
        for name, data in files.items():
            zf.writestr(name, data)
        for name in links:
            info = zipfile.ZipInfo(name)
            info.external_attr = (stat.S_IFLNK | 0o777) << 16
            zf.writestr(info, "../../solutions/tiny_lab/tiny_lab.ipynb")
    return path


def test_canvas_names_late_marks_and_resubmissions(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    lab = tiny_lab.id
    archive = make_zip(
        tmp_path / "canvas.zip",
        {
            f"garcíajosé_12345_67890_{lab}.ipynb": good,
            f"jonesbob_late_12342_67892_{lab}.ipynb": good,
            f"smithjane_12346_70001_{lab}.ipynb": b"first try",
            f"smithjane_12346_70002_{lab}-1.ipynb": b"second try",
            f"smithjane_12346_70003_{lab}-2.ipynb": good,
            f"obriensmith_LATE_12347_70010_{lab}-1.ipynb": good,
            f"anon_Ab3dE_70020_{lab}.ipynb": good,
            "leeann_12348_70030_report.pdf": b"%PDF",
        },
    )
    found = entries_of(tiny_lab, archive, tmp_path)
    assert {s: e.status for s, e in found.items()} == {
        "garcíajosé": None,
        "jonesbob": None,
        "smithjane": None,
        "obriensmith": None,
        "anon_Ab3dE": None,
        "leeann": Status.INVALID,
    }
    assert found["smithjane"].source == f"smithjane_12346_70003_{lab}-2.ipynb"
    assert found["smithjane"].notebook.read_bytes() == good
    assert "the last of 3 files" in found["smithjane"].detail
    assert "late" in found["jonesbob"].detail and "late" in found["obriensmith"].detail
    assert found["garcíajosé"].detail == ""
    assert "no notebook" in found["leeann"].detail and "report.pdf" in found["leeann"].detail
    # The student reads the names they uploaded, not the ones Canvas gave them in its zip.
    assert "70030" not in found["leeann"].detail and "smithjane_12346" not in found["smithjane"].detail


def test_zip_names_without_the_utf8_flag_are_read_as_utf8(tiny_lab, tmp_path):
    # Some zip tools write UTF-8 names without flagging them, which zipfile then reads as cp437. Write an
    # ASCII stand-in of the same length, then put the UTF-8 bytes in its place (zipfile would flag them).
    name = f"garcíajosé_12345_67890_{tiny_lab.id}.ipynb".encode()
    stand_in = b"garcXXajosXX" + name[len("garcíajosé".encode()) :]
    archive = make_zip(tmp_path / "lms.zip", {stand_in.decode(): notebook_bytes(tiny_lab)})
    archive.write_bytes(archive.read_bytes().replace(stand_in, name))
    assert not zipfile.ZipFile(archive).infolist()[0].flag_bits & 0x800
    assert list(entries_of(tiny_lab, archive, tmp_path)) == ["garcíajosé"]


def test_moodle_folders_prefixes_and_blind_marking(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    lab = tiny_lab.id
    archive = make_zip(
        tmp_path / "moodle.zip",
        {
            f"José García_1234567_assignsubmission_file_/{lab}.ipynb": good,
            f"Anne O'Brien_1234568_assignsubmission_file_{lab}.ipynb": good,
            f"Participant_2000001_assignsubmission_file_/{lab}.ipynb": good,
            f"Participant_2000002_assignsubmission_file_/{lab}.ipynb": good,
        },
    )
    found = entries_of(tiny_lab, archive, tmp_path)
    assert {s: e.status for s, e in found.items()} == {
        "José García": None,
        "Anne O'Brien": None,
        "Participant_2000001": None,
        "Participant_2000002": None,
    }


def test_namesakes_with_different_lms_ids_are_two_students(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    archive = make_zip(
        tmp_path / "canvas.zip",
        {f"leejohn_111_1_{tiny_lab.id}.ipynb": good, f"leejohn_222_2_{tiny_lab.id}.ipynb": good},
    )
    assert sorted(entries_of(tiny_lab, archive, tmp_path)) == ["leejohn_111", "leejohn_222"]


def test_zip_links_unnamed_entries_and_hidden_files(tiny_lab, tmp_path):
    archive = make_zip(
        tmp_path / "lms.zip",
        {"README.txt": b"notes", f"__MACOSX/._alice_{tiny_lab.id}.ipynb": b"", f"bob_{tiny_lab.id}.ipynb": b"{}"},
        links=(f"mallory_{tiny_lab.id}.ipynb",),
    )
    intake = gather(tiny_lab, archive, scratch=tmp_path)
    found = {e.student_id: e for e in intake.entries}
    assert {s: e.status for s, e in found.items()} == {
        "README.txt": Status.INVALID,
        "bob": Status.INVALID,
        "mallory": Status.INVALID,
    }
    assert "names no student" in found["README.txt"].detail
    assert "symbolic link" in found["mallory"].detail
    assert intake.ignored == [f"__MACOSX/._alice_{tiny_lab.id}.ipynb (a hidden file in the zip)"]


def test_a_custom_name_regexp(tiny_lab, tmp_path):
    archive = make_zip(tmp_path / "lms.zip", {f"{tiny_lab.id}--José García.ipynb": notebook_bytes(tiny_lab)})
    found = entries_of(tiny_lab, archive, tmp_path, name_regexp=r"^(?P<file_id>[a-z_]+)--(?P<student_id>.+)\.ipynb$")
    assert found["José García"].status is None
    with pytest.raises(ValueError, match="not a regular expression"):
        gather(tiny_lab, archive, scratch=tmp_path, name_regexp=r"^(?P<student_id>.+")
    with pytest.raises(ValueError, match="named groups student_id and file_id"):
        gather(tiny_lab, archive, scratch=tmp_path, name_regexp=r"^(?P<student_id>.+)$")


def test_the_default_regexp_reads_every_lms_name():
    cases = {
        "alice_label_errors.ipynb": ("alice", "label_errors", None, None),
        "garcíajosé_12345_67890_label_errors.ipynb": ("garcíajosé", "label_errors", None, None),
        "jonesbob_late_12342_67892_label_errors-1.ipynb": ("jonesbob", "label_errors", "late", "1"),
        "LATE_anon_Ab3dE_67890_label_errors.ipynb": ("anon_Ab3dE", "label_errors", None, None),
        "export/José García_1234567_assignsubmission_file_/label_errors.ipynb": (
            "José García",
            "label_errors",
            None,
            None,
        ),
    }
    for name, (student, file_id, late, attempt) in cases.items():
        match = re.match(ZIP_NAME_REGEXP, name)
        assert match, name
        assert (match["student_id"], match["file_id"], match["late"], match["attempt"]) == (
            student,
            file_id,
            late,
            attempt,
        ), name


def test_a_zip_name_that_would_leave_its_folder_is_unusable(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    archive = make_zip(
        tmp_path / "lms.zip",
        {f".._1_assignsubmission_file_/{tiny_lab.id}.ipynb": good, f"../../eve_{tiny_lab.id}.ipynb": good},
    )
    found = entries_of(tiny_lab, archive, tmp_path)
    assert {s: e.status for s, e in found.items()} == {"\\x2e\\x2e": Status.INVALID, "eve": None}
    assert "rename" in found["\\x2e\\x2e"].detail


def test_a_browser_copy_reads_like_a_canvas_resubmission(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    lab = tiny_lab.id
    archive = make_zip(
        tmp_path / "lms.zip",
        {
            f"alice_{lab} (1).ipynb": good,
            f"bob_{lab}(2).ipynb": good,
            f"smithjane_12346_70001_{lab}.ipynb": b"first try",
            f"smithjane_12346_70002_{lab} (1).ipynb": good,
            f"José García_1234567_assignsubmission_file_/{lab} (3).ipynb": good,
        },
    )
    found = entries_of(tiny_lab, archive, tmp_path)
    assert {s: e.status for s, e in found.items()} == {
        "alice": None,
        "bob": None,
        "smithjane": None,
        "José García": None,
    }
    assert found["smithjane"].source == f"smithjane_12346_70002_{lab} (1).ipynb"
    assert f"graded '{lab} (1).ipynb', the last of 2 files" in found["smithjane"].detail
    match = re.match(ZIP_NAME_REGEXP, f"garcíajosé_12345_67890_{lab} (1)-2.ipynb")
    assert (match["student_id"], match["file_id"], match["copy"], match["attempt"]) == ("garcíajosé", lab, "1", "2")


def test_online_text_and_text_entries_are_ignored_not_students(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    lab = tiny_lab.id
    archive = make_zip(
        tmp_path / "lms.zip",
        {
            f"José García_1234567_assignsubmission_file_/{lab}.ipynb": good,
            "José García_1234567_assignsubmission_onlinetext_/onlinetext.html": b"<p>see my file</p>",
            "Anne O'Brien_1234568_assignsubmission_onlinetext_/onlinetext.html": b"<p>my answers</p>",
            "Anne O'Brien_1234568_assignsubmission_onlinetext_/plot.png": b"\x89PNG",
            "Kim Lee_2000001_assignsubmission_onlinetext_onlinetext.html": b"<p>flat</p>",
            "smithjane_12346_text.html": b"<p>text entry</p>",
            "jonesbob_LATE_12342_link.html": b"<a href=x>x</a>",
            "leeann_12348_70030_text.html": good,  # a file the student named text.html: a file, not a text entry
        },
    )
    intake = gather(tiny_lab, archive, scratch=tmp_path)
    found = {e.student_id: e for e in intake.entries}
    assert {s: e.status for s, e in found.items()} == {
        "José García": None,
        "Anne O'Brien": Status.INVALID,
        "Kim Lee": Status.INVALID,
        "smithjane": Status.INVALID,
        "jonesbob": Status.INVALID,
        "leeann": Status.INVALID,
    }
    assert "only Moodle online text; upload the notebook tiny_lab.ipynb as a file" in found["Anne O'Brien"].detail
    assert found["Anne O'Brien"].lms_user_id == "1234568"  # so that `dcai export` finds them in the roster
    assert "only a Canvas text entry" in found["smithjane"].detail
    assert "only a Canvas website URL" in found["jonesbob"].detail
    assert "no notebook: you uploaded text.html" in found["leeann"].detail
    assert len([line for line in intake.ignored if "not a file submission" in line]) == 6
    assert "José García_1234567_assignsubmission_onlinetext_/onlinetext.html (Moodle online text of José García, " in (
        "\n".join(intake.ignored)
    )


def inner_zip(files: dict[str, bytes], links: tuple[str, ...] = ()) -> bytes:
    """The bytes of a zip a student made of their work."""
    buffer = io.BytesIO()
    make_zip(buffer, files, links)
    return buffer.getvalue()


def test_a_notebook_zipped_inside_the_zip_is_read(tiny_lab, tmp_path):
    good = notebook_bytes(tiny_lab)
    lab = tiny_lab.id
    archive = make_zip(
        tmp_path / "lms.zip",
        {
            "José García_1234567_assignsubmission_file_/lab.zip": inner_zip(
                {f"lab/{lab}.ipynb": good, f"__MACOSX/lab/._{lab}.ipynb": b"fork", "lab/data.csv": b"x,y"}
            ),
            "garcíajosé_12345_67890_Archive.zip": inner_zip({f"{lab}.ipynb": b"old", f"{lab} (1).ipynb": good}),
            "alice_notes.zip": inner_zip({"notes.txt": b"no notebook here", "report.pdf": b"%PDF"}),
            "bob_deeper.zip": inner_zip({"inner.zip": inner_zip({f"{lab}.ipynb": good})}),
            "carol_bad.zip": b"not a zip at all",
            "mallory_link.zip": inner_zip({}, links=(f"{lab}.ipynb",)),
        },
    )
    found = entries_of(tiny_lab, archive, tmp_path)
    assert {s: e.status for s, e in found.items()} == {
        "José García": None,
        "garcíajosé": None,
        "alice": Status.INVALID,
        "bob": Status.INVALID,
        "carol": Status.INVALID,
        "mallory": Status.INVALID,
    }
    assert found["José García"].notebook.read_bytes() == good
    assert f"graded 'lab/{lab}.ipynb' from inside 'lab.zip'" in found["José García"].detail
    assert found["garcíajosé"].notebook.read_bytes() == good  # the browser's copy (1) is the later one
    assert "wrong file name: you uploaded notes.zip ('notes.zip' holds notes.txt, report.pdf)" in found["alice"].detail
    assert "'deeper.zip' holds inner.zip" in found["bob"].detail  # one level deep: a zip in a zip is not opened
    assert "not a zip file that can be opened" in found["carol"].detail
    assert "symbolic link" in found["mallory"].detail


def test_a_zipped_notebook_is_bounded_like_any_notebook(tiny_lab, tmp_path, monkeypatch):
    good = notebook_bytes(tiny_lab)
    lab = tiny_lab.id
    many = {f"file{i}.txt": b"" for i in range(5)}
    archive = make_zip(
        tmp_path / "lms.zip",
        {"alice_many.zip": inner_zip({**many, f"{lab}.ipynb": good}), "bob_big.zip": inner_zip({f"{lab}.ipynb": good})},
    )
    monkeypatch.setattr(submissions, "MAX_NESTED_ZIP_ENTRIES", 5)
    monkeypatch.setattr(submissions, "MAX_NOTEBOOK_BYTES", len(good) - 1)
    found = entries_of(tiny_lab, archive, tmp_path)
    assert "holds more than 5 files" in found["alice"].detail
    assert f"'{lab}.ipynb' in 'big.zip' is larger than" in found["bob"].detail
    assert found["alice"].notebook is None and found["bob"].notebook is None


def test_what_to_upload_is_said_in_each_lms_words(tiny_lab, tmp_path):
    subs = tmp_path / "submitted"
    (subs / "alice").mkdir(parents=True)
    assert entries_of(tiny_lab, subs, tmp_path)["alice"].expected == f"{tiny_lab.id}/{tiny_lab.id}.ipynb"
    archive = make_zip(
        tmp_path / "lms.zip",
        {
            "leeann_12348_70030_report.pdf": b"%PDF",
            "Anne O'Brien_1234568_assignsubmission_onlinetext_/onlinetext.html": b"<p>answers</p>",
            "bob_report.pdf": b"%PDF",
        },
    )
    found = entries_of(tiny_lab, archive, tmp_path)
    assert found["leeann"].expected == (
        f"{tiny_lab.id}.ipynb, uploaded as a file to the Canvas assignment (Submit Assignment > File Upload)"
    )
    assert "File submissions of the Moodle assignment (not as online text)" in found["Anne O'Brien"].expected
    assert found["bob"].expected == f"{tiny_lab.id}.ipynb"
